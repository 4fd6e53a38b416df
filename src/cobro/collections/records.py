"""ORM rows of collections: policies, exceptions, pauses (holds, disputes, promises, plans), the daily cycle's
actions, tasks, timeline, escalation cases and customer flags.  (The outbox the cycle fills is delivery's:
`cobro.delivery.records.OutboxMessageRow`.)

Money is integer minor units plus an ISO 4217 code; every row carries its tenant.  Lists of items that a row
refers to (instalment ids, invoice numbers) are JSON text so one grouped action stays one row.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from cobro.platform.db.base import Base, IdType

_TS = DateTime(timezone=True)


def _tenant() -> Mapped[int]:
    return mapped_column(ForeignKey("tenants.id"), index=True)


def _customer(nullable: bool = False) -> Mapped[int]:
    return mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True, nullable=nullable)


def _created() -> Mapped[dt.datetime]:
    return mapped_column(_TS, server_default=func.now())


class PolicyRow(Base):
    """One stored version of a named policy: the YAML as written plus its parsed JSON."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("tenant_id", "name", "version"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    yaml_text: Mapped[str] = mapped_column(Text)
    parsed_json: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = _created()


class PolicyAssignmentRow(Base):
    """Which policy (by name; the newest version applies) covers the tenant, a segment or one customer."""

    __tablename__ = "policy_assignments"
    __table_args__ = (UniqueConstraint("tenant_id", "scope", "segment", "customer_id"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    scope: Mapped[str] = mapped_column(String(20))  # default | segment | customer
    segment: Mapped[str] = mapped_column(String(60), default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), nullable=True)
    policy_name: Mapped[str] = mapped_column(String(80))
    assigned_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = _created()


class PolicyExceptionRow(Base):
    """A governed deviation from the policy: requested by one user, approved by another, expiring on a date."""

    __tablename__ = "policy_exceptions"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    customer_id: Mapped[int] = _customer()
    kind: Mapped[str] = mapped_column(String(20))  # longer_terms | higher_limit | skip_step | pause
    value: Mapped[str] = mapped_column(String(120), default="")  # days, "amount CUR", or a step id
    justification: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(120))
    approved_by: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(20), default="requested")  # requested|approved|rejected|expired
    expires_on: Mapped[dt.date] = mapped_column(Date)
    decided_at: Mapped[dt.datetime | None] = mapped_column(_TS, nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = _created()


class HoldRow(Base):
    """Pauses dunning of a customer (invoice_id NULL) or of one invoice until a date (inclusive; NULL = open)."""

    __tablename__ = "holds"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    customer_id: Mapped[int] = _customer()
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    released_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = _created()


class DisputeRow(Base):
    """A disputed amount on one or more invoices; suspends only those items (partly, if the amount is partial)."""

    __tablename__ = "disputes"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    customer_id: Mapped[int] = _customer()
    invoice_ids_json: Mapped[str] = mapped_column(Text)  # JSON list of invoice ids
    reason_code: Mapped[str] = mapped_column(String(40))
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)  # 0 = the whole open amount
    currency: Mapped[str] = mapped_column(String(3))
    owner: Mapped[str] = mapped_column(String(120), default="")
    resolve_by: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | resolved
    opened_on: Mapped[dt.date] = mapped_column(Date)
    resolved_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    resolution: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = _created()


class PromiseRow(Base):
    """A promise to pay `amount` by `due_on`; pauses the customer×currency until due_on + grace_days."""

    __tablename__ = "promises"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    customer_id: Mapped[int] = _customer()
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    promised_on: Mapped[dt.date] = mapped_column(Date)  # when the promise was made
    due_on: Mapped[dt.date] = mapped_column(Date)
    grace_days: Mapped[int] = mapped_column(Integer, default=3)
    contact: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(20), default="phone")
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | kept | broken
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    evaluated_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    task_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = _created()


class PaymentPlanRow(Base):
    __tablename__ = "payment_plans"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    customer_id: Mapped[int] = _customer()
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(BigInteger)
    covered_json: Mapped[str] = mapped_column(Text)  # JSON list of instalment ids the plan replaces
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | completed | cancelled
    agreed_on: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = _created()


