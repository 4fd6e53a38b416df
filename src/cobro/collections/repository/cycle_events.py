"""The reads behind the cycle's webhook events (`collections.service.cycle_events`): the tenant's previous run,
the instalments that fell due since it, and the escalation cases the run opened.  Each is called only when a
subscription wants its event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any, NamedTuple

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cobro.collections.records import CycleRunRow, EscalationCaseRow
from cobro.ledger.repository import open_items as ledger_open


class FellDue(NamedTuple):
    instalment_id: int
    invoice_id: int
    number: str
    seq: int
    customer_id: int
    currency: str
    due_date: dt.date
    open_minor: int


class OpenedCase(NamedTuple):
    id: int
    action_id: int
    customer_id: int
    currency: str
    amount_minor: int
    reason: str


def previous_as_of(session: Session, tenant: int, run_id: int) -> dt.date | None:
    """The business date of the tenant's latest real (not dry) run before `run_id`; None on its first run."""
    return session.scalar(select(CycleRunRow.as_of).where(
        CycleRunRow.tenant_id == tenant, CycleRunRow.id < run_id, CycleRunRow.dry_run.is_(False))
        .order_by(CycleRunRow.id.desc()).limit(1))


def fell_due(session: Session, tenant: int, since: dt.date, until: dt.date) -> list[FellDue]:
    """Receivable instalments still open whose due date is in [since, until), oldest first."""
    sql = ("SELECT x.id, x.invoice_id, i.number, x.seq, x.customer_id, x.currency, x.due_date, x.open_minor "
           + ledger_open.from_sql(as_of=None, inst="x", inv="i", tenant=":t", only_open=True)
           + " AND x.due_date >= :since AND x.due_date < :until ORDER BY x.due_date, x.id")
    rows = session.execute(text(sql), {"t": tenant, "since": since, "until": until}).all()
    return [FellDue(int(r[0]), int(r[1]), str(r[2]), int(r[3]), int(r[4]), str(r[5]), _day(r[6]), int(r[7]))
            for r in rows]


def opened_cases(session: Session, tenant: int, action_ids: Collection[int]) -> list[OpenedCase]:
    ids = sorted(action_ids)
    out: list[OpenedCase] = []
    c = EscalationCaseRow
    for start in range(0, len(ids), 5000):
        out += [OpenedCase(int(i), int(a or 0), int(cid), str(cur), int(amt), str(why)) for i, a, cid, cur, amt, why in
                session.execute(select(c.id, c.action_id, c.customer_id, c.currency, c.amount_minor, c.reason)
                                .where(c.tenant_id == tenant, c.action_id.in_(ids[start:start + 5000]))
                                .order_by(c.id)).all()]
    return out


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
