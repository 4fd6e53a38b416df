"""Statutory late-payment interest (ES, EU, UK, LatAm) and its rate tables."""
