"""Queries behind risk scores, classification, recommendations and the worklist.

Tables of other features (promises, disputes, timeline_events, collection_actions, tasks, escalation_cases,
policies) are read only when they exist, so risk works on a bare ledger too.

Services reach these through the unit of work: ``uow.repo(RISK)`` is a `RiskRepository` (`SqlRiskRepository` here,
an in-memory one in tests/fakes.py), scoped to the unit of work's tenant and handing back values, not ORM rows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol

import polars as pl
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from cobro.ledger.records import CustomerRow
from cobro.ledger.repository import frames, open_items
from cobro.ledger.repository.frames import as_date, has_table
from cobro.platform.uow import RepositoryKey
from cobro.risk.records import RiskAlertRow, RiskScoreRow
from cobro.risk.schemas import AlertKind, AlertStatus, Customer, StoredAlert, StoredScore

# Resolutions that mean the customer's claim had no basis (free text, several languages).
_UNFOUNDED = re.compile(r"reject|unfounded|no basis|without basis|invalid|denied|not justified|customer liable|"
                        r"improcedente|sin fundamento|rechaza|desestim", re.IGNORECASE)
_CONTACT_OUTCOMES = ("reached", "promise", "dispute", "asks_for_copy", "refuses")


@dataclass
class Collections:
    """What the collections feature recorded about each customer (empty when it is not installed)."""

    promises_kept: dict[int, int] = field(default_factory=dict)
    promises_broken: dict[int, list[str]] = field(default_factory=dict)
    disputes_unfounded: dict[int, int] = field(default_factory=dict)
    contact_recent: dict[int, bool] = field(default_factory=dict)
    tried: dict[tuple[int, str], dict[str, int]] = field(default_factory=dict)  # (customer, currency) → counts
    installed: bool = False


def customers(session: Session, tenant: int) -> list[CustomerRow]:
    return list(session.scalars(select(CustomerRow).where(CustomerRow.tenant_id == tenant)
                                .order_by(CustomerRow.code)))


def last_payments(session: Session, tenant: int, as_of: dt.date) -> dict[int, dt.date]:
    sql = "SELECT customer_id, MAX(date) FROM payments WHERE tenant_id = :t AND date <= :d GROUP BY customer_id"
    return {int(c): as_date(d) for c, d in session.execute(text(sql), {"t": tenant, "d": as_of}) if d is not None}


_CHANNEL_ACTION = {"email": "remind", "sms": "remind", "whatsapp": "remind", "letter_pdf": "remind",
                   "call_task": "call", "meeting_task": "call", "escalation": "agency"}


def collections(session: Session, tenant: int, as_of: dt.date) -> Collections:
    out = Collections()
    p = {"t": tenant, "d": as_of, "since": as_of - dt.timedelta(days=60)}
    if has_table(session, "promises"):
        out.installed = True
        sql = """SELECT id, customer_id, status, due_on, grace_days, amount_minor, paid_minor, currency
                 FROM promises WHERE tenant_id = :t AND promised_on <= :d"""
        broken: dict[int, list[str]] = defaultdict(list)
        for pid, cid, status, due, grace, amount, paid, cur in session.execute(text(sql), p):
            lapsed = as_date(due) + dt.timedelta(days=int(grace or 0)) < as_of and int(paid or 0) < int(amount)
            if status == "broken" or (status == "pending" and lapsed):
                broken[int(cid)].append(f"#{pid} ({cur} due {as_date(due)})")
            elif status == "kept":
                out.promises_kept[int(cid)] = out.promises_kept.get(int(cid), 0) + 1
        out.promises_broken = dict(broken)
    if has_table(session, "disputes"):
        sql = "SELECT customer_id, resolution FROM disputes WHERE tenant_id = :t AND status = 'resolved'"
        for cid, resolution in session.execute(text(sql), p):
            if _UNFOUNDED.search(str(resolution or "")):
                out.disputes_unfounded[int(cid)] = out.disputes_unfounded.get(int(cid), 0) + 1
    if has_table(session, "timeline_events"):
        sql = "SELECT DISTINCT customer_id, kind FROM timeline_events WHERE tenant_id = :t AND day BETWEEN :since AND :d"
        for cid, kind in session.execute(text(sql), p):
            k = str(kind)
            if k.startswith("promise") or (k.startswith("task.") and k.rsplit(".", 1)[-1] in _CONTACT_OUTCOMES):
                out.contact_recent[int(cid)] = True
    if has_table(session, "collection_actions"):
        sql = """SELECT customer_id, currency, channel, COUNT(*) FROM collection_actions
                 WHERE tenant_id = :t AND as_of <= :d AND status <> 'cancelled' GROUP BY customer_id, currency, channel"""
        for cid, cur, channel, n in session.execute(text(sql), p):
            action = _CHANNEL_ACTION.get(str(channel))
            if action:
                bucket = out.tried.setdefault((int(cid), str(cur)), {})
                bucket[action] = bucket.get(action, 0) + int(n)
    return out


def default_policy_yaml(session: Session, tenant: int) -> str:
    """The YAML text of the tenant's default policy (newest version), '' when there is none."""
    if not has_table(session, "policies") or not has_table(session, "policy_assignments"):
        return ""
    name = session.execute(text("SELECT policy_name FROM policy_assignments WHERE tenant_id = :t AND scope = "
                                "'default'"), {"t": tenant}).scalar()
    if name is None:
        return ""
    value = session.execute(text("SELECT yaml_text FROM policies WHERE tenant_id = :t AND name = :n "
                                 "ORDER BY version DESC"), {"t": tenant, "n": name}).scalar()
    return str(value or "")


