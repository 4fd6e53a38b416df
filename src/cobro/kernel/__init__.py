"""The kernel: money, clock, errors, enums, calendar, payment terms and tax ids.  Imports nothing of cobro."""
