"""cobro: B2B accounts receivable and collections."""

__version__ = "0.1.0"
