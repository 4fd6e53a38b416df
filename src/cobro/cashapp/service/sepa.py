"""SEPA direct debit: mandates and pain.008 collection files (with `sepaxml`, validated against its bundled XSD).

Only customers with a signed mandate are collected.  The EndToEndId carries the invoice number, so the bank's
credit (camt.053) matches it automatically and a return (camt.054 / pain.002) finds the payment to reverse.
The first collection under a mandate is FRST, later ones RCUR (EPC rulebook).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaDD
from sqlalchemy.orm import Session
from stdnum.eu import at_02

from cobro.cashapp.records import SepaMandateRow
from cobro.cashapp.repository import matches as repo
from cobro.cashapp.repository import sepa as mandates_repo
from cobro.cashapp.schemas import Mandate, SepaExport
from cobro.kernel.errors import InvalidInputError, NotFoundError
from cobro.kernel.money import Money
from cobro.ledger.service.customers import customer_profile
from cobro.platform.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class _Debtor:
    id: int
    code: str
    legal_name: str

SCHEMA = "pain.008.001.08"  # EPC rulebooks since Nov 2023; BIC optional
_SEPA_CHARS = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


def _iban(value: str) -> IBAN:
    try:
        return IBAN(value)
    except (SchwiftyException, ValueError) as exc:
        raise InvalidInputError(f"{value!r} is not a valid IBAN: {exc}") from exc


def add_mandate(uow: UnitOfWork, *, customer_code: str, mandate_id: str, iban: str, signed: dt.date,
                scheme: str = "CORE", bic: str = "") -> Mandate:
    """Record (or update) the customer's mandate."""
    session, tenant = uow.session, uow.tenant.id
    scheme = scheme.upper()
    if scheme not in ("CORE", "B2B"):
        raise InvalidInputError("scheme is CORE or B2B")
    if not mandate_id or len(mandate_id) > 35 or _SEPA_CHARS.search(mandate_id):
        raise InvalidInputError("a mandate id has 1-35 characters from the SEPA set (letters, digits, / - ? : ( ) . , ' +)")
    customer = customer_profile(uow, customer_code)
    account = _iban(iban)
    row = mandates_repo.mandate(session, tenant, mandate_id)
    if row is None:
        row = SepaMandateRow(tenant_id=tenant, customer_id=customer.id, mandate_id=mandate_id, signed_date=signed,
                             iban=str(account.compact), bic=bic, scheme=scheme, first_collected=None)
        session.add(row)
    else:
        row.customer_id, row.signed_date, row.iban, row.bic, row.scheme = (
            customer.id, signed, str(account.compact), bic, scheme)
    session.flush()
    return Mandate(row.mandate_id, customer.code, row.iban, row.bic, row.scheme, row.signed_date)


def set_creditor(uow: UnitOfWork, *, name: str, iban: str, creditor_id: str, bic: str = "") -> None:
    """Our creditor data: name, collection account, SEPA creditor identifier (AT-02)."""
    session, tenant = uow.session, uow.tenant.id
    if not at_02.is_valid(creditor_id):
        raise InvalidInputError(f"{creditor_id!r} is not a valid SEPA creditor identifier (AT-02)")
    row = repo.settings(session, tenant)
    row.creditor_name, row.creditor_iban = name[:70], str(_iban(iban).compact)
    row.creditor_id, row.creditor_bic = at_02.compact(creditor_id), bic
    session.flush()


def end_to_end_id(number: str, seq: int) -> str:
    base = _SEPA_CHARS.sub("", number)
    return (base if seq == 1 else f"{base}/{seq}")[:35]


