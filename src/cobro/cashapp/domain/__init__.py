"""Pure matching rules."""
