"""Solvency use cases."""
