"""Scheduled jobs: the daily cycle per tenant, the outbox, webhooks, the statement inbox, weekly retraining,
run by `cobro worker` on procrastinate (PostgreSQL) or in-process (SQLite); see docs/jobs.md."""
