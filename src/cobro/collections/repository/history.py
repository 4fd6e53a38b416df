"""Reads of what the cycle did and what was agreed: cycle runs, the actions of a run, payment plans.

Pages by id ("greater than the cursor's id"), so a listing stays stable while runs and plans are added.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.collections.domain.status import PlanStatus
from cobro.collections.records import CollectionActionRow, CycleRunRow, PaymentPlanRow, PlanInstalmentRow
from cobro.collections.schemas.history import CycleRun, PlannedActionRecord, PlanSummary
from cobro.ledger.records import CustomerRow
from cobro.platform.uow import RepositoryKey


class HistoryRepository(Protocol):
    def runs(self, *, after_id: int, limit: int, dry_run: bool | None) -> list[CycleRun]: ...

    def run(self, run_id: int) -> CycleRun | None: ...

    def run_actions(self, run_id: int, *, after_id: int, limit: int, channel: str) -> list[PlannedActionRecord]: ...

    def plans(self, *, after_id: int, limit: int, customer: str, status: str) -> list[PlanSummary]: ...


def _run(row: CycleRunRow) -> CycleRun:
    counts = json.loads(row.counts_json or "{}")
    return CycleRun(int(row.id), row.as_of, bool(row.dry_run), row.started_at, row.finished_at,
                    tuple(sorted((str(k), int(v)) for k, v in counts.items())))


class SqlHistoryRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def runs(self, *, after_id: int, limit: int, dry_run: bool | None) -> list[CycleRun]:
        stmt = select(CycleRunRow).where(CycleRunRow.tenant_id == self.tenant, CycleRunRow.id > after_id)
        if dry_run is not None:
            stmt = stmt.where(CycleRunRow.dry_run == dry_run)
        return [_run(r) for r in self.session.scalars(stmt.order_by(CycleRunRow.id).limit(limit))]

    def run(self, run_id: int) -> CycleRun | None:
        row = self.session.scalar(select(CycleRunRow).where(CycleRunRow.tenant_id == self.tenant,
                                                            CycleRunRow.id == run_id))
        return _run(row) if row is not None else None

    def run_actions(self, run_id: int, *, after_id: int, limit: int, channel: str) -> list[PlannedActionRecord]:
        a = CollectionActionRow
        stmt = (select(a, CustomerRow.code).join(CustomerRow, CustomerRow.id == a.customer_id)
                .where(a.tenant_id == self.tenant, a.run_id == run_id, a.id > after_id))
        if channel:
            stmt = stmt.where(a.channel == channel)
        return [PlannedActionRecord(int(r.id), r.run_id, str(code), r.currency, r.step, r.channel, r.as_of, r.episode,
                                    r.policy_name, r.policy_version, r.total_minor,
                                    tuple(int(i) for i in json.loads(r.items_json or "[]")), r.status, r.reason)
                for r, code in self.session.execute(stmt.order_by(a.id).limit(limit))]

    def plans(self, *, after_id: int, limit: int, customer: str, status: str) -> list[PlanSummary]:
        p = PaymentPlanRow
        stmt = (select(p, CustomerRow.code).join(CustomerRow, CustomerRow.id == p.customer_id)
                .where(p.tenant_id == self.tenant, p.id > after_id))
        if customer:
            stmt = stmt.where(CustomerRow.code == customer)
        if status:
            stmt = stmt.where(p.status == status)
        found = list(self.session.execute(stmt.order_by(p.id).limit(limit)))
        parts: dict[int, list[tuple[int, dt.date, int]]] = defaultdict(list)
        if found:
            for i in self.session.scalars(select(PlanInstalmentRow).where(
                    PlanInstalmentRow.tenant_id == self.tenant,
                    PlanInstalmentRow.plan_id.in_([int(r.id) for r, _ in found]))):
                parts[int(i.plan_id)].append((i.seq, i.due_date, i.amount_minor))
        return [PlanSummary(int(r.id), str(code), r.currency, r.total_minor, PlanStatus(r.status), r.agreed_on, r.note,
                            tuple((day, minor) for _, day, minor in sorted(parts[int(r.id)])))
                for r, code in found]


HISTORY = RepositoryKey("collections.history", SqlHistoryRepository)
