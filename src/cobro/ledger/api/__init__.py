"""Ledger and customer endpoints."""
