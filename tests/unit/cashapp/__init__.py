"""Cash application: bank statements, e-invoices, matching."""
