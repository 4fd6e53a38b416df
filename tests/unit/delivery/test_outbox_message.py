"""The typed outbox message: its stored JSON keeps the shape rows always had, and the one parser reads old rows,
refuses floats and names what is missing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from cobro.delivery.schemas import (
    CreditorPart,
    CustomerPart,
    InterestPart,
    MessageContext,
    MessageFormatError,
    MessageItem,
    OutboxMessage,
    OutboxStatus,
    TermsPart,
    context_json,
    read_context,
)
from cobro.kernel.money import Money

CONTEXT = MessageContext(
    customer=CustomerPart("C001", "Ferretería Martínez S.L.", "B12345678"),
    creditor=CreditorPart(name="Suministros Cobro S.A."),
    as_of=dt.date(2026, 3, 21),
    items=(MessageItem("F-1", 1, dt.date(2026, 1, 10), dt.date(2026, 2, 9), 40, Decimal("1234.56"), "EUR"),
           MessageItem("F-2", 2, dt.date(2026, 2, 1), dt.date(2026, 3, 3), 18, Decimal("20000.00"), "EUR")),
    total=Money(Decimal("21234.56"), "EUR"), step="formal_letter", step_channel="letter_pdf",
    state_interest=True, state_compensation=True, compensation=Money(Decimal("40.00"), "EUR"),
    interest=InterestPart(amount=Decimal("87.12"), currency="EUR", rate=Decimal("10.15")), interest_reference="ES")

# A row as the cycle wrote it before the typed message (json.dumps of a dict): it must still be delivered.
LEGACY = json.dumps({
    "customer": {"code": "C001", "legal_name": "Ferretería Martínez S.L.", "tax_id": "B12345678"},
    "items": [{"invoice": "F-1", "seq": 1, "issue_date": "2026-01-10", "due_date": "2026-02-09",
               "days_past_due": 40, "open": "1234.56", "currency": "EUR"},
              {"invoice": "F-2", "seq": 2, "issue_date": "2026-02-01", "due_date": "2026-03-03",
               "days_past_due": 18, "open": "20000.00", "currency": "EUR"}],
    "total": {"amount": "21234.56", "currency": "EUR"}, "step": "formal_letter", "channel": "letter_pdf",
    "tone": "formal", "as_of": "2026-03-21", "state_interest": True, "state_compensation": True,
    "compensation": {"amount": "40.00", "currency": "EUR", "per_invoice": True},
    "interest": {"amount": "87.12", "currency": "EUR", "rate": "10.15"}, "interest_reference": "ES",
    "creditor": {"name": "Suministros Cobro S.A.", "tax_id": "", "address": "", "iban": ""},
}, ensure_ascii=False)


def test_round_trip() -> None:
    assert read_context(context_json(CONTEXT)) == CONTEXT


def test_rows_written_before_the_typed_message_still_read() -> None:
    assert read_context(LEGACY) == CONTEXT


def test_stored_shape() -> None:
    stored = json.loads(context_json(CONTEXT))
    assert stored["total"] == {"amount": "21234.56", "currency": "EUR"}
    assert stored["items"][0] == {"invoice": "F-1", "seq": 1, "issue_date": "2026-01-10", "due_date": "2026-02-09",
                                  "days_past_due": 40, "open": "1234.56", "currency": "EUR"}
    assert stored["channel"] == "letter_pdf" and stored["as_of"] == "2026-03-21"
    assert stored["interest"] == {"amount": "87.12", "currency": "EUR", "rate": "10.15"}
    assert "Ferretería" in context_json(CONTEXT)  # not \\u-escaped
    terms_only = MessageContext(customer=CONTEXT.customer, creditor=CONTEXT.creditor, as_of=CONTEXT.as_of,
                                terms=TermsPart("net 30", days=30), interest=InterestPart(rate=Decimal("11.15")))
    stored = json.loads(context_json(terms_only))
    assert stored["terms"] == {"description": "net 30", "days": 30} and stored["interest"] == {"rate": "11.15"}
    assert "total" not in stored and "compensation" not in stored  # absent parts are left out, not null


@pytest.mark.parametrize(("path", "value", "where"), [
    (("items", 0, "open"), 1234.56, "items.0.open"),
    (("total", "amount"), 21234.56, "total"),
    (("compensation", "amount"), 40.0, "compensation"),
])
def test_float_amounts_are_refused(path: tuple[object, ...], value: float, where: str) -> None:
    raw = json.loads(LEGACY)
    target = raw
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    with pytest.raises(MessageFormatError, match=rf"{where}.*float"):
        read_context(json.dumps(raw))


def test_missing_parts_are_named() -> None:
    raw = json.loads(LEGACY)
    del raw["creditor"]
    raw["items"][1]["due_date"] = "soon"
    with pytest.raises(MessageFormatError) as caught:
        read_context(json.dumps(raw))
    assert "creditor: Field required" in str(caught.value) and "items.1.due_date" in str(caught.value)
    with pytest.raises(MessageFormatError, match="customer"):
        read_context("")


def test_a_message_without_an_address_is_queued_skipped() -> None:
    message = OutboxMessage(channel="email", template="reminder_1", idempotency_key="k", context=CONTEXT)
    assert message.status is OutboxStatus.PENDING
    skipped = OutboxMessage(channel="email", template="reminder_1", idempotency_key="k", context=CONTEXT,
                            skip_reason="no contact with email")
    assert skipped.status is OutboxStatus.SKIPPED
    assert [s.value for s in OutboxStatus] == ["pending", "sending", "sent", "failed", "dead", "skipped",
                                             "cancelled"]
