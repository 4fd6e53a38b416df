"""Email, WhatsApp, SMS and letter transports against local servers (no database)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from cobro.delivery.channels.base import Attachment, OutboundMessage, make_message_id
from cobro.delivery.channels.email import EmailChannel, SmtpUrlError, build_email, parse_smtp_url
from cobro.delivery.channels.letter import LetterChannel
from cobro.delivery.channels.sms import HttpSmsChannel, LogSmsChannel
from cobro.delivery.channels.whatsapp import WhatsAppChannel, normalize_phone
from tests.integration.delivery.servers import FakeWhatsApp, free_port, start_smtp

MID = make_message_id("default", "C001:EUR:reminder_1:1", "example.com")


def msg(**kw: object) -> OutboundMessage:
    base: dict[str, object] = {
        "channel": "email", "recipient": "ap@customer.example", "recipient_name": "Ana López",
        "subject": "Facturas vencidas: 1.234,56\u00a0€", "text": "Hola\n", "html": "<p>Hola</p>",
        "language": "es_ES", "template": "reminder_1", "message_id": MID, "idempotency_key": "C001:EUR:reminder_1:1"}
    base.update(kw)
    return OutboundMessage(**base)  # type: ignore[arg-type]


def test_message_id_is_deterministic_and_tenant_scoped() -> None:
    assert make_message_id("default", "C001:EUR:reminder_1:1", "example.com") == MID
    assert make_message_id("other", "C001:EUR:reminder_1:1", "example.com") != MID
    assert MID.startswith("<cobro.default.") and MID.endswith("@example.com>")


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://127.0.0.1:2525", ("smtp", "127.0.0.1", 2525, "", "")),
    ("smtps://mail.example.com", ("smtps", "mail.example.com", 465, "", "")),
    ("smtp+starttls://user%40x:p%3Ass@mail.example.com:587", ("smtp+starttls", "mail.example.com", 587, "user@x",
                                                             "p:ss")),
])
def test_parse_smtp_url(url: str, expected: tuple[object, ...]) -> None:
    cfg = parse_smtp_url(url)
    assert (cfg.scheme, cfg.host, cfg.port, cfg.username, cfg.password) == expected


@pytest.mark.parametrize("url", ["http://x", "smtp://", "smtp://h:notaport"])
def test_bad_smtp_url(url: str) -> None:
    with pytest.raises(SmtpUrlError):
        parse_smtp_url(url)


def test_email_round_trip_with_attachment() -> None:
    controller, sink = start_smtp()
    try:
        channel = EmailChannel(f"smtp://127.0.0.1:{controller.port}", "Cobros <cobros@example.com>")
        pdf = Attachment("final_notice.pdf", b"%PDF-1.3 test")
        first = channel.send(msg(attachments=(pdf,)))
        second = channel.send(msg(recipient="other@customer.example"))  # reuses the connection
        channel.close()
    finally:
        controller.stop()
    assert first.ok and first.provider_id == MID and second.ok
    received = sink.messages[0]
    assert received["Message-ID"] == MID and received["Subject"] == "Facturas vencidas: 1.234,56\u00a0€"
    parts = {p.get_content_type(): p for p in received.walk()}
    assert "text/html" in parts and parts["application/pdf"].get_filename() == "final_notice.pdf"
    assert parts["application/pdf"].get_content() == b"%PDF-1.3 test"


def test_email_server_down_is_transient_and_bad_address_is_permanent() -> None:
    channel = EmailChannel(f"smtp://127.0.0.1:{free_port()}", "cobros@example.com", timeout=2)
    down = channel.send(msg())
    assert not down.ok and down.unavailable and not down.permanent_failure
    bad = channel.send(msg(recipient="not an address"))
    assert bad.permanent_failure and bad.bounce
    assert build_email(msg(), "cobros@example.com")["Message-ID"] == MID


def test_whatsapp_text_and_template_shapes() -> None:
    with FakeWhatsApp() as api:
        text = WhatsAppChannel(api.base_url, "test-token", "1234567890")
        sent = text.send(msg(channel="whatsapp", recipient="+34 600 11 12 22", text="Hola, recordatorio\n"))
        tpl = WhatsAppChannel(api.base_url, "test-token", "1234567890", mode="template")
        sent2 = tpl.send(msg(channel="whatsapp", recipient="0034600111222", template="whatsapp_reminder",
                             params=("Ana", "Suministros", "1.234,56 €", "2")))
        text.close()
        tpl.close()
    assert sent.ok and sent.provider_id == "wamid.TEST0001" and sent2.ok
    first, second = api.requests
    assert first["path"] == "/v21.0/1234567890/messages" and first["auth"] == "Bearer test-token"
    assert first["body"] == {"messaging_product": "whatsapp", "recipient_type": "individual",
                             "to": "34600111222", "type": "text",
                             "text": {"preview_url": False, "body": "Hola, recordatorio"},
                             "biz_opaque_callback_data": MID}
    assert second["body"]["type"] == "template"
    assert second["body"]["template"]["name"] == "whatsapp_reminder"
    assert second["body"]["template"]["language"] == {"code": "es_ES"}
    assert [p["text"] for p in second["body"]["template"]["components"][0]["parameters"]] == \
        ["Ana", "Suministros", "1.234,56 €", "2"]


def test_whatsapp_errors_are_classified() -> None:
    with FakeWhatsApp() as api:
        api.fail_to["34600000001"] = (400, {"error": {"code": 131026, "message": "Message undeliverable"}})
        api.fail_to["34600000002"] = (500, {"error": {"code": 1, "message": "boom"}})
        ok_channel = WhatsAppChannel(api.base_url, "test-token", "1")
        undeliverable = ok_channel.send(msg(channel="whatsapp", recipient="+34600000001"))
        server_error = ok_channel.send(msg(channel="whatsapp", recipient="+34600000002"))
        unauthorised = WhatsAppChannel(api.base_url, "wrong", "1").send(msg(channel="whatsapp",
                                                                            recipient="+34600111222"))
    assert undeliverable.permanent_failure and undeliverable.bounce and "131026" in undeliverable.error
    assert not server_error.ok and not server_error.permanent_failure
    assert unauthorised.unavailable and not unauthorised.permanent_failure
    assert WhatsAppChannel("http://127.0.0.1:9", "t", "1").send(msg(channel="whatsapp",
                                                                    recipient="+34600111222")).unavailable
    assert normalize_phone("+34 (600) 11-12-22") == "34600111222"


def test_sms_gateway_and_log_sink(tmp_path: Path) -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json={"id": "sms-1"})

    channel = HttpSmsChannel("https://sms.example/send", "tok", client=httpx.Client(transport=httpx.MockTransport(handler)))
    result = channel.send(msg(channel="sms", recipient="+34 600 111 222", text="Recordatorio\n"))
    assert result.ok and result.provider_id == "sms-1"
    assert seen == [{"to": "+34600111222", "text": "Recordatorio", "reference": MID}]
    log = LogSmsChannel(tmp_path / "sms.jsonl")
    assert log.send(msg(channel="sms", recipient="+34600111222")).ok
    assert json.loads((tmp_path / "sms.jsonl").read_text())["reference"] == MID


def test_letter_is_written_atomically_and_idempotently(tmp_path: Path) -> None:
    channel = LetterChannel(tmp_path)
    letter = msg(channel="letter", recipient="", attachments=(Attachment("l.pdf", b"%PDF-1 a"),))
    first, again = channel.send(letter), channel.send(letter)
    assert first.ok and first.provider_id == again.provider_id
    assert [p.name for p in tmp_path.iterdir()] == [Path(first.provider_id).name]
    assert not channel.send(msg(channel="letter", recipient="")).ok
