"""Pure reporting rules: ageing buckets, KPIs, provisions, costs."""
