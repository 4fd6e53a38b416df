"""cobro package."""
