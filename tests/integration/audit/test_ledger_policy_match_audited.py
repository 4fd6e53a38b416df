"""The ledger's writes through its services (customers, credit limits, contacts, invoices, credit notes, payments),
policies applied and assigned, and bank matches accepted or rejected each leave an audit entry with the state
before and after, on SQLite and PostgreSQL; a refused or rolled-back change leaves none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cobro.audit import service as audit
from cobro.audit.schemas import AuditEntry, AuditQuery
from cobro.kernel.errors import ConflictError
from cobro.ledger.schemas.entities import (
    ContactChanges,
    ContactInput,
    CreditNoteInput,
    CustomerChanges,
    CustomerInput,
    InvoiceInput,
    PaymentInput,
)
from cobro.ledger.service import documents, entities
from cobro.platform.container import Container
from tests.integration.cashapp.test_statements import cobro_json, ledger, write  # noqa: F401 - `ledger` fixture
from tests.integration.collections.collections_builder import Ledger

D = dt.date(2026, 3, 1)


def _entries(container: Container, entity: str) -> list[AuditEntry]:
    with container.uow() as uow:
        return audit.history(uow, AuditQuery(entity=entity))


def _do(container: Container, work: Callable[[Any], object], *, commit: bool = True) -> None:
    with container.uow() as uow:
        work(uow)
        if commit:
            uow.commit()
        else:
            uow.rollback()


def test_customers_and_credit_limits(container: Container) -> None:
    _do(container, lambda uow: entities.create_customer(uow, values=CustomerInput(
        "ACME", "Acme SL", tax_id="B12345674", credit_limit="5000.00")))
    [created] = _entries(container, "customer")
    assert (created.entity_id, created.action, created.before) == ("ACME", "create", None)
    assert created.after is not None and created.after["legal_name"] == "Acme SL"
    [limit] = _entries(container, "credit_limit")
    assert (limit.action, limit.before, limit.after) == ("set", None, {"credit_limit": "5000.00 EUR"})
    _do(container, lambda uow: entities.update_customer(uow, "ACME", changes=CustomerChanges(
        credit_limit="8000.00", collector="carla")))
    update = _entries(container, "customer")[-1]
    assert update.action == "update" and update.before == {"collector": "", "credit_limit": "5000.00 EUR"}
    assert update.after == {"collector": "carla", "credit_limit": "8000.00 EUR"}
    raised = _entries(container, "credit_limit")[-1]
    assert (raised.before, raised.after) == ({"credit_limit": "5000.00 EUR"}, {"credit_limit": "8000.00 EUR"})
    _do(container, lambda uow: entities.update_customer(uow, "ACME", changes=CustomerChanges(collector="x")),
        commit=False)  # rolled back
    _do(container, lambda uow: entities.update_customer(uow, "ACME", changes=CustomerChanges(collector="carla")))
    assert len(_entries(container, "customer")) == 2  # neither the rollback nor a change of nothing is logged
    with pytest.raises(ConflictError):
        _do(container, lambda uow: entities.create_customer(uow, values=CustomerInput("ACME", "Again")))
    assert len(_entries(container, "customer")) == 2


def test_contacts(container: Container) -> None:
    _do(container, lambda uow: entities.create_customer(uow, values=CustomerInput("ACME", "Acme SL",
                                                                                  tax_id="B12345674")))
    _do(container, lambda uow: entities.create_contact(uow, "ACME", values=ContactInput(
        "Ana", email="ana@acme.example")))
    [made] = _entries(container, "contact")
    assert made.action == "create" and made.after is not None and made.after["email"] == "ana@acme.example"
    cid = int(made.entity_id)
    _do(container, lambda uow: entities.update_contact(uow, "ACME", cid, changes=ContactChanges(
        email="ana.admin@acme.example")))
    _do(container, lambda uow: entities.delete_contact(uow, "ACME", cid))
    changed, gone = _entries(container, "contact")[1:]
    assert (changed.action, changed.before, changed.after) == ("update", {"email": "ana@acme.example"},
                                                               {"email": "ana.admin@acme.example"})
    assert gone.action == "delete" and gone.after is None and gone.before is not None


def test_invoices_credit_notes_and_payments(container: Container) -> None:
    _do(container, lambda uow: entities.create_customer(uow, values=CustomerInput("ACME", "Acme SL",
                                                                                  tax_id="B12345674")))
    _do(container, lambda uow: documents.create_invoice(uow, values=InvoiceInput(
        "F-1", "ACME", D, "EUR", "1000.00", due_date=D + dt.timedelta(days=30))))
    _do(container, lambda uow: documents.create_credit_note(uow, values=CreditNoteInput(
        "A-1", "ACME", D, "EUR", "100.00", corrects="F-1")))
    _do(container, lambda uow: documents.create_payment(uow, values=PaymentInput(
        "TR-9", "ACME", D + dt.timedelta(days=5), "EUR", "400.00")), commit=False)  # rolled back: no entry
    _do(container, lambda uow: documents.create_payment(uow, values=PaymentInput(
        "TR-1", "ACME", D + dt.timedelta(days=5), "EUR", "400.00")))
    [inv] = _entries(container, "invoice")
    assert (inv.entity_id, inv.action) == ("F-1", "create") and inv.after is not None
    assert (inv.after["amount"], inv.after["due_date"], inv.after["customer"]) == ("1000.00", "2026-03-31", "ACME")
    [note] = _entries(container, "credit_note")
    assert note.after is not None and (note.after["corrects"], note.after["amount"]) == ("F-1", "100.00")
    [pay] = _entries(container, "payment")
    assert (pay.entity_id, pay.action) == ("TR-1", "create") and pay.after is not None
    assert pay.after["allocations"] == [{"invoice_number": "F-1", "seq": 1, "amount": "400.00"}]


def test_policies_applied_and_assigned(container: Container) -> None:
    book = Ledger(container)
    book.customer("ACME")
    book.policy()
    book.policy(segment="key")
    book.policy(customer="ACME")
    book.policy()  # a second version, the default again
    applied = _entries(container, "policy")
    assert [(e.action, e.after and e.after["version"]) for e in applied] == [("apply", v) for v in (1, 2, 3, 4)]
    assert applied[0].actor_name == "test"
    assigned = _entries(container, "policy_assignment")
    name = applied[0].entity_id
    assert [(e.entity_id, e.before) for e in assigned] == [
        ("default", None), ("segment:key", None), ("customer:ACME", None), ("default", {"policy": name})]
    assert assigned[-1].after == {"policy": name, "version": 4}


def test_bank_matches_accepted_and_rejected(container: Container, ledger: Path) -> None:  # noqa: F811
    day = dt.date(2026, 3, 10)
    from cobro.cashapp.domain.matching import Line

    stmt = write(ledger, "s.xml", [
        Line("a", 50000, "EUR", day, "", "TRANSFERENCIA", "", "GRUPO LEVANTINO", "ES7921000813610123456789"),
        Line("b", 7000, "EUR", day, "", "DEVOLUCION IVA", "", "AEAT", "")])
    cobro_json("import", "statement", str(stmt))
    queue = cobro_json("matches", "review")
    assert isinstance(queue, list) and len(queue) == 2
    first, second = (str(q["id"]) for q in queue)
    cobro_json("matches", "accept", first, "--customer", "C1", "--invoices", "F-2026-0102")
    cobro_json("matches", "reject", second)
    accepted, rejected = _entries(container, "bank_match")
    assert (accepted.entity_id, accepted.action) == (first, "accept")
    assert accepted.before is not None and accepted.before["status"] == "unmatched"
    assert accepted.after is not None and accepted.after["status"] == "matched"
    assert accepted.after["invoices"] == ["F-2026-0102"] and accepted.after["amount"] == "500.00"
    assert (rejected.entity_id, rejected.action, rejected.reason) == (second, "reject", "not a customer payment")
    assert rejected.after is not None and rejected.after["status"] == "rejected"
