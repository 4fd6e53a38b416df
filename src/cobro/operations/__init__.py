"""Operations: what an operator watches (the database-side gauges behind /metrics); docs/operations.md."""
