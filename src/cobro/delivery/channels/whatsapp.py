"""WhatsApp Business Cloud API: `POST {base}/{phone_number_id}/messages` with a bearer token.

Two shapes: free text (`type: text`, allowed inside the 24-hour customer-service window) and an approved template
(`type: template` with body parameters), which business-initiated reminders need outside that window.  The
outbox Message-ID travels in `biz_opaque_callback_data`, so status webhooks can be tied back to the row.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import httpx

from cobro.delivery.channels.base import DeliveryResult, OutboundMessage
from cobro.delivery.channels.http import PooledHttpChannel

# Graph API error codes that say "this message to this number will never work".
_PERMANENT_CODES = {100, 131008, 131009, 131021, 131026, 131051, 132000, 132001, 132005, 132007, 132012}
_PHONE = re.compile(r"^\d{8,15}$")


def normalize_phone(phone: str) -> str:
    """E.164 without the plus, as the Cloud API expects: "+34 600-11 12 22" → "34600111222"."""
    digits = re.sub(r"[\s().-]", "", phone)
    if digits.startswith("00"):
        digits = digits[2:]
    return digits.lstrip("+")


class WhatsAppChannel(PooledHttpChannel):
    name = "whatsapp"

    def __init__(self, base_url: str, token: str, phone_number_id: str = "", *,
                 mode: Literal["text", "template"] = "text", timeout: float = 15.0,
                 client: httpx.Client | None = None) -> None:
        base = base_url.rstrip("/")
        super().__init__(f"{base}/{phone_number_id}/messages" if phone_number_id else f"{base}/messages",
                         {"Authorization": f"Bearer {token}"}, timeout=timeout, client=client)
        self.mode = mode

    def payload(self, message: OutboundMessage) -> dict[str, Any]:
        body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual",
                                "to": normalize_phone(message.recipient)}
        if self.mode == "template":
            body["type"] = "template"
            body["template"] = {
                "name": message.template,
                "language": {"code": message.language.replace("-", "_")},
                "components": [{"type": "body",
                                "parameters": [{"type": "text", "text": p} for p in message.params]}],
            }
        else:
            body["type"] = "text"
            body["text"] = {"preview_url": False, "body": message.text.strip()}
        if message.message_id:
            body["biz_opaque_callback_data"] = message.message_id
        return body

    def send(self, message: OutboundMessage) -> DeliveryResult:
        if not _PHONE.match(normalize_phone(message.recipient)):
            return DeliveryResult.dead(f"invalid phone number {message.recipient!r}", bounce=True)
        try:
            response = self._http().post(self.url, json=self.payload(message))
        except httpx.HTTPError as exc:
            return DeliveryResult.retry(f"WhatsApp API unreachable: {type(exc).__name__}: {exc}", unavailable=True)
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.is_success:
            messages = data.get("messages") or [{}]
            return DeliveryResult.sent(str(messages[0].get("id", "")))
        error = data.get("error") or {}
        text = f"WhatsApp API {response.status_code}: {error.get('code', '')} {error.get('message', '')}".strip()
        if response.status_code in (401, 403, 429) or response.status_code >= 500:
            return DeliveryResult.retry(text, unavailable=True)
        if error.get("code") in _PERMANENT_CODES or response.status_code in (400, 404):
            return DeliveryResult.dead(text, bounce=error.get("code") in {131026, 131021, 131051})
        return DeliveryResult.retry(text)
