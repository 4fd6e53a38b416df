"""SMS behind the same protocol: a generic HTTP gateway, or a log sink for development and demos.

Gateway shape (most aggregators accept something like it, or a thin adapter does):
`POST {url}` with `{"to": "+34600111222", "text": "...", "reference": "<message-id>"}` and a bearer token;
a 2xx reply with `{"id": ...}` means accepted.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from cobro.delivery.channels.base import DeliveryResult, OutboundMessage
from cobro.delivery.channels.http import PooledHttpChannel
from cobro.delivery.channels.whatsapp import normalize_phone

SMS_MAX_CHARS = 612  # four concatenated GSM segments; longer texts are cut, not refused


class HttpSmsChannel(PooledHttpChannel):
    name = "sms"

    def __init__(self, url: str, token: str = "", *, timeout: float = 15.0,
                 client: httpx.Client | None = None) -> None:
        super().__init__(url, {"Authorization": f"Bearer {token}"} if token else {}, timeout=timeout, client=client)

    def send(self, message: OutboundMessage) -> DeliveryResult:
        phone = normalize_phone(message.recipient)
        if not phone.isdigit() or not 8 <= len(phone) <= 15:
            return DeliveryResult.dead(f"invalid phone number {message.recipient!r}", bounce=True)
        body = {"to": f"+{phone}", "text": message.text.strip()[:SMS_MAX_CHARS], "reference": message.message_id}
        try:
            response = self._http().post(self.url, json=body)
        except httpx.HTTPError as exc:
            return DeliveryResult.retry(f"SMS gateway unreachable: {type(exc).__name__}: {exc}", unavailable=True)
        if response.is_success:
            try:
                provider_id = str(response.json().get("id", "")) or message.message_id
            except ValueError:
                provider_id = message.message_id
            return DeliveryResult.sent(provider_id)
        error = f"SMS gateway {response.status_code}: {response.text[:200]}"
        if response.status_code in (400, 404, 422):
            return DeliveryResult.dead(error)
        return DeliveryResult.retry(error, unavailable=True)


class LogSmsChannel:
    """Appends each SMS as one JSON line to a file: nothing leaves the machine."""

    name = "sms"

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, message: OutboundMessage) -> DeliveryResult:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {"to": message.recipient, "text": message.text.strip()[:SMS_MAX_CHARS],
                "reference": message.message_id}
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        return DeliveryResult.sent(message.message_id)

    def close(self) -> None:
        return None
