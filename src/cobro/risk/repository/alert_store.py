"""Queries behind the alerts people receive: raising one (once per key), snoozing, who already got which alert,
each user's preference, and what the daily scan looks for (disputes past their date, large payments).

`uow.repo(ALERTS)` is an `AlertRepository` for the unit of work's tenant.  The disputes table belongs to
collections and is read only when it exists, as the rest of risk does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from cobro.ledger.records import CustomerRow, PaymentRow
from cobro.ledger.repository.frames import as_date, has_table
from cobro.platform.uow import RepositoryKey
from cobro.risk.records import RiskAlertDeliveryRow, RiskAlertPreferenceRow, RiskAlertRow
from cobro.risk.schemas import AlertKind, AlertStatus, StoredAlert


@dataclass(frozen=True, slots=True)
class AlertCustomer:
    id: int
    code: str
    collector: str
    account_owner: str


@dataclass(frozen=True, slots=True)
class OverdueDispute:
    id: int
    customer_id: int
    resolve_by: dt.date
    reason: str


@dataclass(frozen=True, slots=True)
class ReceivedPayment:
    id: int
    customer_id: int
    reference: str
    date: dt.date
    amount_minor: int
    currency: str


@dataclass(frozen=True, slots=True)
class BrokenPromise:
    id: int
    customer_id: int
    due_on: dt.date
    amount_minor: int
    currency: str
    broken_on: dt.date


class AlertRepository(Protocol):
    """What the alert services read and write (one tenant)."""

    def customer(self, customer_id: int) -> AlertCustomer | None: ...

    def add(self, customer_id: int, *, kind: AlertKind, key: str, as_of: dt.date, message: str,
            recipients: tuple[str, ...]) -> tuple[int, bool]:
        """Store an open alert unless `key` exists; (its id, whether it is new)."""
        ...

    def alerts(self, *, status: str = "") -> list[StoredAlert]:
        """Newest first."""
        ...

    def snooze(self, alert_id: int, until: dt.date | None) -> bool:
        """Set (or clear) an open alert's snooze date; False when there is no such open alert."""
        ...

    def delivered(self) -> set[tuple[int, str]]:
        """(alert id, user e-mail) of every delivery made."""
        ...

    def mark_delivered(self, alert_id: int, user_email: str, *, mode: str, day: dt.date, outbox_key: str) -> None: ...

    def preferences(self) -> dict[str, str]:
        """User e-mail → off | daily | immediate (users not listed get the default)."""
        ...

    def set_preference(self, user_email: str, mode: str) -> None: ...

    def overdue_disputes(self, as_of: dt.date) -> list[OverdueDispute]:
        """Open disputes whose resolve-by date has passed at `as_of`."""
        ...

    def payments_between(self, first: dt.date, last: dt.date) -> list[ReceivedPayment]: ...

    def broken_promises(self, first: dt.date, last: dt.date) -> list[BrokenPromise]:
        """Promises the cycle found broken between `first` and `last`."""
        ...


class SqlAlertRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def customer(self, customer_id: int) -> AlertCustomer | None:
        row = self.session.get(CustomerRow, customer_id)
        if row is None or row.tenant_id != self.tenant:
            return None
        return AlertCustomer(row.id, row.code, row.collector or "", row.account_owner or "")

    def add(self, customer_id: int, *, kind: AlertKind, key: str, as_of: dt.date, message: str,
            recipients: tuple[str, ...]) -> tuple[int, bool]:
        found = self.session.scalar(select(RiskAlertRow.id).where(RiskAlertRow.tenant_id == self.tenant,
                                                                  RiskAlertRow.key == key))
        if found is not None:
            return int(found), False
        row = RiskAlertRow(tenant_id=self.tenant, customer_id=customer_id, kind=str(kind), key=key, as_of=as_of,
                           message=message, recipients=",".join(recipients)[:300], status=str(AlertStatus.OPEN))
        self.session.add(row)
        self.session.flush()
        return int(row.id), True

    def alerts(self, *, status: str = "") -> list[StoredAlert]:
        q = (select(RiskAlertRow, CustomerRow.code).join(CustomerRow, CustomerRow.id == RiskAlertRow.customer_id)
             .where(RiskAlertRow.tenant_id == self.tenant).order_by(RiskAlertRow.as_of.desc(), RiskAlertRow.id))
        if status:
            q = q.where(RiskAlertRow.status == status)
        return [StoredAlert(a.id, a.as_of, str(code), AlertKind(a.kind), a.message,
                            tuple(r for r in a.recipients.split(",") if r), AlertStatus(a.status), a.snoozed_until,
                            a.key)
                for a, code in self.session.execute(q)]

    def snooze(self, alert_id: int, until: dt.date | None) -> bool:
        done = self.session.execute(update(RiskAlertRow).where(
            RiskAlertRow.tenant_id == self.tenant, RiskAlertRow.id == alert_id,
            RiskAlertRow.status == str(AlertStatus.OPEN)).values(snoozed_until=until))
        return bool(getattr(done, "rowcount", 0))

    def delivered(self) -> set[tuple[int, str]]:
        q = select(RiskAlertDeliveryRow.alert_id, RiskAlertDeliveryRow.user_email).where(
            RiskAlertDeliveryRow.tenant_id == self.tenant)
        return {(int(a), str(u)) for a, u in self.session.execute(q)}

    def mark_delivered(self, alert_id: int, user_email: str, *, mode: str, day: dt.date, outbox_key: str) -> None:
        self.session.add(RiskAlertDeliveryRow(tenant_id=self.tenant, alert_id=alert_id, user_email=user_email,
                                              mode=mode, delivered_on=day, outbox_key=outbox_key[:200]))

    def preferences(self) -> dict[str, str]:
        q = select(RiskAlertPreferenceRow.user_email, RiskAlertPreferenceRow.mode).where(
            RiskAlertPreferenceRow.tenant_id == self.tenant)
        return {str(u): str(m) for u, m in self.session.execute(q)}

    def set_preference(self, user_email: str, mode: str) -> None:
        row = self.session.scalars(select(RiskAlertPreferenceRow).where(
            RiskAlertPreferenceRow.tenant_id == self.tenant, RiskAlertPreferenceRow.user_email == user_email)).first()
        if row is None:
            self.session.add(RiskAlertPreferenceRow(tenant_id=self.tenant, user_email=user_email, mode=mode))
        else:
            row.mode = mode

    def overdue_disputes(self, as_of: dt.date) -> list[OverdueDispute]:
        if not has_table(self.session, "disputes"):
            return []
        sql = ("SELECT id, customer_id, resolve_by, reason_code FROM disputes WHERE tenant_id = :t "
               "AND status = 'open' AND resolve_by IS NOT NULL AND resolve_by < :d ORDER BY id")
        out = []
        for did, cid, due, reason in self.session.execute(text(sql), {"t": self.tenant, "d": as_of}):
            day = as_date(due)
            if day is not None:
                out.append(OverdueDispute(int(did), int(cid), day, str(reason or "")))
        return out

    def payments_between(self, first: dt.date, last: dt.date) -> list[ReceivedPayment]:
        q = select(PaymentRow).where(PaymentRow.tenant_id == self.tenant, PaymentRow.date >= first,
                                     PaymentRow.date <= last).order_by(PaymentRow.id)
        return [ReceivedPayment(p.id, p.customer_id, p.reference, p.date, int(p.amount_minor), p.currency)
                for p in self.session.scalars(q)]

    def broken_promises(self, first: dt.date, last: dt.date) -> list[BrokenPromise]:
        if not has_table(self.session, "promises"):
            return []
        sql = ("SELECT id, customer_id, due_on, amount_minor, currency, evaluated_on FROM promises "
               "WHERE tenant_id = :t AND status = 'broken' AND evaluated_on >= :a AND evaluated_on <= :b ORDER BY id")
        return [BrokenPromise(int(i), int(c), as_date(due), int(amount), str(cur), as_date(on))
                for i, c, due, amount, cur, on in self.session.execute(
                    text(sql), {"t": self.tenant, "a": first, "b": last})]


ALERTS: RepositoryKey[AlertRepository] = RepositoryKey("risk_alerts", SqlAlertRepository)
