"""Delivery: the transactional outbox, channels (e-mail, WhatsApp, SMS, letters) and the worker."""
