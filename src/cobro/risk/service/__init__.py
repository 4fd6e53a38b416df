"""Risk use cases."""