def export(uow: UnitOfWork, out: Path, *, plan_id: int | None, due_by: dt.date | None,
           collection_date: dt.date) -> SepaExport:
    """Write a pain.008 collection for instalments of customers with a signed mandate."""
    session, tenant = uow.session, uow.tenant.id
    cfg = repo.settings(session, tenant)
    if not cfg.creditor_id or not at_02.is_valid(cfg.creditor_id):
        raise InvalidInputError("set our creditor data first: `cobro sepa creditor NAME IBAN CREDITOR_ID`")
    mandates = {m.customer_id: m for m in mandates_repo.mandates_signed_by(session, tenant, collection_date)}
    debits, skipped = (_plan_debits(session, tenant, plan_id) if plan_id is not None
                       else _due_debits(session, tenant, due_by or collection_date))
    config = {"name": cfg.creditor_name or "cobro", "IBAN": cfg.creditor_iban, "batch": True,
              "creditor_id": cfg.creditor_id, "currency": "EUR"}
    if cfg.creditor_bic:
        config["BIC"] = cfg.creditor_bic
    by_scheme: dict[str, list[dict[str, object]]] = {}
    total = 0
    for customer, e2e, minor, description in debits:
        mandate = mandates.get(customer.id)
        if mandate is None:
            skipped.append(f"{customer.code}: no signed mandate ({e2e})")
            continue
        payment: dict[str, object] = {
            "name": customer.legal_name[:70], "IBAN": mandate.iban, "amount": minor,
            "type": "RCUR" if mandate.first_collected else "FRST", "collection_date": collection_date,
            "mandate_id": mandate.mandate_id, "mandate_date": mandate.signed_date, "description": description,
            "endtoend_id": e2e}
        if mandate.bic:
            payment["BIC"] = mandate.bic
        by_scheme.setdefault(mandate.scheme, []).append(payment)
        total += minor
    if not by_scheme:
        raise NotFoundError("nothing to collect: no due instalment of a customer with a signed mandate"
                            + (f" ({'; '.join(skipped[:5])})" if skipped else ""))
    if len(by_scheme) > 1:
        raise InvalidInputError("CORE and B2B mandates go in separate files: export them with separate runs")
    scheme, payments = next(iter(by_scheme.items()))
    sepa = SepaDD({**config, "instrument": scheme}, schema=SCHEMA, clean=True)
    for p in payments:
        sepa.add_payment(p)
    xml = sepa.export(validate=True)  # raises if the document does not satisfy the XSD
    out.write_bytes(xml)
    for m in mandates.values():
        if any(p["mandate_id"] == m.mandate_id for p in payments) and m.first_collected is None:
            m.first_collected = collection_date
    session.flush()
    return SepaExport(str(out), SCHEMA, scheme, len(payments), Money.from_minor(total, "EUR"), tuple(skipped))


def _due_debits(session: Session, tenant: int, due_by: dt.date) -> tuple[list[tuple[_Debtor, str, int, str]],
                                                                         list[str]]:
    out = [(_Debtor(c.id, c.code, c.legal_name), end_to_end_id(n, seq), o, f"Factura {n}" + (f" plazo {seq}" if seq > 1 else ""))
           for c, n, seq, o in mandates_repo.due_eur_instalments(session, tenant, due_by)]
    return out, []


def _plan_debits(session: Session, tenant: int, plan_id: int) -> tuple[list[tuple[_Debtor, str, int, str]],
                                                                       list[str]]:
    plan = mandates_repo.plan(session, plan_id)
    if plan is None or plan.tenant_id != tenant:
        raise NotFoundError(f"no payment plan {plan_id}")
    if plan.currency != "EUR":
        raise InvalidInputError("SEPA collects euros only")
    row = mandates_repo.customer(session, plan.customer_id)
    assert row is not None
    customer = _Debtor(row.id, row.code, row.legal_name)
    covered = [int(x) for x in json.loads(plan.covered_json or "[]")]
    numbers = mandates_repo.invoice_numbers_of_instalments(session, covered)
    first = numbers[0] if numbers else f"PLAN{plan_id}"
    out = [(customer, end_to_end_id(first, int(i.seq) + 1 if i.seq else 1)[:35], int(i.amount_minor),
            f"Plan {plan_id} plazo {i.seq}: {', '.join(numbers)}"[:140])
           for i in mandates_repo.plan_instalments(session, plan_id)]
    return out, []
