"""Report commands: report ageing/kpis/provision/cost, analyze."""
