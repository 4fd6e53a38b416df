"""Alerts people receive: raising one (once per subject and day or episode), acknowledging, snoozing, and each
user's preference.  Acknowledging records who did it in the audit log (the alert table keeps only its status), so
an alert raised for a collector and an account owner is answered once, by a known person.

Producers in other features call `raise_alert` (importing `cobro.risk.service.alerts` and `cobro.risk.schemas`);
the daily digest is `cobro.risk.service.digest.send_digests`.
"""

from __future__ import annotations

import datetime as dt

from cobro.kernel.errors import InvalidInputError, InvalidTransitionError, NotFoundError
from cobro.platform.uow import Uow
from cobro.risk.domain.alerts import alert_key, recipient_tags, visible
from cobro.risk.repository import RISK
from cobro.risk.repository.alert_store import ALERTS
from cobro.risk.schemas import AlertKind, AlertPreference, AlertStatus, NewAlert, StoredAlert
from cobro.risk.service import alert_mail


def alert(uow: Uow, alert_id: int) -> StoredAlert:
    found = next((a for a in uow.repo(RISK).alerts() if a.id == alert_id), None)
    if found is None:
        raise NotFoundError(f"alert_id: no risk alert #{alert_id}")
    return found


def _stored(uow: Uow, alert_id: int) -> StoredAlert:
    found = next((a for a in uow.repo(ALERTS).alerts() if a.id == alert_id), None)
    if found is None:
        raise NotFoundError(f"alert_id: no risk alert #{alert_id}")
    return found


def raise_alert(uow: Uow, *, kind: AlertKind, customer_id: int, as_of: dt.date, message: str,
                subject: str = "", episode: str = "") -> NewAlert:
    """Raise an alert of `kind` about a customer, for the people its kind goes to (collector, account owner,
    credit managers).  `subject` names what it is about ("credit_stop:12", "dispute:7"); the same kind, customer
    and subject on the same day (or in the same `episode`, when given) is the same alert and is not stored twice.
    A new alert is announced as the `alert.raised` webhook event and e-mailed at once to users who asked for that;
    the others get it in their daily digest."""
    repo = uow.repo(ALERTS)
    customer = repo.customer(customer_id)
    if customer is None:
        raise NotFoundError(f"customer_id: no customer #{customer_id}")
    kind = AlertKind(kind)
    recipients = recipient_tags(str(kind), collector=customer.collector, account_owner=customer.account_owner)
    key = alert_key(str(kind), customer_id, subject=subject, as_of=as_of, episode=episode)
    alert_id, created = repo.add(customer_id, kind=kind, key=key, as_of=as_of, message=message,
                                 recipients=recipients)
    raised = NewAlert(alert_id, key, kind, customer.code, message, recipients, created)
    if created:
        from cobro.webhooks import service as webhooks

        webhooks.emit(uow, "alert.raised", entity=f"alert:{alert_id}",
                      data={"id": alert_id, "kind": str(kind), "customer": customer.code, "message": message,
                            "as_of": as_of.isoformat(), "recipients": list(recipients)})
        # users are looked up only when someone wants alerts at once (the cycle may raise many in one run)
        if str(AlertPreference.IMMEDIATE) in repo.preferences().values():
            stored = StoredAlert(alert_id, as_of, customer.code, kind, message, recipients, AlertStatus.OPEN)
            for reader in alert_mail.readers(uow):
                if reader.mode == AlertPreference.IMMEDIATE and alert_mail.is_for(stored, reader):
                    alert_mail.send(uow, reader, [stored], as_of=as_of, mode=AlertPreference.IMMEDIATE)
    uow.flush()
    return raised


def acknowledge(uow: Uow, alert_id: int, *, user: str) -> StoredAlert:
    """Open → acknowledged by `user` (the authenticated caller); an acknowledged alert stays as it is (409)."""
    current = alert(uow, alert_id)
    if current.status != AlertStatus.OPEN or not uow.repo(RISK).acknowledge_alert(alert_id):
        raise InvalidTransitionError(f"status: alert #{alert_id} is already {current.status}")
    _audit(uow, alert_id, "acknowledge", {"status": str(current.status)}, {"status": str(AlertStatus.ACKNOWLEDGED)},
           user=user)
    uow.flush()
    return alert(uow, alert_id)


def snooze(uow: Uow, alert_id: int, *, until: dt.date | None, today: dt.date, user: str) -> StoredAlert:
    """Hide an open alert from lists and digests until `until` (None: wake it now); a day not after `today` is
    refused, as is an acknowledged alert."""
    current = _stored(uow, alert_id)
    if until is not None and until <= today:
        raise InvalidInputError(f"until: {until.isoformat()} is not after {today.isoformat()}")
    if current.status != AlertStatus.OPEN or not uow.repo(ALERTS).snooze(alert_id, until):
        raise InvalidTransitionError(f"status: alert #{alert_id} is {current.status}; only open alerts snooze")
    _audit(uow, alert_id, "snooze", {"snoozed_until": _iso(current.snoozed_until)}, {"snoozed_until": _iso(until)},
           user=user)
    uow.flush()
    return _stored(uow, alert_id)


def alerts_for(uow: Uow, *, as_of: dt.date, user: str = "", include_hidden: bool = False) -> list[StoredAlert]:
    """Open alerts shown at `as_of` (snoozed ones hidden unless asked), only those addressed to `user` (an e-mail)
    when given."""
    found = [a for a in uow.repo(ALERTS).alerts(status=str(AlertStatus.OPEN))
             if include_hidden or visible(status=str(a.status), snoozed_until=a.snoozed_until, as_of=as_of)]
    if not user:
        return found
    reader = next((r for r in alert_mail.readers(uow) if r.email == user.strip().casefold()), None)
    if reader is None:
        raise NotFoundError(f"user: no user {user!r} in this tenant")
    return [a for a in found if alert_mail.is_for(a, reader)]


def set_preference(uow: Uow, *, user: str, mode: str) -> AlertPreference:
    """Store how `user` (an e-mail of a user of this tenant) receives alerts: off, daily or immediate."""
    try:
        chosen = AlertPreference(mode.strip().lower())
    except ValueError:
        raise InvalidInputError(f"mode: {mode!r} is not one of {', '.join(p.value for p in AlertPreference)}"
                                ) from None
    reader = next((r for r in alert_mail.readers(uow) if r.email == user.strip().casefold()), None)
    if reader is None:
        raise NotFoundError(f"user: no user {user!r} in this tenant")
    uow.repo(ALERTS).set_preference(reader.email, str(chosen))
    _audit(uow, 0, "set_preference", {"user": reader.email, "mode": str(reader.mode)},
           {"user": reader.email, "mode": str(chosen)}, user=reader.email, entity="risk_alert_preference")
    uow.flush()
    return chosen


def preference(uow: Uow, *, user: str) -> AlertPreference:
    reader = next((r for r in alert_mail.readers(uow) if r.email == user.strip().casefold()), None)
    if reader is None:
        raise NotFoundError(f"user: no user {user!r} in this tenant")
    return reader.mode


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _audit(uow: Uow, alert_id: int, action: str, before: dict[str, object], after: dict[str, object], *,
           user: str, entity: str = "risk_alert") -> None:
    from cobro.audit import service as audit
    from cobro.audit.schemas import Change

    ident = after.get("user") if entity == "risk_alert_preference" else alert_id
    audit.record(uow, Change(entity, str(ident), action, before, after), user=user)
