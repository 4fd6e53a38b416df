"""All SQL of the collector report: contacts (calls and meetings held, messages delivered), receipts on overdue
instalments, promises, the portfolio's open and overdue amounts as of a day (the ledger's one open rule,
`ledger.repository.open_items`), the period's sales, and the targets."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Protocol

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session

from cobro.collections.domain.performance import Contact, Receipt
from cobro.collections.records import CollectionActionRow, CollectorTargetRow, PromiseRow, TaskRow
from cobro.collections.schemas.performance import CollectorTarget
from cobro.delivery.records import OutboxMessageRow
from cobro.delivery.schemas import OutboxStatus
from cobro.kernel.types import DocumentKind
from cobro.ledger.records import AllocationRow, CustomerRow, InstalmentRow, InvoiceRow
from cobro.ledger.repository import open_items
from cobro.platform.uow import RepositoryKey

SEND_LAG_DAYS = 30  # how long after its action a delivered message may have left


class PerformanceRepository(Protocol):
    def contacts(self, start: dt.date, end: dt.date) -> list[Contact]: ...

    def receipts(self, start: dt.date, end: dt.date) -> list[Receipt]: ...

    def promises(self, start: dt.date, end: dt.date) -> list[tuple[str, bool, str]]:
        """(collector, made in the period, status if judged in the period else "")."""
        ...

    def tasks_done(self, start: dt.date, end: dt.date) -> list[tuple[str, str, str]]:
        """(collector, kind, outcome) of the calls and meetings held in the period."""
        ...

    def portfolio(self, as_of: dt.date) -> list[tuple[str, str, int, int, int]]:
        """(collector, currency, customers with something open, open, overdue) as of the day."""
        ...

    def sales(self, start: dt.date, end: dt.date) -> dict[tuple[str, str], int]: ...

    def targets(self, period: str) -> list[CollectorTarget]: ...

    def set_target(self, target: CollectorTarget, *, by: str) -> int | None:
        """Store the target; the amount it replaces (None: there was none)."""
        ...


class SqlPerformanceRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def contacts(self, start: dt.date, end: dt.date) -> list[Contact]:
        s, t = self.session, self.tenant
        held = s.execute(
            select(TaskRow.customer_id, TaskRow.collector, CustomerRow.collector, TaskRow.done_on, TaskRow.kind)
            .join(CustomerRow, CustomerRow.id == TaskRow.customer_id)
            .where(TaskRow.tenant_id == t, TaskRow.status == "done", TaskRow.done_on.between(start, end)))
        out = [Contact(cid, who or owner or "", day, kind) for cid, who, owner, day, kind in held if day is not None]
        # bounded on the action's day (indexed, no time zones), the delivery day checked below: a message leaves
        # on the day its action was planned or, after a channel was down, some days later
        sent = s.execute(
            select(CollectionActionRow.customer_id, CustomerRow.collector, OutboxMessageRow.sent_at,
                   OutboxMessageRow.channel)
            .join(CollectionActionRow, CollectionActionRow.id == OutboxMessageRow.action_id)
            .join(CustomerRow, CustomerRow.id == CollectionActionRow.customer_id)
            .where(OutboxMessageRow.tenant_id == t, OutboxMessageRow.status == OutboxStatus.SENT.value,
                   CollectionActionRow.as_of.between(start - dt.timedelta(days=SEND_LAG_DAYS), end)))
        out += [Contact(cid, owner or "", at.date(), channel) for cid, owner, at, channel in sent
                if at is not None and start <= at.date() <= end]
        return out

    def receipts(self, start: dt.date, end: dt.date) -> list[Receipt]:
        rows = self.session.execute(
            select(InstalmentRow.customer_id, AllocationRow.date, InstalmentRow.currency,
                   func.sum(AllocationRow.amount_minor))
            .join(InstalmentRow, InstalmentRow.id == AllocationRow.instalment_id)
            .where(AllocationRow.tenant_id == self.tenant, AllocationRow.date.between(start, end),
                   InstalmentRow.due_date < AllocationRow.date, AllocationRow.amount_minor > 0)
            .group_by(InstalmentRow.customer_id, AllocationRow.date, InstalmentRow.currency))
        return [Receipt(int(c), d, str(cur), int(m)) for c, d, cur, m in rows]

    def promises(self, start: dt.date, end: dt.date) -> list[tuple[str, bool, str]]:
        rows = self.session.execute(
            select(TaskRow.collector, PromiseRow.created_by, CustomerRow.collector, PromiseRow.promised_on,
                   PromiseRow.evaluated_on, PromiseRow.status)
            .join(CustomerRow, CustomerRow.id == PromiseRow.customer_id)
            .outerjoin(TaskRow, TaskRow.id == PromiseRow.task_id)
            .where(PromiseRow.tenant_id == self.tenant,
                   or_(PromiseRow.promised_on.between(start, end),
                       and_(PromiseRow.evaluated_on.is_not(None), PromiseRow.evaluated_on.between(start, end)))))
        out = []
        for task_collector, _created_by, owner, made, judged, status in rows:
            # a promise belongs to whoever took it on a call, else to the customer's collector (who follows it up)
            collector = task_collector or owner or ""
            judged_now = judged is not None and start <= judged <= end and status in ("kept", "broken")
            out.append((collector, start <= made <= end, status if judged_now else ""))
        return out

    def tasks_done(self, start: dt.date, end: dt.date) -> list[tuple[str, str, str]]:
        rows = self.session.execute(
            select(TaskRow.collector, CustomerRow.collector, TaskRow.kind, TaskRow.outcome)
            .join(CustomerRow, CustomerRow.id == TaskRow.customer_id)
            .where(TaskRow.tenant_id == self.tenant, TaskRow.status == "done", TaskRow.done_on.between(start, end)))
        return [(who or owner or "", kind, outcome or "") for who, owner, kind, outcome in rows]

    def portfolio(self, as_of: dt.date) -> list[tuple[str, str, int, int, int]]:
        inner = open_items.select_sql(as_of=":as_of", join_invoices=False, only_open=True)
        stmt = text(f"SELECT c.collector, o.currency, COUNT(DISTINCT o.customer_id), SUM(o.open_minor), "
                    f"SUM(CASE WHEN o.due_date < :as_of THEN o.open_minor ELSE 0 END) "
                    f"FROM ({inner}) o JOIN customers c ON c.id = o.customer_id "
                    f"GROUP BY c.collector, o.currency")
        rows = self.session.execute(stmt, {"t": self.tenant, "as_of": as_of})
        return [(str(who or ""), str(cur), int(n), int(o or 0), int(d or 0)) for who, cur, n, o, d in rows]

    def sales(self, start: dt.date, end: dt.date) -> dict[tuple[str, str], int]:
        rows = self.session.execute(
            select(CustomerRow.collector, InvoiceRow.currency, func.sum(InvoiceRow.amount_minor))
            .join(CustomerRow, CustomerRow.id == InvoiceRow.customer_id)
            .where(InvoiceRow.tenant_id == self.tenant, InvoiceRow.kind == DocumentKind.INVOICE.value,
                   InvoiceRow.issue_date.between(start, end))
            .group_by(CustomerRow.collector, InvoiceRow.currency))
        out: dict[tuple[str, str], int] = defaultdict(int)
        for who, cur, minor in rows:
            out[(str(who or ""), str(cur))] += int(minor or 0)
        return dict(out)

    def targets(self, period: str) -> list[CollectorTarget]:
        rows = self.session.scalars(select(CollectorTargetRow).where(
            CollectorTargetRow.tenant_id == self.tenant, CollectorTargetRow.period == period)
            .order_by(CollectorTargetRow.collector, CollectorTargetRow.currency))
        return [CollectorTarget(r.collector, r.period, r.currency, r.amount_minor) for r in rows]

    def set_target(self, target: CollectorTarget, *, by: str) -> int | None:
        row = self.session.scalar(select(CollectorTargetRow).where(
            CollectorTargetRow.tenant_id == self.tenant, CollectorTargetRow.collector == target.collector,
            CollectorTargetRow.period == target.period, CollectorTargetRow.currency == target.currency))
        if row is None:
            self.session.add(CollectorTargetRow(tenant_id=self.tenant, collector=target.collector,
                                                period=target.period, currency=target.currency,
                                                amount_minor=target.amount_minor, set_by=by))
            self.session.flush()
            return None
        before, row.amount_minor, row.set_by = row.amount_minor, target.amount_minor, by
        self.session.flush()
        return before


PERFORMANCE: RepositoryKey[PerformanceRepository] = RepositoryKey("collections.performance",
                                                                  SqlPerformanceRepository)
