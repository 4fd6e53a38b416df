"""The terms letter is queued once per customer, terms and day, renders in Spanish, and lands on the timeline."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from collections_builder import Ledger  # type: ignore[import-not-found]
from sqlalchemy import select

from cobro.collections.records import TimelineEventRow
from cobro.collections.service.terms import send_terms_letter
from cobro.delivery.channels.compose import template_variables
from cobro.delivery.channels.render import Renderer
from cobro.delivery.records import OutboxMessageRow
from cobro.delivery.schemas import OutboxMessage, read_context
from cobro.platform.container import Container

# The standard policy with another fixed compensation (and a second currency) in `late_payment`.
POLICY_55 = (Path(__file__).resolve().parents[3] / "examples" / "policies" / "standard.yaml").read_text().replace(
    'compensation: {EUR: "40.00"}', 'compensation: {EUR: "55.00", GBP: "35.00"}')


def _letter(container: Container, code: str) -> OutboxMessageRow:
    with container.uow() as uow:
        return uow.session.scalars(select(OutboxMessageRow).where(
            OutboxMessageRow.idempotency_key.like(f"terms:{code}:%"))).one()


def _render(row: OutboxMessageRow, language: str = "es") -> str:
    message = OutboxMessage(channel=row.channel, template=row.template, idempotency_key=row.idempotency_key,
                            context=read_context(row.context_json), recipient=row.recipient,
                            recipient_name=row.recipient_name, language=row.language, tone=row.tone)
    return Renderer().render(row.template, language, template_variables(message)).text


def test_terms_letter_is_queued_once_and_renders(container: Container) -> None:
    ledger = Ledger(container)
    cid = ledger.customer("T1")
    day = dt.date(2025, 3, 3)
    with container.uow() as uow:
        first = send_terms_letter(uow, "T1", today=day, rates=container.rates)
        again = send_terms_letter(uow, "T1", today=day, rates=container.rates)
        uow.commit()
        assert first.id == again.id
        rows = list(uow.session.scalars(select(OutboxMessageRow).where(OutboxMessageRow.template == "terms_letter")))
        events = list(uow.session.scalars(select(TimelineEventRow).where(TimelineEventRow.customer_id == cid)))
    assert len(rows) == 1
    row = rows[0]
    assert (row.channel, row.recipient, row.status) == ("email", "ana@example.com", "pending")
    context = json.loads(row.context_json)
    assert context["terms"] == {"description": "net 30", "days": 30}
    assert context["interest"] == {"rate": "11.15"}  # Ley 3/2004 rate for 2025 H1 in the shipped table
    text = _render(row)
    assert "30 días" in text
    assert "11,15" in text
    assert "40,00" in text  # no policy stored: the statutory compensation for a Spanish customer
    assert [e.kind for e in events] == ["terms.sent"]


def test_terms_letter_states_the_policys_compensation(container: Container) -> None:
    ledger = Ledger(container)
    ledger.policy(POLICY_55)
    ledger.customer("T1")
    with container.uow() as uow:
        send_terms_letter(uow, "T1", today=dt.date(2025, 3, 3), rates=container.rates)
        uow.commit()
    row = _letter(container, "T1")
    context = json.loads(row.context_json)
    assert context["compensation"] == {"amount": "55.00", "currency": "EUR"}
    assert context["state_compensation"] is True
    text = _render(row)
    assert "55,00\u00a0€ por factura vencida" in text and "40,00" not in text
    assert "€55.00 per overdue invoice" in _render(row, "en")


def test_terms_letter_compensation_in_the_customers_currency_or_none(container: Container) -> None:
    ledger = Ledger(container)
    uk_policy = POLICY_55.replace("policy: standard", "policy: uk").replace(
        'compensation: {EUR: "55.00", GBP: "35.00"}', 'compensation: {GBP: "35.00"}')
    ledger.policy(uk_policy, segment="uk")
    ledger.policy(POLICY_55.replace('compensation: {EUR: "55.00", GBP: "35.00"}', "compensation: {}"))
    ledger.customer("UK1", segment="uk")
    ledger.customer("NONE")
    with container.uow() as uow:
        send_terms_letter(uow, "UK1", today=dt.date(2025, 3, 3), rates=container.rates)
        send_terms_letter(uow, "NONE", today=dt.date(2025, 3, 3), rates=container.rates)
        uow.commit()
    uk = json.loads(_letter(container, "UK1").context_json)
    assert uk["compensation"] == {"amount": "35.00", "currency": "GBP"} and uk["state_compensation"] is True
    # A policy that claims no compensation: the letter states none (it used to say EUR 40 regardless).
    none = _letter(container, "NONE")
    assert "compensation" not in json.loads(none.context_json)
    assert json.loads(none.context_json)["state_compensation"] is False
    text = _render(none)
    assert "Indemnización" not in text and "40,00" not in text
