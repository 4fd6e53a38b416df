"""CSV/XLSX readers, mappings and row validation for ledger imports (no database access)."""
