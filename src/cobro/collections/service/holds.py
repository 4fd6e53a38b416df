"""Holds (customer or invoice, until a date), disputes (disputed items only) and payment plans."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cobro.collections.records import DisputeRow, HoldRow, PaymentPlanRow, PlanInstalmentRow
from cobro.collections.repository import work
from cobro.kernel.errors import InvalidInputError, InvalidTransitionError
from cobro.kernel.money import Money, MoneyError, format_minor
from cobro.ledger.records import CustomerRow, InvoiceRow
from cobro.ledger.repository import parties

REASON_CODES = ("quality", "quantity", "price", "not_received", "duplicate", "already_paid", "terms", "other")


def add_hold(session: Session, tenant_code: str, *, customer: str, reason: str, today: dt.date,
             until: dt.date | None = None, invoice: str = "", user: str = "") -> HoldRow:
    if not reason.strip():
        raise InvalidInputError("a hold needs a reason")
    if until is not None and until < today:
        raise InvalidInputError("a hold cannot end in the past")
    tenant = parties.tenant_id(session, tenant_code)
    cust = parties.get_customer(session, tenant, customer)
    invoice_id = None
    if invoice:
        inv = work.invoices_by_number(session, tenant, [invoice]).get(invoice)
        if inv is None or inv.customer_id != cust.id:
            raise InvalidInputError(f"{customer} has no invoice {invoice!r}")
        invoice_id = inv.id
    row = work.add(session, HoldRow(tenant_id=tenant, customer_id=cust.id, invoice_id=invoice_id, reason=reason,
                                    until=until, created_by=user))
    scope = f"invoice {invoice}" if invoice else "all items"
    work.timeline(session, tenant, cust.id, day=today, kind="hold.added", ref=f"hold:{row.id}", actor=user,
                  summary=f"hold on {scope} until {until or 'released'}: {reason}")
    return row


def release_hold(session: Session, tenant_code: str, hold_id: int, *, today: dt.date, user: str = "") -> HoldRow:
    tenant = parties.tenant_id(session, tenant_code)
    row = work.get(session, HoldRow, tenant, hold_id, "hold")
    if row.released_on is not None:
        raise InvalidTransitionError(f"hold #{hold_id} was released on {row.released_on}")
    row.released_on = today
    work.timeline(session, tenant, row.customer_id, day=today, kind="hold.released", ref=f"hold:{row.id}",
                  actor=user, summary=f"hold #{row.id} released")
    session.flush()
    return row


def list_holds(session: Session, tenant_code: str, *, today: dt.date, active_only: bool = True) -> list[dict[str, Any]]:
    tenant = parties.tenant_id(session, tenant_code)
    rows = work.holds(session, tenant, active_on=today if active_only else None)
    codes = work.customer_codes(session, {r.customer_id for r in rows})
    numbers = work.invoice_numbers(session, {r.invoice_id for r in rows if r.invoice_id is not None})
    return [{"id": r.id, "customer": codes.get(r.customer_id, ""), "invoice_id": r.invoice_id,
             "invoice": numbers.get(r.invoice_id, "") if r.invoice_id is not None else "", "reason": r.reason,
             "until": r.until.isoformat() if r.until else None,
             "released_on": r.released_on.isoformat() if r.released_on else None} for r in rows]


def open_dispute(session: Session, tenant_code: str, *, customer: str, invoices: list[str], reason_code: str,
                 today: dt.date, amount: str = "", owner: str = "", resolve_by: dt.date | None = None,
                 note: str = "", user: str = "") -> DisputeRow:
    """Open a dispute; `user` is who records it (the timeline's actor), `owner` who must resolve it."""
    if reason_code not in REASON_CODES:
        raise InvalidInputError(f"reason code must be one of {', '.join(REASON_CODES)}")
    if not invoices:
        raise InvalidInputError("a dispute names at least one invoice")
    tenant, cust, found, currency = _own_invoices(session, tenant_code, customer, invoices, "a dispute")
    minor = 0
    if amount:
        try:
            minor = Money.of(Decimal(amount), currency).to_minor()
        except (MoneyError, ArithmeticError) as exc:
            raise InvalidInputError(f"{amount!r} is not an amount") from exc
        if minor <= 0:
            raise InvalidInputError("the disputed amount must be positive")
        open_total = sum(i.open_minor for i in work.open_instalments(session, [inv.id for inv in found.values()]))
        if minor > open_total:
            raise InvalidInputError(f"the disputed amount {format_minor(minor, currency)} {currency} is more than what is "
                                    f"still open on {', '.join(invoices)} ({format_minor(open_total, currency)} {currency})")
    row = work.add(session, DisputeRow(
        tenant_id=tenant, customer_id=cust.id, invoice_ids_json=json.dumps(sorted(i.id for i in found.values())),
        reason_code=reason_code, amount_minor=minor, currency=currency, owner=owner, resolve_by=resolve_by,
        status="open", opened_on=today, note=note))
    work.timeline(session, tenant, cust.id, day=today, kind="dispute.opened", ref=f"dispute:{row.id}",
                  actor=user or owner,
                  summary=f"dispute ({reason_code}) on {', '.join(invoices)}"
                          + (f" for {format_minor(minor, currency)} {currency}" if minor else "")
                          + (f", resolve by {resolve_by}" if resolve_by else ""))
    return row


def resolve_dispute(session: Session, tenant_code: str, dispute_id: int, *, resolution: str, today: dt.date,
                    user: str = "") -> DisputeRow:
    tenant = parties.tenant_id(session, tenant_code)
    row = work.get(session, DisputeRow, tenant, dispute_id, "dispute")
    if row.status != "open":
        raise InvalidTransitionError(f"dispute #{dispute_id} is already {row.status}")
    row.status, row.resolved_on, row.resolution = "resolved", today, resolution
    work.timeline(session, tenant, row.customer_id, day=today, kind="dispute.resolved", ref=f"dispute:{row.id}",
                  actor=user, summary=f"dispute #{row.id} resolved: {resolution}")
    session.flush()
    return row


def list_disputes(session: Session, tenant_code: str, *, status: str = "open") -> list[dict[str, Any]]:
    tenant = parties.tenant_id(session, tenant_code)
    rows = work.disputes(session, tenant, status)
    codes = work.customer_codes(session, {r.customer_id for r in rows})
    ids = {r.id: [int(i) for i in json.loads(r.invoice_ids_json)] for r in rows}
    numbers = work.invoice_numbers(session, {i for v in ids.values() for i in v})
    return [{"id": r.id, "customer": codes.get(r.customer_id, ""), "invoice_ids": ids[r.id],
             "invoices": [numbers.get(i, str(i)) for i in ids[r.id]],
             "reason_code": r.reason_code, "amount": format_minor(r.amount_minor, r.currency) if r.amount_minor else "all",
             "currency": r.currency, "owner": r.owner, "resolve_by": r.resolve_by.isoformat() if r.resolve_by else None,
             "status": r.status} for r in rows]


def add_plan(session: Session, tenant_code: str, *, customer: str, invoices: list[str],
             schedule: list[tuple[dt.date, str]], today: dt.date, user: str = "", note: str = "") -> PaymentPlanRow:
    """A payment plan replaces the open instalments of `invoices` by `schedule`; its total must equal their
    open amount, so nothing is forgiven or added silently."""
    if not invoices or not schedule:
        raise InvalidInputError("a plan needs invoices and at least one instalment")
    tenant, cust, found, currency = _own_invoices(session, tenant_code, customer, invoices, "a plan")
    covered = work.open_instalments(session, [inv.id for inv in found.values()])
    if already := {i.id for i in covered} & work.covered_instalments(session, tenant, cust.id):
        raise InvalidInputError(f"{len(already)} instalment(s) are already in an active plan")
    open_total = sum(i.open_minor for i in covered)
    try:
        parts = [(day, Money.of(Decimal(a), currency).to_minor()) for day, a in schedule]
    except (MoneyError, ArithmeticError) as exc:
        raise InvalidInputError(f"bad instalment amount: {exc}") from exc
    if sum(m for _, m in parts) != open_total:
        raise InvalidInputError(f"the plan's instalments add up to {format_minor(sum(m for _, m in parts), currency)} but "
                                f"the covered items are open for {format_minor(open_total, currency)} {currency}")
    plan = work.add(session, PaymentPlanRow(
        tenant_id=tenant, customer_id=cust.id, currency=currency, total_minor=open_total,
        covered_json=json.dumps([i.id for i in covered]), status="active", agreed_on=today, created_by=user,
        note=note))
    for seq, (day, minor) in enumerate(sorted(parts), start=1):
        session.add(PlanInstalmentRow(tenant_id=tenant, plan_id=plan.id, seq=seq, due_date=day, amount_minor=minor))
    work.timeline(session, tenant, cust.id, day=today, kind="plan.agreed", ref=f"plan:{plan.id}", actor=user,
                  summary=f"payment plan for {', '.join(invoices)}: {len(parts)} instalment(s), "
                          f"{format_minor(open_total, currency)} {currency}")
    session.flush()
    return plan


def _own_invoices(session: Session, tenant_code: str, customer: str, invoices: list[str],
                  what: str) -> tuple[int, CustomerRow, dict[str, InvoiceRow], str]:
    """The customer's invoices by number, all in one currency (disputes and plans cover one currency)."""
    tenant = parties.tenant_id(session, tenant_code)
    cust = parties.get_customer(session, tenant, customer)
    found = work.invoices_by_number(session, tenant, invoices)
    missing = [n for n in invoices if n not in found or found[n].customer_id != cust.id]
    if missing:
        raise InvalidInputError(f"{customer} has no invoice(s) {', '.join(missing)}")
    currencies = {inv.currency for inv in found.values()}
    if len(currencies) != 1:
        raise InvalidInputError(f"{what} covers invoices in one currency")
    return tenant, cust, found, currencies.pop()
