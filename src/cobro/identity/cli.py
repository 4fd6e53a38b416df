"""Placeholder so the import contracts resolve; the identity feature's cli replaces this file."""
