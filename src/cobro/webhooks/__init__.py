"""Webhooks: tenants subscribe URLs to events; events are written in the transaction that causes them and
delivered after commit, signed (Standard Webhooks), retried with backoff, in order per entity."""
