"""Forecasting: payment-date prediction and the 13-week cash forecast."""
