"""Queries for the collector's work and the governed records: exceptions, holds, disputes, promises, plans,
tasks, timeline, escalation cases, flags and terms acknowledgements."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.collections.records import (
    CustomerFlagRow,
    DisputeRow,
    EscalationCaseRow,
    HoldRow,
    PaymentPlanRow,
    PolicyExceptionRow,
    PromiseRow,
    TaskRow,
    TimelineEventRow,
)
from cobro.kernel.errors import NotFoundError
from cobro.ledger.records import CustomerRow, InstalmentRow, InvoiceRow

R = TypeVar("R")


def add(session: Session, row: R) -> R:
    session.add(row)
    session.flush()
    return row


def get(session: Session, model: type[R], tenant: int, row_id: int, what: str) -> R:
    row = session.get(model, row_id)
    if row is None or getattr(row, "tenant_id", None) != tenant:
        raise NotFoundError(f"no {what} #{row_id}")
    return row


def timeline(session: Session, tenant: int, customer_id: int, *, day: dt.date, kind: str, summary: str,
             ref: str = "", actor: str = "") -> None:
    session.add(TimelineEventRow(tenant_id=tenant, customer_id=customer_id, day=day, kind=kind, ref=ref,
                                 summary=summary, actor=actor))


def customer_codes(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {int(i): str(c) for i, c in session.execute(
        select(CustomerRow.id, CustomerRow.code).where(CustomerRow.id.in_(sorted(ids))))}


def invoices_by_number(session: Session, tenant: int, numbers: list[str]) -> dict[str, InvoiceRow]:
    rows = session.scalars(select(InvoiceRow).where(InvoiceRow.tenant_id == tenant, InvoiceRow.number.in_(numbers)))
    return {r.number: r for r in rows}


def invoice_numbers(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {int(i): str(n) for i, n in session.execute(select(InvoiceRow.id, InvoiceRow.number)
                                                       .where(InvoiceRow.id.in_(sorted(ids))))}


def action_invoice_numbers(session: Session, items_json: str) -> list[str]:
    """Invoice numbers of an action's items: `items_json` lists instalment ids (negative for payment-plan
    instalments, which have no invoice); actions written before that listed item objects with the number."""
    items = json.loads(items_json)
    numbers = {str(i["invoice"]) for i in items if isinstance(i, dict)}
    ids = sorted(i for i in items if isinstance(i, int) and i > 0)
    if ids:
        numbers.update(str(n) for n in session.scalars(
            select(InvoiceRow.number).join(InstalmentRow, InstalmentRow.invoice_id == InvoiceRow.id)
            .where(InstalmentRow.id.in_(ids))))
    return sorted(n for n in numbers if not n.startswith("PLAN-"))


def open_instalments(session: Session, invoice_ids: list[int]) -> list[InstalmentRow]:
    return list(session.scalars(select(InstalmentRow).where(InstalmentRow.invoice_id.in_(invoice_ids),
                                                            InstalmentRow.open_minor > 0)
                                .order_by(InstalmentRow.due_date, InstalmentRow.id)))


def _listing(session: Session, model: Any, tenant: int, *filters: Any, order: Any = None) -> list[Any]:
    stmt = select(model).where(model.tenant_id == tenant, *filters).order_by(order if order is not None else model.id)
    return list(session.scalars(stmt))


def exceptions(session: Session, tenant: int, status: str = "") -> list[PolicyExceptionRow]:
    return _listing(session, PolicyExceptionRow, tenant,
                    *([PolicyExceptionRow.status == status] if status else []))


def holds(session: Session, tenant: int, *, active_on: dt.date | None = None) -> list[HoldRow]:
    flt = []
    if active_on is not None:
        flt = [HoldRow.released_on.is_(None), HoldRow.until.is_(None) | (HoldRow.until >= active_on)]
    return _listing(session, HoldRow, tenant, *flt)


def disputes(session: Session, tenant: int, status: str = "") -> list[DisputeRow]:
    return _listing(session, DisputeRow, tenant, *([DisputeRow.status == status] if status else []))


def promises(session: Session, tenant: int, status: str = "") -> list[PromiseRow]:
    return _listing(session, PromiseRow, tenant, *([PromiseRow.status == status] if status else []))


def plans(session: Session, tenant: int, customer_id: int | None = None) -> list[PaymentPlanRow]:
    flt = [PaymentPlanRow.status == "active"]
    if customer_id is not None:
        flt.append(PaymentPlanRow.customer_id == customer_id)
    return _listing(session, PaymentPlanRow, tenant, *flt)


def covered_instalments(session: Session, tenant: int, customer_id: int) -> set[int]:
    return {iid for p in plans(session, tenant, customer_id) for iid in json.loads(p.covered_json)}


def tasks(session: Session, tenant: int, *, collector: str = "", status: str = "open") -> list[TaskRow]:
    flt = [TaskRow.status == status] if status else []
    if collector:
        flt.append(TaskRow.collector == collector)
    return _listing(session, TaskRow, tenant, *flt, order=TaskRow.due_on)


def escalations(session: Session, tenant: int, status: str = "") -> list[EscalationCaseRow]:
    return _listing(session, EscalationCaseRow, tenant, *([EscalationCaseRow.status == status] if status else []))


def flags(session: Session, tenant: int, flag: str = "credit_stop") -> list[CustomerFlagRow]:
    return _listing(session, CustomerFlagRow, tenant, CustomerFlagRow.flag == flag, CustomerFlagRow.active.is_(True))


def customer_timeline(session: Session, tenant: int, customer_id: int) -> list[TimelineEventRow]:
    return _listing(session, TimelineEventRow, tenant, TimelineEventRow.customer_id == customer_id,
                    order=TimelineEventRow.id)
