"""E-mail headers come from the creditor's profile, each part falling back to the configured relay sender."""

from __future__ import annotations

from cobro.delivery.channels.base import OutboundMessage
from cobro.delivery.channels.email import build_email, from_header

RELAY = "cobro <noreply@relay.example>"


def message(*, sender_name: str = "", sender_email: str = "", reply_to: str = "") -> OutboundMessage:
    return OutboundMessage(channel="email", recipient="ana@example.com", recipient_name="Ana", subject="s",
                           text="t", sender_name=sender_name, sender_email=sender_email, reply_to=reply_to)


def test_from_uses_the_profile_and_falls_back_per_part() -> None:
    assert from_header(message(), RELAY) == "cobro <noreply@relay.example>"
    assert from_header(message(sender_name="Cobros Iberia"), RELAY) == "Cobros Iberia <noreply@relay.example>"
    assert from_header(message(sender_name="Cobros Iberia", sender_email="cobros@iberia.example"), RELAY) == \
        "Cobros Iberia <cobros@iberia.example>"


def test_reply_to_only_when_the_profile_has_one() -> None:
    assert build_email(message(), RELAY)["Reply-To"] is None
    assert build_email(message(reply_to="cartera@iberia.example"), RELAY)["Reply-To"] == "cartera@iberia.example"


def test_a_sender_name_with_non_ascii_is_encoded_not_injected() -> None:
    email = build_email(message(sender_name="Suministros Ibéricos, S.L."), RELAY)
    assert str(email["From"]) == '"Suministros Ibéricos, S.L." <noreply@relay.example>'
    assert "\n" not in email.as_string().split("From: ", 1)[1].split("\n", 1)[0]
