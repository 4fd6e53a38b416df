"""Audit: the append-only record of every state change — who, when, which entity, before and after, and why."""
