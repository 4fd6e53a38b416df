"""All SQL of collections.  Bulk loaders for the daily cycle are set-based (one query per table, not per item)."""
