"""The channel registry, built from the one `cobro.platform.settings.Settings` (environment prefix COBRO_)."""

from __future__ import annotations

from collections.abc import Mapping

from cobro.delivery.channels.base import Channel
from cobro.delivery.channels.email import EmailChannel
from cobro.delivery.channels.letter import LetterChannel
from cobro.delivery.channels.sms import HttpSmsChannel, LogSmsChannel
from cobro.delivery.channels.whatsapp import WhatsAppChannel
from cobro.platform.settings import Settings


def build_channels(settings: Settings) -> Mapping[str, Channel]:
    """Only configured channels are returned; a message for a missing one is dead-lettered with that reason."""
    channels: dict[str, Channel] = {"letter": LetterChannel(settings.letter_dir)}
    if settings.smtp_url:
        channels["email"] = EmailChannel(settings.smtp_url, settings.smtp_from)
    if settings.whatsapp_base_url:
        channels["whatsapp"] = WhatsAppChannel(settings.whatsapp_base_url, settings.whatsapp_token,
                                               settings.whatsapp_phone_number_id, mode=settings.whatsapp_mode)
    if settings.sms_url:
        channels["sms"] = HttpSmsChannel(settings.sms_url, settings.sms_token)
    elif settings.sms_log is not None:
        channels["sms"] = LogSmsChannel(settings.sms_log)
    return channels
