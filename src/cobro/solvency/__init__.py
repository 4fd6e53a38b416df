"""Solvency: debtors' financial statements, ratios, Altman Z'' and the bankruptcy model."""
