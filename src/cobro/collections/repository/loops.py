"""The SQL behind closing the loops (`collections.service.loops`): what is open now of the instalments that tasks
and escalation cases refer to, the overdue total per customer, open tasks and cases, and the credit-stop flags.

Open is the ledger's rule (`ledger.repository.open_items`, as of now: the cycle plans on what is open now)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from cobro.collections.domain.status import CaseStatus, TaskStatus
from cobro.collections.records import (
    CollectionActionRow,
    CollectionCaseRow,
    CustomerFlagRow,
    EscalationCaseRow,
    TaskRow,
)
from cobro.collections.repository.cycle import open_items_from
from cobro.ledger.records import CustomerRow
from cobro.ledger.repository import open_items

CREDIT_STOP = "credit_stop"
LIVE_CASES = (CaseStatus.OPEN.value, CaseStatus.HANDED_OFF.value)


class OpenItem(NamedTuple):
    instalment_id: int
    customer_id: int
    currency: str
    invoice: str
    seq: int
    issue_date: dt.date
    due_date: dt.date
    open_minor: int
    disputed: bool


class OpenTask(NamedTuple):
    id: int
    customer_id: int
    kind: str
    collector: str
    instalments: tuple[int, ...]  # of the action that created it


class LiveCase(NamedTuple):
    id: int
    customer_id: int
    currency: str
    amount_minor: int
    items_json: str
    status: str
    handed_off_to: str

    def instalments(self) -> tuple[int, ...]:
        return tuple(int(i["instalment_id"]) for i in json.loads(self.items_json))


class Owner(NamedTuple):
    """Who a customer is, for the messages the loops send (the account owner is told of a credit stop)."""

    code: str
    legal_name: str
    tax_id: str
    account_owner: str
    collector: str


def open_items_of(session: Session, tenant: int, customer_ids: Collection[int]) -> list[OpenItem]:
    """The customers' receivable instalments open now."""
    if not customer_ids:
        return []
    o = open_items.open_instalments(tenant, None, customer_ids=customer_ids)
    stmt = select(o.c.instalment_id, o.c.customer_id, o.c.currency, o.c.number, o.c.seq, o.c.issue_date,
                  o.c.due_date, o.c.open_minor, o.c.disputed).order_by(o.c.due_date, o.c.instalment_id)
    return [OpenItem(int(i), int(c), str(cur), str(n), int(s), _day(issued), _day(d), int(m), bool(disp))
            for i, c, cur, n, s, issued, d, m, disp in session.execute(stmt)]


