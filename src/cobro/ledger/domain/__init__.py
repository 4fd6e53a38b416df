"""Pure ledger values and rules."""
