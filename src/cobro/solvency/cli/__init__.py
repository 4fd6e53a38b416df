"""Solvency commands."""