# --- stored scores and alerts --------------------------------------------------------------------------------

def previous_scores(session: Session, tenant: int, before: dt.date) -> dict[int, RiskScoreRow]:
    rows = session.scalars(select(RiskScoreRow).where(RiskScoreRow.tenant_id == tenant, RiskScoreRow.as_of < before)
                           .order_by(RiskScoreRow.as_of))
    return {r.customer_id: r for r in rows}  # the latest per customer wins


def save_score(session: Session, tenant: int, customer_id: int, as_of: dt.date, **values: object) -> None:
    row = session.scalars(select(RiskScoreRow).where(
        RiskScoreRow.tenant_id == tenant, RiskScoreRow.customer_id == customer_id,
        RiskScoreRow.as_of == as_of)).first()
    if row is None:
        row = RiskScoreRow(tenant_id=tenant, customer_id=customer_id, as_of=as_of)
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)


def add_alert(session: Session, tenant: int, customer_id: int, *, kind: str, key: str, as_of: dt.date,
              message: str, recipients: str) -> RiskAlertRow | None:
    """Insert unless an alert with this key exists (re-running a day raises nothing new)."""
    exists = session.scalar(select(RiskAlertRow.id).where(RiskAlertRow.tenant_id == tenant, RiskAlertRow.key == key))
    if exists is not None:
        return None
    row = RiskAlertRow(tenant_id=tenant, customer_id=customer_id, kind=kind, key=key, as_of=as_of, message=message,
                       recipients=recipients, status="open")
    session.add(row)
    return row


def alerts(session: Session, tenant: int, *, status: str = "", recipient: str = "") -> list[tuple[RiskAlertRow, str]]:
    q = (select(RiskAlertRow, CustomerRow.code).join(CustomerRow, CustomerRow.id == RiskAlertRow.customer_id)
         .where(RiskAlertRow.tenant_id == tenant).order_by(RiskAlertRow.as_of.desc(), RiskAlertRow.id))
    if status:
        q = q.where(RiskAlertRow.status == status)
    rows = [(a, str(code)) for a, code in session.execute(q)]
    if recipient:
        rows = [r for r in rows if recipient in r[0].recipients.split(",")]
    return rows


def acknowledge_alert(session: Session, tenant: int, alert_id: int) -> bool:
    """Mark an open alert acknowledged; False when the tenant has no such open alert (the status guard makes
    two collectors acknowledging at once change it once)."""
    done = session.execute(update(RiskAlertRow).where(
        RiskAlertRow.tenant_id == tenant, RiskAlertRow.id == alert_id,
        RiskAlertRow.status == str(AlertStatus.OPEN)).values(status=str(AlertStatus.ACKNOWLEDGED)))
    return bool(getattr(done, "rowcount", 0))


# --- worklist inputs ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WorkItem:
    kind: str  # task | case
    id: int
    customer_id: int
    currency: str
    action: str  # call | meeting | escalation
    collector: str
    due_on: dt.date | None


def open_work(session: Session, tenant: int, collector: str | None) -> list[WorkItem]:
    items: list[WorkItem] = []
    if has_table(session, "tasks"):
        sql = """SELECT t.id, t.customer_id, COALESCE(a.currency, ''), t.kind, t.collector, t.due_on FROM tasks t
                 LEFT JOIN collection_actions a ON a.id = t.action_id WHERE t.tenant_id = :t AND t.status = 'open'"""
        for tid, cid, cur, kind, who, due in session.execute(text(sql), {"t": tenant}):
            items.append(WorkItem("task", int(tid), int(cid), str(cur), str(kind), str(who or ""), as_date(due)))
    if has_table(session, "escalation_cases"):
        sql = """SELECT e.id, e.customer_id, e.currency, c.collector, e.opened_on FROM escalation_cases e
                 JOIN customers c ON c.id = e.customer_id WHERE e.tenant_id = :t AND e.status = 'open'"""
        for eid, cid, cur, who, opened in session.execute(text(sql), {"t": tenant}):
            items.append(WorkItem("case", int(eid), int(cid), str(cur), "escalation", str(who or ""), as_date(opened)))
    if collector:
        items = [i for i in items if i.collector == collector]
    return items


