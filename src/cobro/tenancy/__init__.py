"""Tenancy: the creditors on this installation and each one's profile (legal identity, bank details, sender, letterhead)."""
