"""Delivery use cases: deliver the outbox, build the channels."""
