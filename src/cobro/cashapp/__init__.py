"""Cash application: bank statements, e-invoices, matching payments to invoices, review, SEPA."""
