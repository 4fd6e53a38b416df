"""Delivery settings and the channel registry, built from the environment (prefix COBRO_).

`cobro.platform.settings.Settings` carries the shared fields (smtp_url, smtp_from, whatsapp_base_url, whatsapp_token);
the knobs only delivery needs live here, read the same way (pydantic-settings, same prefix).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

from cobro.delivery.channels.base import Channel
from cobro.delivery.channels.email import EmailChannel
from cobro.delivery.channels.letter import LetterChannel
from cobro.delivery.channels.sms import HttpSmsChannel, LogSmsChannel
from cobro.delivery.channels.whatsapp import WhatsAppChannel
from cobro.platform.settings import Settings


class DeliverySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COBRO_", extra="ignore")

    outbox_max_attempts: int = 8
    outbox_backoff_seconds: float = 60.0  # first retry after 1 min, then 2, 4, 8 ... capped
    outbox_backoff_cap_seconds: float = 6 * 3600.0
    outbox_lease_seconds: float = 300.0  # a row in "sending" longer than this is presumed orphaned
    outbox_batch_size: int = 20
    whatsapp_phone_number_id: str = ""
    whatsapp_mode: Literal["text", "template"] = "text"
    sms_url: str = ""
    sms_token: str = ""
    sms_log: Path | None = None
    letter_dir: Path = Path("letters")


def build_channels(settings: Settings, delivery: DeliverySettings) -> dict[str, Channel]:
    """Only configured channels are returned; a message for a missing one is dead-lettered with that reason."""
    channels: dict[str, Channel] = {"letter": LetterChannel(delivery.letter_dir)}
    if settings.smtp_url:
        channels["email"] = EmailChannel(settings.smtp_url, settings.smtp_from)
    if settings.whatsapp_base_url:
        channels["whatsapp"] = WhatsAppChannel(settings.whatsapp_base_url, settings.whatsapp_token,
                                               delivery.whatsapp_phone_number_id, mode=delivery.whatsapp_mode)
    if delivery.sms_url:
        channels["sms"] = HttpSmsChannel(delivery.sms_url, delivery.sms_token)
    elif delivery.sms_log is not None:
        channels["sms"] = LogSmsChannel(delivery.sms_log)
    return channels


CrashHook = Callable[[str, int], None]


def crash_hook_from_env() -> CrashHook | None:
    """TEST-ONLY fault injection, used by tests/integration/delivery to prove crash safety.

    `COBRO_TEST_CRASH_AFTER=k` hard-exits the process (os._exit, no cleanup, no commit) at the k-th successful
    send.  `COBRO_TEST_CRASH_POINT` says where: `after_send` (default; the message left but its row is still
    "sending", the worst case) or `after_commit` (the row is already "sent").  Unset in production.
    """
    raw = os.environ.get("COBRO_TEST_CRASH_AFTER", "")
    if not raw:
        return None
    after, point = int(raw), os.environ.get("COBRO_TEST_CRASH_POINT", "after_send")

    def hook(stage: str, count: int) -> None:
        if stage == point and count >= after:
            os._exit(86)

    return hook
