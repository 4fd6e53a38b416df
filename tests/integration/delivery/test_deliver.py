"""`cobro outbox deliver` against a real SMTP server (aiosmtpd), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.collections.records import TimelineEventRow
from cobro.delivery.records import ChannelOptOutRow, ContactPointStatusRow, DeliveryEventRow, OutboxMessageRow
from cobro.delivery.schemas import context_json
from cobro.delivery.service.deliver import Deliverer, backoff, make_deliverer
from cobro.platform.container import Container
from cobro.platform.settings import Settings
from tests.integration.delivery.builders import CONTEXT, add_messages, add_raw_message, statuses
from tests.integration.delivery.servers import free_port, start_smtp

runner = CliRunner()
T0 = dt.datetime(2026, 2, 21, 9, 0, tzinfo=dt.UTC)


@dataclass
class MovableClock:
    at: dt.datetime

    def now(self) -> dt.datetime:
        return self.at

    def today(self) -> dt.date:
        return self.at.date()


@pytest.fixture
def smtp() -> Iterator[tuple[int, object]]:
    controller, sink = start_smtp()
    yield controller.port, sink
    controller.stop()


def deliverer(container: Container, smtp_url: str, clock: MovableClock, **delivery: object) -> Deliverer:
    settings = Settings(database_url=str(container.engine.url), smtp_url=smtp_url).model_copy(update=delivery)
    return make_deliverer(settings=settings, sessions=container.sessions, clock=clock)


def test_cli_delivers_each_message_exactly_once(container: Container, cli_env: dict[str, str],
                                                smtp: tuple[int, object], monkeypatch: pytest.MonkeyPatch) -> None:
    port, sink = smtp
    monkeypatch.setenv("COBRO_SMTP_URL", f"smtp://127.0.0.1:{port}")
    ids = add_messages(container.sessions, 5)

    first = runner.invoke(app, ["outbox", "deliver", "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["sent"] == 5
    again = runner.invoke(app, ["outbox", "deliver", "--json"])
    assert json.loads(again.output)["claimed"] == 0

    received = sink.message_ids  # type: ignore[attr-defined]
    assert len(received) == 5 and len(set(received)) == 5
    with container.sessions() as session:
        rows = session.scalars(select(OutboxMessageRow).order_by(OutboxMessageRow.id)).all()
        assert [r.status for r in rows] == ["sent"] * 5
        assert sorted(r.message_id for r in rows) == sorted(received)
        assert all(r.message_id.startswith("<cobro.default.") and r.message_id.endswith("@example.com>")
                   for r in rows)
        assert session.scalar(select(func.count()).select_from(TimelineEventRow)) == 5
        kinds = session.scalars(select(DeliveryEventRow.kind)).all()
        assert kinds == ["sent"] * 5
    # Spanish and English bodies, with Babel-formatted money.
    bodies = [m.get_body(("plain",)).get_content() for m in sink.messages]  # type: ignore[attr-defined]
    assert any("1.234,56\u00a0€" in b for b in bodies) and any("€1,234.56" in b for b in bodies)
    listed = runner.invoke(app, ["outbox", "list", "--json", "--status", "sent"])
    assert [m["id"] for m in json.loads(listed.output)["messages"]] == ids


def test_smtp_down_delays_without_losing_or_duplicating(container: Container) -> None:
    port = free_port()  # nothing listens here yet
    clock = MovableClock(T0)
    ids = add_messages(container.sessions, 4)
    report = deliverer(container, f"smtp://127.0.0.1:{port}", clock).deliver()
    assert report.sent == [] and report.dead == []
    state = statuses(container.sessions)
    # One message was tried and backs off; the rest were not even tried once SMTP was known to be down.
    assert state[ids[0]][0] == "failed" and state[ids[0]][1] == 1 and "SMTP unavailable" in state[ids[0]][2]
    assert all(state[i][:2] == ("pending", 0) for i in ids[1:])
    with container.sessions() as session:
        retry_at = session.scalar(select(OutboxMessageRow.next_attempt_at).where(OutboxMessageRow.id == ids[0]))
    assert retry_at is not None and retry_at.replace(tzinfo=dt.UTC) == T0 + backoff(1, 60, 6 * 3600)

    # Still down and not yet due: nothing happens, nothing is counted.
    assert deliverer(container, f"smtp://127.0.0.1:{port}", clock).deliver().claimed == 0

    controller, sink = start_smtp(port)
    try:
        clock.at = T0 + dt.timedelta(minutes=2)
        report = deliverer(container, f"smtp://127.0.0.1:{port}", clock).deliver()
    finally:
        controller.stop()
    assert sorted(report.sent) == ids
    assert len(sink.message_ids) == 4 and len(set(sink.message_ids)) == 4
    assert {s for s, _, _ in statuses(container.sessions).values()} == {"sent"}


def test_template_error_dead_letters_only_that_message(container: Container, smtp: tuple[int, object],
                                                       cli_env: dict[str, str]) -> None:
    port, sink = smtp
    good = add_messages(container.sessions, 1)
    broken = json.loads(context_json(CONTEXT))
    del broken["creditor"]
    bad = [add_raw_message(container.sessions, json.dumps(broken))]
    unknown = add_messages(container.sessions, 1, template="reminder_9")
    more = add_messages(container.sessions, 1)
    report = deliverer(container, f"smtp://127.0.0.1:{port}", MovableClock(T0)).deliver()
    assert sorted(report.sent) == good + more
    assert sorted(report.dead) == bad + unknown
    state = statuses(container.sessions)
    assert state[bad[0]][0] == "dead" and "render error" in state[bad[0]][2] and "creditor" in state[bad[0]][2]
    assert state[unknown[0]][0] == "dead" and "reminder_9" in state[unknown[0]][2]
    assert len(sink.message_ids) == 2  # type: ignore[attr-defined]

    retried = runner.invoke(app, ["outbox", "retry", str(bad[0])])
    assert retried.exit_code == 0, retried.output
    assert statuses(container.sessions)[bad[0]][:2] == ("pending", 0)
    assert runner.invoke(app, ["outbox", "retry", str(good[0])]).exit_code == 2  # sent rows stay sent


def test_refused_recipient_is_a_bounce_and_later_messages_are_skipped(container: Container,
                                                                     smtp: tuple[int, object]) -> None:
    port, sink = smtp
    sink.refuse.add("gone@customer.example")  # type: ignore[attr-defined]
    bounced = add_messages(container.sessions, 1, recipient="gone@customer.example")
    report = deliverer(container, f"smtp://127.0.0.1:{port}", MovableClock(T0)).deliver()
    assert report.dead == bounced
    later = add_messages(container.sessions, 1, recipient="Gone@customer.example")
    report = deliverer(container, f"smtp://127.0.0.1:{port}", MovableClock(T0)).deliver()
    assert report.skipped == later
    with container.sessions() as session:
        kinds = session.scalars(select(DeliveryEventRow.kind).order_by(DeliveryEventRow.id)).all()
        assert kinds == ["bounce", "invalid_address"]
        # a hard bounce marks the address invalid (wrong data), which is not an opt-out
        point = session.scalars(select(ContactPointStatusRow)).one()
        assert (point.kind, point.address, point.source) == ("email", "gone@customer.example", "bounce")
        assert session.scalar(select(ChannelOptOutRow.id)) is None
    assert sink.message_ids == []  # type: ignore[attr-defined]


def test_manual_opt_out_and_unconfigured_channel(container: Container, cli_env: dict[str, str],
                                                 smtp: tuple[int, object], tmp_path: Path) -> None:
    port, _ = smtp
    assert runner.invoke(app, ["outbox", "opt-out", "email", "ap0@customer.example"]).exit_code == 0
    skipped = add_messages(container.sessions, 1)
    sms = add_messages(container.sessions, 1, channel="sms", recipient="+34 600 111 222")
    report = deliverer(container, f"smtp://127.0.0.1:{port}", MovableClock(T0), letter_dir=tmp_path).deliver()
    assert report.skipped == skipped and report.dead == sms
    assert "not configured" in statuses(container.sessions)[sms[0]][2]


def test_letters_are_written_once_as_pdf(container: Container, tmp_path: Path) -> None:
    ids = add_messages(container.sessions, 2, channel="letter", template="final_notice", recipient="")
    report = deliverer(container, "", MovableClock(T0), letter_dir=tmp_path).deliver()
    assert sorted(report.sent) == ids
    files = sorted(tmp_path.glob("*.pdf"))
    assert len(files) == 2 and all(f.read_bytes().startswith(b"%PDF-") for f in files)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_auth(container: Container) -> None:
    controller, sink = start_smtp(auth=("cobro", "s3cret"))
    try:
        add_messages(container.sessions, 1)
        bad = deliverer(container, f"smtp://cobro:wrong@127.0.0.1:{controller.port}", MovableClock(T0)).deliver()
        assert bad.retried and "authentication" in next(iter(bad.errors.values()))
        later = MovableClock(T0 + dt.timedelta(hours=1))
        ok = deliverer(container, f"smtp://cobro:s3cret@127.0.0.1:{controller.port}", later).deliver()
        assert len(ok.sent) == 1 and len(sink.message_ids) == 1
    finally:
        controller.stop()
