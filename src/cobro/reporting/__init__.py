"""Reporting: ageing, KPIs (DSO, CEI), provisions, cost of delinquency, the portfolio analysis."""
