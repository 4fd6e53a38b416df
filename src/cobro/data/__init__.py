"""Versioned data shipped with cobro (rate tables, reference series)."""
