"""Deliver only what is still true (issue 14, break 1): cycle → payments → delivery, on SQLite and PostgreSQL.

The cycle plans e-mails and letters; then some invoices are paid in full, some in part, some put on hold or
disputed; delivery then sends nothing for what is paid: e-mails whose items are all gone are cancelled, e-mails
with some left are re-rendered with the rest, letters with anything changed are cancelled (and planned again by
the next cycle), each cancellation on the customer's timeline.  A real SMTP sink (aiosmtpd) receives the mail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cobro.collections.records import CollectionActionRow, TimelineEventRow
from cobro.collections.service import holds
from cobro.collections.service.cycle import run_cycle
from cobro.delivery.records import DeliveryEventRow, OutboxMessageRow
from cobro.delivery.service.deliver import Deliverer, make_deliverer
from cobro.ledger.records import CustomerRow
from cobro.platform.container import Container
from cobro.platform.settings import Settings
from tests.integration.collections.collections_builder import POLICY, Ledger
from tests.integration.delivery.servers import SmtpSink, start_smtp
from tests.integration.delivery.test_deliver import MovableClock

D = dt.date
AS_OF = D(2025, 10, 6)  # a Monday: reminder_1 is due for invoices due on 1 Oct, the formal letter for mid-August
NOW = dt.datetime(2025, 10, 6, 6, 0, tzinfo=dt.UTC)
REMINDER_DUE, LETTER_DUE = D(2025, 10, 1), D(2025, 8, 15)


@pytest.fixture
def sink() -> Iterator[tuple[int, SmtpSink]]:
    controller, smtp = start_smtp()
    yield controller.port, smtp
    controller.stop()


@pytest.fixture
def book(container: Container) -> Ledger:
    b = Ledger(container)
    # the formal letters below are first actions: let a case with no earlier action enter there
    b.policy(POLICY.read_text() + "onboarding: {entry_step: formal_letter}\n")
    return b


def cycle(container: Container, day: dt.date = AS_OF) -> dict[str, Any]:
    with container.uow() as uow:
        result = run_cycle(uow, as_of=day, now=dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC),
                           rates=container.rates)
        uow.commit()
    return result.as_dict()


def deliverer(container: Container, port: int, letters: Path, **kw: Any) -> Deliverer:
    settings = Settings(database_url=str(container.engine.url), smtp_url=f"smtp://127.0.0.1:{port}",
                        letter_dir=letters)
    return make_deliverer(settings=settings, sessions=container.sessions,
                          clock=MovableClock(NOW + dt.timedelta(hours=3)), **kw)


def outbox(container: Container) -> dict[str, OutboxMessageRow]:
    """Outbox rows by customer code (one message each in these tests)."""
    with container.sessions() as session:
        rows = session.execute(select(OutboxMessageRow, CustomerRow.code)
                               .join(CollectionActionRow, CollectionActionRow.id == OutboxMessageRow.action_id)
                               .join(CustomerRow, CustomerRow.id == CollectionActionRow.customer_id)).all()
        session.expunge_all()
    return {code: row for row, code in rows}


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def sends_for_paid(messages: list[EmailMessage], paid: set[str]) -> int:
    """(message, invoice) pairs where a message that left names an invoice paid in full before it left."""
    return sum(f" {number}" in body(m) or f"{number} " in body(m) or f"{number}\n" in body(m)
               for m in messages for number in paid)


def timeline(container: Container, kind: str) -> dict[str, str]:
    with container.sessions() as session:
        rows = session.execute(select(CustomerRow.code, TimelineEventRow.summary)
                               .join(CustomerRow, CustomerRow.id == TimelineEventRow.customer_id)
                               .where(TimelineEventRow.kind == kind)).all()
        return {str(code): str(summary) for code, summary in rows}


def test_nothing_is_sent_for_what_was_paid_after_the_cycle(container: Container, book: Ledger,
                                                           sink: tuple[int, SmtpSink], tmp_path: Path) -> None:
    port, smtp = sink
    ids = {code: book.customer(code) for code in ("PAID", "HALF", "PART", "KEEP", "HOLD", "DISP", "LPAID", "LPART")}
    for code in ("PAID", "HALF", "PART", "KEEP", "HOLD", "DISP"):
        book.invoice(ids[code], f"{code}-1", REMINDER_DUE, "1000.00")
    for code in ("PAID", "HALF"):
        book.invoice(ids[code], f"{code}-2", REMINDER_DUE, "500.00")
    book.invoice(ids["LPAID"], "LPAID-1", LETTER_DUE, "200.00")
    book.invoice(ids["LPART"], "LPART-1", LETTER_DUE, "200.00")
    book.invoice(ids["LPART"], "LPART-2", LETTER_DUE, "150.00")

    planned = {a["customer"]: a["channel"] for a in cycle(container)["actions"]}
    assert planned == {"PAID": "email", "HALF": "email", "PART": "email", "KEEP": "email", "HOLD": "email",
                       "DISP": "email", "LPAID": "letter_pdf", "LPART": "letter_pdf"}

    # After the cycle committed, before delivery: payments in full and in part, a hold and a dispute.
    pay_day = AS_OF
    book.pay(ids["PAID"], "PAID-1", "1000.00", pay_day)
    book.pay(ids["PAID"], "PAID-2", "500.00", pay_day)
    book.pay(ids["HALF"], "HALF-2", "500.00", pay_day)
    book.pay(ids["PART"], "PART-1", "400.00", pay_day)
    book.pay(ids["LPAID"], "LPAID-1", "200.00", pay_day)
    book.pay(ids["LPART"], "LPART-2", "150.00", pay_day)
    with container.uow() as uow:
        holds.add_hold(uow, customer="HOLD", reason="restructuring talks", today=AS_OF)
        holds.open_dispute(uow, customer="DISP", invoices=["DISP-1"], reason_code="quality", today=AS_OF)
        uow.commit()
    paid = {"PAID-1", "PAID-2", "HALF-2", "LPAID-1", "LPART-2"}

    report = deliverer(container, port, tmp_path / "letters").deliver()

    rows = outbox(container)
    status = {code: row.status for code, row in rows.items()}
    assert status == {"PAID": "cancelled", "HALF": "sent", "PART": "sent", "KEEP": "sent", "HOLD": "cancelled",
                      "DISP": "cancelled", "LPAID": "cancelled", "LPART": "cancelled"}
    assert sorted(report.cancelled) == sorted(rows[c].id for c in ("PAID", "HOLD", "DISP", "LPAID", "LPART"))
    assert sorted(report.rewritten) == sorted(rows[c].id for c in ("HALF", "PART"))
    # The reasons say what happened to each item.
    assert "PAID-1/1 paid or credited" in rows["PAID"].last_error and "PAID-2/1" in rows["PAID"].last_error
    assert "hold #" in rows["HOLD"].last_error and "dispute #" in rows["DISP"].last_error
    assert "no longer true as printed" in rows["LPART"].last_error

    # What left: three e-mails (HALF and PART re-rendered), no letter at all, nothing naming a paid invoice.
    assert len(smtp.messages) == 3
    assert sends_for_paid(smtp.messages, paid) == 0
    assert not (tmp_path / "letters").exists() or not list((tmp_path / "letters").iterdir())
    half = json.loads(rows["HALF"].context_json)
    assert [i["invoice"] for i in half["items"]] == ["HALF-1"] and half["total"]["amount"] == "1000.00"
    part = json.loads(rows["PART"].context_json)
    assert part["items"][0]["open"] == "600.00" and part["total"]["amount"] == "600.00"
    bodies = {m["Message-ID"]: body(m) for m in smtp.messages}
    assert "HALF-1" in bodies[rows["HALF"].message_id] and "HALF-2" not in bodies[rows["HALF"].message_id]
    assert "600,00" in bodies[rows["PART"].message_id] and "1.000,00" not in bodies[rows["PART"].message_id]
    assert json.loads(rows["KEEP"].context_json)["total"]["amount"] == "1000.00"

    # Each cancellation is on the customer's timeline; the re-renders are in the delivery log.
    cancelled = {**timeline(container, "email_cancelled"), **timeline(container, "letter_cancelled")}
    assert sorted(cancelled) == ["DISP", "HOLD", "LPAID", "LPART", "PAID"]
    assert all("not sent" in s for s in cancelled.values())
    with container.sessions() as session:
        kinds = {r.outbox_id: r.kind for r in session.scalars(select(DeliveryEventRow))
                 if r.kind in ("rewritten", "cancelled")}
        actions = {a.id: a.status for a in session.scalars(select(CollectionActionRow))}
    assert kinds == {**{rows[c].id: "cancelled" for c in ("PAID", "HOLD", "DISP", "LPAID", "LPART")},
                     **{rows[c].id: "rewritten" for c in ("HALF", "PART")}}
    assert {rows[c].action_id: actions[rows[c].action_id] for c in rows} == {
        rows[c].action_id: ("cancelled" if status[c] == "cancelled" else "planned") for c in rows}

    # A second delivery finds nothing to do: cancelled rows are not claimable.
    assert deliverer(container, port, tmp_path / "letters").deliver().claimed == 0


def test_a_cancelled_letter_is_planned_afresh_by_the_next_cycle(container: Container, book: Ledger,
                                                                sink: tuple[int, SmtpSink], tmp_path: Path) -> None:
    port, _smtp = sink
    c = book.customer("LPART")
    book.invoice(c, "LPART-1", LETTER_DUE, "200.00")
    book.invoice(c, "LPART-2", LETTER_DUE, "150.00")
    assert [a["step"] for a in cycle(container)["actions"]] == ["formal_letter"]
    book.pay(c, "LPART-2", "150.00", AS_OF)
    first = deliverer(container, port, tmp_path / "letters").deliver()
    assert len(first.cancelled) == 1 and first.sent == []

    again = cycle(container, AS_OF + dt.timedelta(days=1))["actions"]
    assert [(a["step"], [i["invoice"] for i in a["items"]]) for a in again] == [("formal_letter", ["LPART-1"])]
    second = deliverer(container, port, tmp_path / "letters").deliver()
    assert len(second.sent) == 1 and second.cancelled == []
    assert len(list((tmp_path / "letters").glob("*.pdf"))) == 1
    with container.sessions() as session:
        keys = {r.status: r.idempotency_key for r in session.scalars(select(OutboxMessageRow))}
        action = session.scalars(select(CollectionActionRow)).one()
    assert keys["sent"] == "LPART:EUR:formal_letter:1" and keys["cancelled"].startswith("LPART:EUR:formal_letter:1#")
    assert action.status == "planned" and json.loads(action.items_json) != []


def test_a_payment_committed_between_claim_and_send_stops_the_message(container: Container, book: Ledger,
                                                                       sink: tuple[int, SmtpSink],
                                                                       tmp_path: Path) -> None:
    port, smtp = sink
    ids = {code: book.customer(code) for code in ("A", "B", "C")}
    for code, customer in ids.items():
        book.invoice(customer, f"{code}-1", REMINDER_DUE, "300.00")
    assert len(cycle(container)["actions"]) == 3
    stages: list[str] = []

    def pay_once_claimed(stage: str, _sends: int) -> None:
        # The whole batch is committed "sending" and nothing has left yet: B pays in full, C in part.
        if stage == "after_claim" and "after_claim" not in stages:
            book.pay(ids["B"], "B-1", "300.00", AS_OF)
            book.pay(ids["C"], "C-1", "100.00", AS_OF)
        stages.append(stage)

    report = deliverer(container, port, tmp_path / "letters", crash_hook=pay_once_claimed).deliver()
    assert report.claimed == 3 and "after_claim" in stages
    status = {code: row.status for code, row in outbox(container).items()}
    assert status == {"A": "sent", "B": "cancelled", "C": "sent"}
    assert len(smtp.messages) == 2 and sends_for_paid(smtp.messages, {"B-1"}) == 0
    assert any("200,00" in body(m) for m in smtp.messages)  # C's reminder says what is still open
