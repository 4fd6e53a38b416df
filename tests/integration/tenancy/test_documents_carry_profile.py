"""Letters, e-mails and evidence packs are the tenant's: its legal identity, bank details, sender and signature;
a document that needs a field the profile lacks says which one and how to set it.  SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "collections"))
from collections_builder import Ledger

from cobro.collections.records import EscalationCaseRow
from cobro.collections.service.cycle import run_cycle
from cobro.collections.service.evidence import evidence_pack
from cobro.collections.service.terms import send_terms_letter
from cobro.delivery.channels.compose import compose
from cobro.delivery.channels.email import build_email
from cobro.delivery.channels.render import Renderer
from cobro.delivery.records import OutboxMessageRow
from cobro.delivery.schemas import OutboxMessage, read_context
from cobro.platform.container import Container
from cobro.tenancy.domain import sniff_logo
from cobro.tenancy.schemas import ProfileChanges
from cobro.tenancy.service import MissingProfileError, update_profile
from tests.unit.tenancy.test_profile_rules import png

PROFILE = ProfileChanges(
    legal_name="Cobros Ibéricos de Prueba SL", trade_name="CobrIbér", tax_id="B58818501", country="ES",
    address_lines=("Calle de Alcalá 100", "3º B"), postal_code="28009", city="Madrid",
    iban="ES7620770024003102575766", payment_reference="{customer}/{invoice}",
    payment_instructions="Para pagos con tarjeta: https://pagos.cobriber.example", sender_name="Cobros CobrIbér",
    sender_email="cobros@cobriber.example", reply_to="respuestas@cobriber.example", phone="+34 910 000 000",
    signature="Marta Ruiz\nResponsable de crédito", language="es", time_zone="Europe/Madrid", currency="EUR",
    logo=sniff_logo(png(120, 40)))
RELAY = "cobro <noreply@relay.example>"


def _profile(container: Container, changes: ProfileChanges = PROFILE) -> None:
    with container.uow() as uow:
        update_profile(uow, code="default", changes=changes)
        uow.commit()


def _outbox(container: Container) -> list[OutboxMessageRow]:
    with container.uow() as uow:
        return list(uow.session.scalars(select(OutboxMessageRow).order_by(OutboxMessageRow.id)))


def _message(row: OutboxMessageRow) -> OutboxMessage:
    return OutboxMessage(channel=row.channel, template=row.template, idempotency_key=row.idempotency_key,
                         context=read_context(row.context_json), recipient=row.recipient,
                         recipient_name=row.recipient_name, language=row.language, tone=row.tone)


def test_a_terms_letter_email_is_from_the_tenant(container: Container) -> None:
    ledger = Ledger(container)
    ledger.customer("T1")
    _profile(container)
    with container.uow() as uow:
        send_terms_letter(uow, "T1", today=dt.date(2025, 3, 3), rates=container.rates)
        uow.commit()
    (row,) = _outbox(container)
    out = compose(renderer=Renderer(), message=_message(row), message_id="<m@x>",
                  created=dt.datetime(2025, 3, 3, tzinfo=dt.UTC))
    email = build_email(out, RELAY)
    assert email["From"] == "Cobros CobrIbér <cobros@cobriber.example>"
    assert email["Reply-To"] == "respuestas@cobriber.example"
    assert email["Subject"].startswith("CobrIbér: condiciones de pago")
    text = out.text
    for expected in ("ES7620770024003102575766", "Marta Ruiz\nResponsable de crédito",
                     "Cobros Ibéricos de Prueba SL · B58818501 · Calle de Alcalá 100, 3º B, 28009 Madrid, España",
                     "Para pagos con tarjeta: https://pagos.cobriber.example"):
        assert expected in text
    assert "Default tenant" not in text and "Default tenant" not in out.html


def test_cycle_messages_carry_the_profile_and_the_payment_reference(container: Container) -> None:
    ledger = Ledger(container)
    ledger.policy()
    cid = ledger.customer("C7")
    ledger.invoice(cid, "F-71", dt.date(2025, 1, 15))
    ledger.invoice(cid, "F-72", dt.date(2025, 1, 15))
    _profile(container)
    day = dt.date(2025, 1, 21)
    with container.uow() as uow:
        run_cycle(uow, as_of=day, now=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC), rates=container.rates)
        uow.commit()
    rows = _outbox(container)
    assert rows and all(r.status == "pending" for r in rows)
    creditor = json.loads(rows[0].context_json)["creditor"]
    assert (creditor["name"], creditor["iban"], creditor["payment_reference"], creditor["email"]) == (
        "Cobros Ibéricos de Prueba SL", "ES7620770024003102575766", "C7/F-71 F-72", "cobros@cobriber.example")
    out = compose(renderer=Renderer(), message=_message(rows[0]), message_id="<m@x>",
                  created=dt.datetime(2025, 1, 21, tzinfo=dt.UTC))
    assert "indicando la referencia C7/F-71 F-72" in out.text
    assert build_email(out, RELAY)["From"] == "Cobros CobrIbér <cobros@cobriber.example>"


def test_a_cycle_message_the_profile_cannot_sign_is_skipped_with_the_reason(container: Container) -> None:
    """The run goes on (tasks, cases, other messages); the message is kept, skipped, saying what to set."""
    ledger = Ledger(container)
    ledger.policy()
    cid = ledger.customer("C8")
    ledger.invoice(cid, "F-81", dt.date(2025, 1, 15))
    _profile(container, ProfileChanges(iban="", bic="", payment_instructions=""))
    day = dt.date(2025, 1, 21)
    with container.uow() as uow:
        result = run_cycle(uow, as_of=day, now=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC),
                           rates=container.rates)
        uow.commit()
    assert result.actions
    assert any(p.startswith(f"{len(result.actions)} message(s) skipped: ") and "--iban ..." in p
               for p in result.problems)  # the run says so once, not per message
    rows = _outbox(container)
    assert rows and all(r.status == "skipped" for r in rows)
    assert "needs the creditor's iban or payment_instructions" in rows[0].last_error
    assert "`cobro tenant update default --iban ...`" in rows[0].last_error


def test_a_terms_letter_without_an_address_is_refused_naming_the_field(container: Container) -> None:
    ledger = Ledger(container)
    ledger.customer("T2")
    _profile(container, ProfileChanges(address_lines=(), city=""))
    with container.uow() as uow, pytest.raises(MissingProfileError) as caught:
        send_terms_letter(uow, "T2", today=dt.date(2025, 3, 3), rates=container.rates, channel="letter")
    assert caught.value.fields == ("address_lines", "city")
    assert "the terms letter needs the creditor's address_lines, city" in str(caught.value)
    assert "`cobro tenant update default --address ... --city ...`" in str(caught.value)
    assert _outbox(container) == []


def _case(container: Container, ledger: Ledger, cid: int) -> int:
    with container.uow() as uow:
        case = EscalationCaseRow(tenant_id=ledger.tenant, customer_id=cid, currency="EUR", amount_minor=120000,
                                 items_json="[]", reason="test", status="open", opened_on=dt.date(2025, 3, 20))
        uow.session.add(case)
        uow.commit()
        return int(case.id)


def test_the_evidence_pack_names_the_creditor_or_says_what_is_missing(container: Container) -> None:
    ledger = Ledger(container)
    cid = ledger.customer("EV9")
    ledger.invoice(cid, "F-EV-9", dt.date(2025, 1, 15), "1200.00")
    case_id = _case(container, ledger, cid)
    _profile(container)
    with container.uow() as uow:
        pack = evidence_pack(uow, case_id, as_of=dt.date(2025, 3, 31), rates=container.rates)
    text = pack.text_layer()
    assert text.startswith("[logo]") and b"/Subtype /Image" in pack.content  # the letterhead logo, drawn
    creditor = text.split("## Creditor" if "## Creditor" in text else "## Acreedor")[1].split("## ")[0]
    for expected in ("Cobros Ibéricos de Prueba SL", "NIF B58818501", "Calle de Alcalá 100", "28009 Madrid",
                     "IBAN ES7620770024003102575766"):
        assert expected in creditor
    _profile(container, ProfileChanges(tax_id=""))
    with container.uow() as uow, pytest.raises(MissingProfileError, match=r"the evidence pack needs the "
                                                                         r"creditor's tax_id.*--tax-id"):
        evidence_pack(uow, case_id, as_of=dt.date(2025, 3, 31), rates=container.rates)
