"""The database-free portfolio analysis (`cobro analyze FILE`) and its renderers."""
