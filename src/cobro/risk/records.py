"""ORM rows of risk: one stored score per customer and as-of date (so the next run can tell what worsened), and
the alerts raised from them.  Scores and days are not money; exposure is integer minor units plus its currency."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
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


class RiskScoreRow(Base):
    __tablename__ = "risk_scores"
    __table_args__ = (UniqueConstraint("tenant_id", "customer_id", "as_of"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    score: Mapped[int] = mapped_column(Integer)  # 0 (best) .. 100 (worst)
    grade: Mapped[str] = mapped_column(String(1))
    days_beyond_terms: Mapped[int] = mapped_column(Integer, default=0)  # rounded, for the worsening alert
    exposure_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="")
    broken_promises: Mapped[int] = mapped_column(Integer, default=0)
    reasons_json: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RiskAlertRow(Base):
    """An alert for the customer's collector and account owner.  `key` makes re-running a day idempotent."""

    __tablename__ = "risk_alerts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key"),
        Index("ix_risk_alerts_tenant_status", "tenant_id", "status"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # score_worsened | dbt_worsened | over_limit | promise_broken
    key: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[dt.date] = mapped_column(Date)
    message: Mapped[str] = mapped_column(Text)
    recipients: Mapped[str] = mapped_column(String(300), default="")  # comma-separated: collector, owner
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | acknowledged
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    snoozed_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # hidden before this day


class RiskAlertDeliveryRow(Base):
    """That an alert reached one user (in a digest or at once): the unique pair is what keeps an alert from being
    delivered twice, however often the digest runs."""

    __tablename__ = "risk_alert_deliveries"
    __table_args__ = (UniqueConstraint("alert_id", "user_email"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("risk_alerts.id", ondelete="CASCADE"), index=True)
    user_email: Mapped[str] = mapped_column(String(320))
    mode: Mapped[str] = mapped_column(String(20))  # daily | immediate: how it went
    delivered_on: Mapped[dt.date] = mapped_column(Date)
    outbox_key: Mapped[str] = mapped_column(String(200), default="")  # the e-mail that carried it


class RiskAlertPreferenceRow(Base):
    """How one user of a tenant wants alerts: off, a daily digest (the default) or each one at once."""

    __tablename__ = "risk_alert_preferences"
    __table_args__ = (UniqueConstraint("tenant_id", "user_email"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    user_email: Mapped[str] = mapped_column(String(320))
    mode: Mapped[str] = mapped_column(String(20))  # off | daily | immediate
