"""Comments between finance and sales on a customer or one of its invoices, with @mentions that notify."""
