"""Typed outputs of the ledger (API models)."""
