"""Ledger commands: init, ledger, customers, import."""
