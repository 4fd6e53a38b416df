"""Payment-date model: point-in-time features, quantile boosting with conformal intervals, evaluation.

Works on cobro's canonical ledger frame (polars): ``invoice_number, customer_code, issue_date, due_date,
amount, currency, disputed, settled_date, channel, country``.  No database access.
"""
