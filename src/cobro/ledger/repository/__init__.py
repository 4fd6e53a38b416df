"""All of the ledger's SQL."""
