"""Ledger use cases: flush, never commit."""
