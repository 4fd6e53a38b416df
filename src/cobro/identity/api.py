"""Placeholder so the import contracts resolve; the identity feature's api replaces this file."""