class PlanInstalmentRow(Base):
    __tablename__ = "payment_plan_instalments"
    __table_args__ = (UniqueConstraint("plan_id", "seq"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    plan_id: Mapped[int] = mapped_column(ForeignKey("payment_plans.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[dt.date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)


class CollectionCaseRow(Base):
    """One dunning episode of a customer×currency: opens when items first reach a step, closes when none do."""

    __tablename__ = "collection_cases"
    __table_args__ = (UniqueConstraint("tenant_id", "customer_id", "currency", "episode"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    customer_id: Mapped[int] = _customer()
    currency: Mapped[str] = mapped_column(String(3))
    episode: Mapped[int] = mapped_column(Integer)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class CollectionActionRow(Base):
    """A planned step.  The unique key makes a second concurrent run's insert conflict, so it plans nothing."""

    __tablename__ = "collection_actions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "customer_id", "currency", "step", "episode"),
        Index("ix_collection_actions_tenant_as_of", "tenant_id", "as_of"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    customer_id: Mapped[int] = _customer()
    currency: Mapped[str] = mapped_column(String(3))
    step: Mapped[str] = mapped_column(String(60))
    step_index: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))
    as_of: Mapped[dt.date] = mapped_column(Date)
    episode: Mapped[int] = mapped_column(Integer)
    policy_name: Mapped[str] = mapped_column(String(80), default="")
    policy_version: Mapped[int] = mapped_column(Integer, default=0)
    items_json: Mapped[str] = mapped_column(Text)  # JSON list of instalment ids (negative: payment-plan instalment)
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned | done | cancelled
    run_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[dt.datetime] = _created()


class TaskRow(Base):
    """A call or meeting for the customer's collector, closed with an outcome code."""

    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    customer_id: Mapped[int] = _customer()
    action_id: Mapped[int | None] = mapped_column(ForeignKey("collection_actions.id", ondelete="SET NULL"),
                                                  nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # call | meeting
    collector: Mapped[str] = mapped_column(String(120), default="", index=True)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | done
    outcome: Mapped[str] = mapped_column(String(30), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = _created()


class TimelineEventRow(Base):
    __tablename__ = "timeline_events"
    __table_args__ = (Index("ix_timeline_events_customer_day", "customer_id", "day"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(40))
    ref: Mapped[str] = mapped_column(String(80), default="")  # e.g. "action:12", "task:3"
    summary: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = _created()


class EscalationCaseRow(Base):
    __tablename__ = "escalation_cases"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    customer_id: Mapped[int] = _customer()
    action_id: Mapped[int | None] = mapped_column(ForeignKey("collection_actions.id", ondelete="SET NULL"),
                                                  nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    items_json: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | handed_off | closed
    opened_on: Mapped[dt.date] = mapped_column(Date)
    handed_off_to: Mapped[str] = mapped_column(String(200), default="")
    handed_off_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = _created()


class CustomerFlagRow(Base):
    """Flags for other teams (credit_stop for sales) kept apart from the customers table."""

    __tablename__ = "customer_flags"
    __table_args__ = (UniqueConstraint("tenant_id", "customer_id", "flag"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    customer_id: Mapped[int] = _customer()
    flag: Mapped[str] = mapped_column(String(40))  # credit_stop
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    set_on: Mapped[dt.date] = mapped_column(Date)
    cleared_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class TermsAcknowledgementRow(Base):
    __tablename__ = "terms_acknowledgements"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    customer_id: Mapped[int] = _customer()
    terms: Mapped[str] = mapped_column(String(60))
    statement: Mapped[str] = mapped_column(Text, default="")  # what was acknowledged (interest, consequences)
    acknowledged_on: Mapped[dt.date] = mapped_column(Date)
    acknowledged_by: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(20), default="email")
    recorded_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = _created()


class CycleRunRow(Base):
    __tablename__ = "cycle_runs"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    as_of: Mapped[dt.date] = mapped_column(Date)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[dt.datetime] = mapped_column(_TS)
    finished_at: Mapped[dt.datetime | None] = mapped_column(_TS, nullable=True)
    counts_json: Mapped[str] = mapped_column(Text, default="{}")


# --- the agency handoff and collector targets (issue 15, items 7 and 8) ----------------------------------------

class AgencyUpdateRow(Base):
    """A status report from the collection agency or lawyer holding a case, as they gave it (CLI, API or a CSV of
    updates); the last one is the case's agency status.  `reference` is the agency's own, so re-imports skip it."""

    __tablename__ = "agency_updates"
    __table_args__ = (Index("ix_agency_updates_case", "case_id", "id"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    case_id: Mapped[int] = mapped_column(ForeignKey("escalation_cases.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    recovered_minor: Mapped[int] = mapped_column(BigInteger, default=0)  # what the agency says it collected
    reference: Mapped[str] = mapped_column(String(120), default="")
    source: Mapped[str] = mapped_column(String(20), default="cli")  # cli | api | import
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = _created()


class CollectorTargetRow(Base):
    """What a collector is expected to recover in a month (`period` YYYY-MM), per currency."""

    __tablename__ = "collector_targets"
    __table_args__ = (UniqueConstraint("tenant_id", "collector", "period", "currency"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = _tenant()
    collector: Mapped[str] = mapped_column(String(120))
    period: Mapped[str] = mapped_column(String(7))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    set_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = _created()
