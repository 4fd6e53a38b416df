"""Risk: behavioural risk scores, alerts, liquidity-vs-unwillingness, recommendations and the worklist."""
