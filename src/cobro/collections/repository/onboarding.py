"""Onboarding's SQL: the notices a customer actually received, and another system's history imported as actions
(`cobro import actions`), which the planner counts as steps done."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.collections.records import CollectionActionRow, CollectionCaseRow
from cobro.delivery.records import OutboxMessageRow
from cobro.ledger.records import CustomerRow

Key = tuple[int, str]  # (customer id, currency)
IMPORTED = "imported"  # an action loaded from another system's history: done there, counted as a notice here
IMPORTED_REASON = "imported from another system: "  # + the other system's reference (what makes re-imports no-ops)


def earlier_notices(session: Session, tenant: int, customer_ids: Iterable[int]) -> dict[Key, tuple[dt.date, ...]]:
    """The days earlier notices were actually delivered, per customer×currency: the outbox's sent messages of
    the cycle's actions and the notices imported from another system, oldest first."""
    out: dict[Key, list[dt.date]] = defaultdict(list)
    ids = sorted(set(customer_ids))
    a, m = CollectionActionRow, OutboxMessageRow
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        sent = (select(a.customer_id, a.currency, m.sent_at, a.as_of).join(m, m.action_id == a.id)
                .where(a.tenant_id == tenant, a.customer_id.in_(chunk), m.status == "sent"))
        imported = (select(a.customer_id, a.currency, a.as_of, a.as_of)
                    .where(a.tenant_id == tenant, a.customer_id.in_(chunk), a.status == IMPORTED))
        for stmt in (sent, imported):
            for cid, cur, at, on in session.connection().execute(stmt).all():
                out[(int(cid), str(cur))].append(at.date() if isinstance(at, dt.datetime) else on)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def customers_by_code(session: Session, tenant: int, codes: Iterable[str]) -> dict[str, tuple[int, str]]:
    """code → (id, segment) for the codes that exist."""
    wanted = sorted(set(codes))
    c = CustomerRow
    return {str(code): (int(cid), str(segment or "")) for code, cid, segment in session.execute(
        select(c.code, c.id, c.segment).where(c.tenant_id == tenant, c.code.in_(wanted))).all()}


def imported_references(session: Session, tenant: int) -> set[str]:
    a = CollectionActionRow
    return {str(r)[len(IMPORTED_REASON):] for r in session.scalars(
        select(a.reason).where(a.tenant_id == tenant, a.status == IMPORTED))}


def case_episode(session: Session, tenant: int, customer_id: int, currency: str, opened_on: dt.date) -> int:
    """The open episode of the customer×currency, opening the next one (on `opened_on`) when none is open."""
    k = CollectionCaseRow
    flt = (k.tenant_id == tenant, k.customer_id == customer_id, k.currency == currency)
    found = session.scalar(select(k.episode).where(*flt, k.closed_on.is_(None)))
    if found is not None:
        return int(found)
    episode = int(session.scalar(select(func.coalesce(func.max(k.episode), 0)).where(*flt)) or 0) + 1
    session.add(CollectionCaseRow(tenant_id=tenant, customer_id=customer_id, currency=currency, episode=episode,
                                  opened_on=opened_on))
    session.flush()
    return episode


def add_imported(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    session.add_all([CollectionActionRow(**row) for row in rows])
    session.flush()
