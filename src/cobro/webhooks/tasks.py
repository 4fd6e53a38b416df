"""Webhook sending as a continuous job (`cobro worker`, docs/jobs.md): one pass of the signed sender over every
tenant's due deliveries, as `cobro webhook deliver` makes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from cobro.webhooks.sender import WebhookSender

if TYPE_CHECKING:
    from cobro.platform.container import Container


def send_webhooks(container: Container, tenant: str, *, as_of: dt.date, now: dt.datetime) -> str:
    report = WebhookSender(container.sessions, now=container.clock.now).deliver()
    return f"delivered {report.delivered}, retrying {report.retrying}, given up {report.dead}"
