"""Solvency analytics: ARFF reading, a bankruptcy-probability model, per-firm explanations, statement import."""