def _day(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


class Owed(NamedTuple):
    open_minor: int  # open at the date (the credit check's exposure before credit)
    overdue_minor: int  # of which due before the date


def owed(session: Session, tenant: int, as_of: dt.date) -> dict[int, dict[str, Owed]]:
    """Per customer and currency: what is open of the invoices issued by `as_of`, and what of it is overdue.

    One aggregate over the cycle's own open-items scan (`cycle.open_items_from`: open now, as the cycle plans, and
    the whole-tenant scan tuned for SQLite); dating every allocation back to `as_of` would cost a join over all
    of them, and the cycle runs for today."""
    dialect = session.connection().dialect.name
    sql = ("SELECT x.customer_id, x.currency, SUM(x.open_minor), "
           "SUM(CASE WHEN x.due_date < %(d)s THEN x.open_minor ELSE 0 END) "
           + open_items_from(dialect, whole_tenant=True) + " AND i.issue_date <= %(d)s GROUP BY x.customer_id, x.currency")
    day: object = as_of if dialect == "postgresql" else as_of.isoformat()  # SQLite keeps dates as ISO text
    out: dict[int, dict[str, Owed]] = {}
    for c, cur, total, overdue in session.execute(text(sql.replace("%(t)s", ":t").replace("%(d)s", ":d")),
                                                  {"t": tenant, "d": day}):
        out.setdefault(int(c), {})[str(cur)] = Owed(int(total or 0), int(overdue or 0))
    return out


class Limits(NamedTuple):
    """A customer as the credit stop needs it: its policy is found by segment, its own limit may be set."""

    id: int
    code: str
    segment: str
    limit_minor: int | None
    limit_currency: str


def limits(session: Session, tenant: int) -> list[Limits]:
    c = CustomerRow
    stmt = select(c.id, c.code, c.segment, c.credit_limit_minor, c.credit_limit_currency).where(c.tenant_id == tenant)
    return [Limits(int(i), str(code), str(seg or ""), None if m is None else int(m), str(cur or ""))
            for i, code, seg, m, cur in session.execute(stmt)]


def open_tasks(session: Session, tenant: int) -> list[OpenTask]:
    """Open tasks that came from a dunning action, with that action's instalment ids."""
    stmt = (select(TaskRow.id, TaskRow.customer_id, TaskRow.kind, TaskRow.collector, CollectionActionRow.items_json)
            .join(CollectionActionRow, CollectionActionRow.id == TaskRow.action_id)
            .where(TaskRow.tenant_id == tenant, TaskRow.status == TaskStatus.OPEN.value).order_by(TaskRow.id))
    return [OpenTask(int(i), int(c), str(k), str(who or ""),
                     tuple(int(x) for x in json.loads(items) if isinstance(x, int)))
            for i, c, k, who, items in session.execute(stmt)]


def close_tasks(session: Session, task_ids: Collection[int], *, outcome: str, note: str, on: dt.date) -> None:
    for row in session.scalars(select(TaskRow).where(TaskRow.id.in_(sorted(task_ids)))):
        row.status, row.outcome, row.note, row.done_on = TaskStatus.DONE.value, outcome, note, on
    session.flush()


def live_cases(session: Session, tenant: int) -> list[LiveCase]:
    """Escalation cases still open or with an agency."""
    c = EscalationCaseRow
    stmt = (select(c.id, c.customer_id, c.currency, c.amount_minor, c.items_json, c.status, c.handed_off_to)
            .where(c.tenant_id == tenant, c.status.in_(LIVE_CASES)).order_by(c.id))
    return [LiveCase(int(i), int(cid), str(cur), int(m), str(items), str(st), str(to or ""))
            for i, cid, cur, m, items, st, to in session.execute(stmt)]


def settle_case(session: Session, case_id: int, *, on: dt.date) -> None:
    row = session.get(EscalationCaseRow, case_id)
    assert row is not None
    row.status, row.closed_on = CaseStatus.SETTLED.value, on
    session.flush()


def extend_case(session: Session, case_id: int, *, items_json: str, amount_minor: int) -> None:
    row = session.get(EscalationCaseRow, case_id)
    assert row is not None
    row.items_json, row.amount_minor = items_json, amount_minor
    session.flush()


def close_episode(session: Session, tenant: int, customer_id: int, currency: str, *, on: dt.date) -> int:
    """End the customer×currency's open dunning episode; returns how many were open (0 or 1)."""
    result = session.execute(update(CollectionCaseRow).where(
        CollectionCaseRow.tenant_id == tenant, CollectionCaseRow.customer_id == customer_id,
        CollectionCaseRow.currency == currency, CollectionCaseRow.closed_on.is_(None)).values(closed_on=on))
    return int(getattr(result, "rowcount", 0) or 0)


class Segment(NamedTuple):
    customer_id: int
    segment: str


def segments(session: Session, tenant: int, customer_ids: Collection[int]) -> list[Segment]:
    if not customer_ids:
        return []
    return [Segment(int(i), str(seg or "")) for i, seg in session.execute(
        select(CustomerRow.id, CustomerRow.segment).where(CustomerRow.tenant_id == tenant,
                                                          CustomerRow.id.in_(sorted(customer_ids))))]


def owners(session: Session, tenant: int, customer_ids: Collection[int]) -> dict[int, Owner]:
    if not customer_ids:
        return {}
    c = CustomerRow
    stmt = select(c.id, c.code, c.legal_name, c.tax_id, c.account_owner, c.collector).where(
        c.tenant_id == tenant, c.id.in_(sorted(customer_ids)))
    return {int(i): Owner(str(code), str(name), str(tax or ""), str(own or ""), str(coll or ""))
            for i, code, name, tax, own, coll in session.execute(stmt)}


def customer_ids(session: Session, tenant: int) -> dict[str, int]:
    return {str(code): int(i) for i, code in session.execute(
        select(CustomerRow.id, CustomerRow.code).where(CustomerRow.tenant_id == tenant))}


def active_stops(session: Session, tenant: int) -> dict[int, str]:
    """Customers under an active credit stop, with its reason."""
    f = CustomerFlagRow
    return {int(c): str(r or "") for c, r in session.execute(
        select(f.customer_id, f.reason).where(f.tenant_id == tenant, f.flag == CREDIT_STOP, f.active.is_(True)))}


def set_stop(session: Session, tenant: int, customer_id: int, *, reason: str, on: dt.date) -> None:
    """Raise the customer's credit stop (re-activating an earlier one: the flag is unique per customer)."""
    row = session.scalars(select(CustomerFlagRow).where(
        CustomerFlagRow.tenant_id == tenant, CustomerFlagRow.customer_id == customer_id,
        CustomerFlagRow.flag == CREDIT_STOP)).first()
    if row is None:
        session.add(CustomerFlagRow(tenant_id=tenant, customer_id=customer_id, flag=CREDIT_STOP, active=True,
                                    reason=reason, set_on=on))
    else:
        row.active, row.reason, row.set_on, row.cleared_on = True, reason, on, None
    session.flush()


def lift_stop(session: Session, tenant: int, customer_id: int, *, on: dt.date) -> None:
    for row in session.scalars(select(CustomerFlagRow).where(
            CustomerFlagRow.tenant_id == tenant, CustomerFlagRow.customer_id == customer_id,
            CustomerFlagRow.flag == CREDIT_STOP, CustomerFlagRow.active.is_(True))):
        row.active, row.cleared_on = False, on
    session.flush()
