"""Webhooks end to end against a receiver on loopback that checks every signature: nothing is sent for a change
that rolled back; a 500 is retried later; deliveries of one entity arrive in order; a receiver that never answers
is given up on and its subscription disabled; the delivery log tells what happened."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.kernel.errors import InvalidInputError
from cobro.platform.container import Container
from cobro.webhooks import domain, service
from cobro.webhooks.sender import WebhookSender

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that verifies signatures and answers with the statuses it is told to."""

    def __init__(self) -> None:
        self.secret = ""
        self.now = T0
        self.statuses: list[int] = []  # answers to give, in order; then 200
        self.received: list[dict[str, object]] = []
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                if not domain.verify(receiver.secret, headers, body, receiver.now):
                    receiver.bad_signatures += 1
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if status == 200:
                    receiver.received.append({"id": headers["webhook-id"], **json.loads(body)})
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> dt.datetime:
        return self.at


def _subscribe(container: Container, receiver: Receiver, events: list[str]) -> int:
    with container.uow() as uow:
        created = service.subscribe(uow, url=receiver.url, events=events)
        uow.commit()
    receiver.secret = created.secret
    return created.subscription.id


def _emit(container: Container, event: str, entity: str, data: dict[str, object], *, commit: bool = True) -> None:
    with container.uow() as uow:
        service.emit(uow, event, entity=entity, data=data, at=T0)
        if commit:
            uow.commit()


def test_signed_delivery_after_commit_only(container: Container, receiver: Receiver) -> None:
    _subscribe(container, receiver, ["dispute.opened"])
    clock = Clock()
    sender = WebhookSender(container.sessions, now=clock)
    _emit(container, "dispute.opened", "dispute:1", {"id": 1}, commit=False)  # rolled back
    _emit(container, "promise.created", "promise:1", {"id": 1})  # not subscribed
    assert sender.deliver().delivered == 0 and receiver.received == []
    _emit(container, "dispute.opened", "dispute:2", {"id": 2, "amount": "120.50"})
    report = sender.deliver()
    assert report.delivered == 1 and receiver.bad_signatures == 0
    [got] = receiver.received
    assert got["type"] == "dispute.opened" and got["data"] == {"id": 2, "amount": "120.50"}
    assert sender.deliver().delivered == 0  # delivered once


def test_failures_are_retried_in_order_per_entity(container: Container, receiver: Receiver) -> None:
    _subscribe(container, receiver, ["*"])
    clock = Clock()
    sender = WebhookSender(container.sessions, now=clock)
    receiver.statuses = [500]
    for n in (1, 2, 3):
        _emit(container, "promise.created" if n == 1 else "promise.kept", "promise:7", {"step": n})
    _emit(container, "dispute.opened", "dispute:9", {"step": 0})
    first = sender.deliver()
    # promise:7's first delivery failed, so its two later events wait; dispute:9 is another entity and goes
    assert (first.delivered, first.retrying) == (1, 1)
    assert [r["data"] for r in receiver.received] == [{"step": 0}]
    assert sender.deliver().delivered == 0  # not yet due again
    clock.at = receiver.now = T0 + dt.timedelta(minutes=5)
    again = sender.deliver()
    assert again.delivered == 3
    assert [r["data"] for r in receiver.received][1:] == [{"step": 1}, {"step": 2}, {"step": 3}]
    with container.uow() as uow:
        log = service.deliveries(uow)
    assert {d.status for d in log} == {"delivered"}
    assert max(d.attempts for d in log) == 2


def test_a_dead_endpoint_is_given_up_and_disabled(container: Container, receiver: Receiver) -> None:
    sub = _subscribe(container, receiver, ["dispute.opened"])
    clock = Clock()
    sender = WebhookSender(container.sessions, now=clock)
    receiver.statuses = [503] * (domain.MAX_ATTEMPTS * domain.DISABLE_AFTER_DEAD)
    for n in range(domain.DISABLE_AFTER_DEAD):
        _emit(container, "dispute.opened", f"dispute:{n}", {"n": n})
    disabled: list[int] = []
    for _ in range(domain.MAX_ATTEMPTS):
        disabled += sender.deliver().disabled
        clock.at += domain.MAX_DELAY * 2
        receiver.now = clock.at
    assert disabled == [sub]
    with container.uow() as uow:
        [state] = service.subscriptions(uow)
        dead = service.deliveries(uow, status="dead")
    assert not state.active and "disabled after" in state.disabled_reason
    assert len(dead) == domain.DISABLE_AFTER_DEAD and all(d.attempts == domain.MAX_ATTEMPTS for d in dead)
    _emit(container, "dispute.opened", "dispute:99", {"n": 99})
    assert sender.deliver().delivered == 0  # nothing is queued for a disabled subscription


@pytest.mark.parametrize("url", ["ftp://x", "http://example.com/hook", "https://user:pw@example.com/",
                                 "https://169.254.169.254/latest", "not a url"])
def test_bad_urls_are_refused(container: Container, url: str) -> None:
    with container.uow() as uow, pytest.raises(InvalidInputError, match="url"):
        service.subscribe(uow, url=url, events=["*"])


def test_cli_add_list_and_unknown_events(container: Container, cli_env: dict[str, str], receiver: Receiver) -> None:
    runner = CliRunner()
    added = runner.invoke(app, ["webhook", "add", receiver.url, "--events", "dispute.opened,promise.kept", "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["secret"].startswith("whsec_")
    listed = json.loads(runner.invoke(app, ["webhook", "list", "--json"]).stdout)
    assert listed[0]["events"] == ["dispute.opened", "promise.kept"] and "secret" not in listed[0]
    bad = runner.invoke(app, ["webhook", "add", receiver.url, "--events", "invoice.paid"])
    assert bad.exit_code == 2 and "unknown event type(s) invoice.paid" in bad.output
    assert len(json.loads(runner.invoke(app, ["webhook", "list", "--json"]).stdout)) == 1
