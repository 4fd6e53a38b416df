"""Statutory late-payment rate tables as CSV: one file per series, see docs/analytics.md."""
