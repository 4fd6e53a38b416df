"""Demo step: the daily collections cycle over a few simulated weeks, delivered to local sinks.

The standard Spanish policy (shipped in `cobro/data/policies/standard.yaml`) is applied, then the cycle runs
on each simulated business day from the demo's as-of date onwards, and the outbox is delivered after each run to
an SMTP server started here (aiosmtpd on a free local port), a local HTTP server that speaks the WhatsApp Cloud
API's message shape, and letters written as PDF files.  Every e-mail received is saved as an .eml file, so a
new user can open real messages.  Nothing leaves the machine.
"""

from __future__ import annotations

import datetime as dt
import email
import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from cobro.platform.container import Container

SIMULATED_DAYS = 28  # four weeks of daily runs (business days only, as a scheduler would)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_sink(mail_dir: Path) -> Iterator[tuple[str, list[str]]]:
    """An SMTP server on a free local port that saves each message as .eml; yields (url, message ids)."""
    from aiosmtpd.controller import Controller

    mail_dir.mkdir(parents=True, exist_ok=True)
    received: list[str] = []

    class Handler:
        async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
            message = email.message_from_bytes(envelope.content, policy=email_policy.default)
            received.append(str(message.get("Message-ID", "")))
            (mail_dir / f"{len(received):04d}.eml").write_bytes(envelope.content)
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", received
    finally:
        controller.stop()


@contextmanager
def whatsapp_sink(log_path: Path) -> Iterator[str]:
    """A local server answering like the WhatsApp Cloud API's /messages endpoint; logs every request."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            counter["n"] += 1
            with log_path.open("ab") as fh:
                fh.write(body + b"\n")
            reply = json.dumps({"messaging_product": "whatsapp",
                                "messages": [{"id": f"wamid.demo{counter['n']}"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v21.0"
    finally:
        server.shutdown()
        server.server_close()


def collections_step(container: Container, out_dir: Path, as_of: dt.date, console: Console) -> None:
    """Apply the standard policy, run the cycle daily for four simulated weeks and deliver every message."""
    from cobro.collections.service.cycle import run_cycle
    from cobro.collections.service.policy import apply_policy
    from cobro.delivery.service.deliver import make_deliverer
    from cobro.kernel.calendar import HolidayCalendar
    from cobro.kernel.clock import FixedClock
    from cobro.platform.settings import Settings

    tenant = container.settings.tenant
    policy_text = resources.files("cobro.collections.policies").joinpath("standard.yaml").read_text(encoding="utf-8")
    with container.uow() as uow:
        apply_policy(uow, policy_text, user="demo")
        uow.commit()
    calendar = HolidayCalendar("ES")
    days = [as_of + dt.timedelta(days=i) for i in range(SIMULATED_DAYS)]
    days = [d for d in days if calendar.is_business_day(d)]
    planned: Counter[str] = Counter()
    delivered: Counter[str] = Counter()
    rows: list[tuple[str, str, str, str]] = []
    with smtp_sink(out_dir / "mail") as (smtp_url, received), whatsapp_sink(out_dir / "whatsapp.jsonl") as wa_url:
        settings = Settings(database_url=container.settings.database_url, tenant=tenant, smtp_url=smtp_url,
                            smtp_from="cobros@demo.cobro.example", whatsapp_base_url=wa_url,
                            whatsapp_token="demo-token", whatsapp_phone_number_id="100000000000001",
                            letter_dir=out_dir / "letters", sms_log=out_dir / "sms.log")
        for day in days:
            now = dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC)
            with container.uow() as uow:
                result = run_cycle(uow, as_of=day, now=now, rates=container.rates)
                uow.commit()
            by_channel = Counter(str(a["channel"]) for a in result.actions)
            planned.update(by_channel)
            deliverer = make_deliverer(settings=settings, sessions=container.sessions, clock=FixedClock(now))
            report = deliverer.deliver()
            delivered["sent"] += len(report.sent)
            delivered["dead"] += len(report.dead)
            delivered["skipped"] += len(report.skipped)
            delivered["retried"] += len(report.retried)
            rows.append((day.isoformat(), str(len(result.actions)),
                         ", ".join(f"{c} {n}" for c, n in sorted(by_channel.items())) or "-", str(len(report.sent))))
    table = Table(title=f"Collections cycle, {days[0]} to {days[-1]} (business days)")
    for col in ("day", "actions", "by channel", "messages sent"):
        table.add_column(col)
    for row in rows:
        if row[1] != "0":
            table.add_row(*row)
    console.print(table)
    summary = {"days": [d.isoformat() for d in days], "planned_by_channel": dict(planned),
               "delivery": dict(delivered), "emails_received": len(received),
               "distinct_message_ids": len(set(received))}
    (out_dir / "collections.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    console.print(f"{len(received)} e-mails received by the local SMTP sink ({len(set(received))} distinct "
                  f"Message-IDs) in {out_dir / 'mail'}; WhatsApp requests in {out_dir / 'whatsapp.jsonl'}; "
                  f"letters in {out_dir / 'letters'}; dead letters: {delivered['dead']}")
    _show_sample(out_dir / "mail", console)


def _show_sample(mail_dir: Path, console: Console) -> None:
    sample = sorted(mail_dir.glob("*.eml"))
    if not sample:
        return
    message = email.message_from_bytes(sample[-1].read_bytes(), policy=email_policy.default)
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    console.print(f"[bold]Sample:[/] {message['To']} — {message['Subject']}")
    console.print("\n".join(str(text).splitlines()[:12]), highlight=False, markup=False)