def partial_payments(session: Session, tenant: int, as_of: dt.date, days: int = 90) -> dict[int, int]:
    """Payments in the last `days` that went to items still open at `as_of` (part payments), per customer."""
    sql = ("SELECT s.customer_id, COUNT(DISTINCT b.payment_id) "
           + open_items.from_sql(as_of=":d", joins="JOIN allocations b ON b.instalment_id = s.id", only_open=True)
           + " AND b.date > :since AND b.date <= :d GROUP BY s.customer_id")
    p = {"t": tenant, "d": as_of, "since": as_of - dt.timedelta(days=days)}
    return {int(c): int(n) for c, n in session.execute(text(sql), p)}


# --- the repository the services use ----------------------------------------------------------------------------

class RiskRepository(Protocol):
    """What the risk services read and write (one tenant)."""

    def customers(self) -> list[Customer]:
        """Every customer, by code."""
        ...

    def ledger_frame(self, as_of: dt.date) -> pl.DataFrame:
        """The ledger's instalment frame as known on `as_of` (`cobro.ledger.repository.frames`)."""
        ...

    def collections(self, as_of: dt.date) -> Collections: ...

    def last_payments(self, as_of: dt.date) -> dict[int, dt.date]: ...

    def partial_payments(self, as_of: dt.date) -> dict[int, int]: ...

    def default_policy_yaml(self) -> str: ...

    def previous_scores(self, before: dt.date) -> dict[int, StoredScore]:
        """Each customer's latest stored score dated before `before`."""
        ...

    def save_score(self, customer_id: int, as_of: dt.date, score: StoredScore) -> None:
        """Insert or replace the customer's score of `as_of`."""
        ...

    def add_alert(self, customer_id: int, *, kind: AlertKind, key: str, as_of: dt.date, message: str,
                  recipients: tuple[str, ...]) -> bool:
        """Store an open alert unless one with `key` exists (re-running a day raises nothing new); True if new."""
        ...

    def alerts(self, *, status: str = "", recipient: str = "") -> list[StoredAlert]:
        """Newest first; `status`/`recipient` filter when given."""
        ...

    def acknowledge_alert(self, alert_id: int) -> bool:
        """Open → acknowledged; False when there is no such open alert."""
        ...

    def open_work(self, collector: str | None) -> list[WorkItem]: ...


class SqlRiskRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def customers(self) -> list[Customer]:
        return [Customer(r.id, r.code, r.legal_name, r.country or "", r.collector or "", r.account_owner or "",
                         r.credit_limit_minor, r.credit_limit_currency or "")
                for r in customers(self.session, self.tenant)]

    def ledger_frame(self, as_of: dt.date) -> pl.DataFrame:
        return frames.ledger_frame(self.session, self.tenant, as_of)

    def collections(self, as_of: dt.date) -> Collections:
        return collections(self.session, self.tenant, as_of)

    def last_payments(self, as_of: dt.date) -> dict[int, dt.date]:
        return last_payments(self.session, self.tenant, as_of)

    def partial_payments(self, as_of: dt.date) -> dict[int, int]:
        return partial_payments(self.session, self.tenant, as_of)

    def default_policy_yaml(self) -> str:
        return default_policy_yaml(self.session, self.tenant)

    def previous_scores(self, before: dt.date) -> dict[int, StoredScore]:
        return {cid: StoredScore(int(r.score), str(r.grade), int(r.days_beyond_terms), int(r.exposure_minor),
                                 str(r.currency or ""), int(r.broken_promises), tuple(json.loads(r.reasons_json or "[]")))
                for cid, r in previous_scores(self.session, self.tenant, before).items()}

    def save_score(self, customer_id: int, as_of: dt.date, score: StoredScore) -> None:
        save_score(self.session, self.tenant, customer_id, as_of, score=score.score, grade=score.grade,
                   days_beyond_terms=score.days_beyond_terms, exposure_minor=score.exposure_minor,
                   currency=score.currency, broken_promises=score.broken_promises,
                   reasons_json=json.dumps(list(score.reasons)))

    def add_alert(self, customer_id: int, *, kind: AlertKind, key: str, as_of: dt.date, message: str,
                  recipients: tuple[str, ...]) -> bool:
        return add_alert(self.session, self.tenant, customer_id, kind=str(kind), key=key, as_of=as_of,
                         message=message, recipients=",".join(recipients)) is not None

    def alerts(self, *, status: str = "", recipient: str = "") -> list[StoredAlert]:
        return [StoredAlert(a.id, a.as_of, code, AlertKind(a.kind), a.message,
                            tuple(r for r in a.recipients.split(",") if r), AlertStatus(a.status), a.snoozed_until)
                for a, code in alerts(self.session, self.tenant, status=status, recipient=recipient)]

    def acknowledge_alert(self, alert_id: int) -> bool:
        return acknowledge_alert(self.session, self.tenant, alert_id)

    def open_work(self, collector: str | None) -> list[WorkItem]:
        return open_work(self.session, self.tenant, collector)


RISK: RepositoryKey[RiskRepository] = RepositoryKey("risk", SqlRiskRepository)
