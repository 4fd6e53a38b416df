"""The daily alert digest: raise what a day's data shows (disputes still open past their resolve-by date, large
payments received), then send every user one e-mail listing the alerts addressed to them that they have not
received yet.  The worker's daily job calls `send_digests(uow, as_of=...)`; so does `cobro alerts digest`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cobro.kernel.money import Money, exponent
from cobro.platform.uow import Uow
from cobro.risk.domain.alerts import visible
from cobro.risk.repository.alert_store import ALERTS
from cobro.risk.schemas import AlertKind, AlertPreference, AlertStatus, DigestReport, UserDigest
from cobro.risk.service import alert_mail
from cobro.risk.service.alerts import raise_alert

LARGE_PAYMENT = Decimal(10_000)  # in the payment's currency: what counts as a large payment by default
LOOKBACK_DAYS = 7  # a payment booked a few days late still raises its alert (once: the key is the payment)


def raise_due_alerts(uow: Uow, *, as_of: dt.date, large_payment: Decimal = LARGE_PAYMENT) -> int:
    """Alerts the data of `as_of` calls for; how many were new.  A dispute past its date is one alert per
    dispute (its episode is the dispute), a large payment one per payment, a broken promise one per promise
    (unless `cobro risk score` already raised one for that customer since it broke)."""
    repo, new = uow.repo(ALERTS), 0
    first = as_of - dt.timedelta(days=LOOKBACK_DAYS - 1)
    # what `cobro risk score` raised (its keys are its own); those this scan raised are found by their key
    scored = [a for a in repo.alerts() if a.kind == AlertKind.PROMISE_BROKEN
              and not a.key.startswith(f"{AlertKind.PROMISE_BROKEN}:")]
    for b in repo.broken_promises(first, as_of):
        code = repo.customer(b.customer_id)
        if code is None or any(a.customer == code.code and a.as_of >= b.broken_on for a in scored):
            continue
        amount = Money.from_minor(b.amount_minor, b.currency)
        made = raise_alert(uow, kind=AlertKind.PROMISE_BROKEN, customer_id=b.customer_id, as_of=as_of,
                           subject=f"promise:{b.id}", episode=f"promise:{b.id}",
                           message=f"promise to pay {amount} by {b.due_on.isoformat()} was broken "
                                   f"(found on {b.broken_on.isoformat()})")
        new += made.created
    for d in repo.overdue_disputes(as_of):
        late = (as_of - d.resolve_by).days
        made = raise_alert(uow, kind=AlertKind.DISPUTE_OVERDUE, customer_id=d.customer_id, as_of=as_of,
                           subject=f"dispute:{d.id}", episode=f"dispute:{d.id}",
                           message=f"dispute #{d.id} ({d.reason or 'no reason'}) was due to be resolved by "
                                   f"{d.resolve_by.isoformat()}: {late} day{'s' if late != 1 else ''} late")
        new += made.created
    for p in repo.payments_between(first, as_of):
        amount = Money.from_minor(p.amount_minor, p.currency)
        if p.amount_minor < large_payment.scaleb(exponent(p.currency)):
            continue
        made = raise_alert(uow, kind=AlertKind.LARGE_PAYMENT, customer_id=p.customer_id, as_of=as_of,
                           subject=f"payment:{p.id}", episode=f"payment:{p.id}",
                           message=f"payment {p.reference} of {amount} received on {p.date.isoformat()}")
        new += made.created
    return new


def send_digests(uow: Uow, *, as_of: dt.date, large_payment: Decimal = LARGE_PAYMENT) -> DigestReport:
    """Raise the day's alerts, then queue one digest e-mail per user (preference daily or immediate: an
    immediate user still gets what was raised before they chose it) with the open, unsnoozed alerts addressed to
    them and not yet delivered to them.  Each delivery is marked, so running it again sends nothing twice."""
    raised = raise_due_alerts(uow, as_of=as_of, large_payment=large_payment)
    repo = uow.repo(ALERTS)
    shown = [a for a in repo.alerts(status=str(AlertStatus.OPEN))
             if a.as_of <= as_of and visible(status=str(a.status), snoozed_until=a.snoozed_until, as_of=as_of)]
    delivered = repo.delivered()
    readers = alert_mail.readers(uow)
    digests: list[UserDigest] = []
    for reader in sorted(readers, key=lambda r: r.email):
        if reader.mode == AlertPreference.OFF:
            continue
        due = sorted((a for a in shown if (a.id, reader.email) not in delivered and alert_mail.is_for(a, reader)),
                     key=lambda a: a.id)
        if due:
            key = alert_mail.send(uow, reader, due, as_of=as_of, mode=AlertPreference.DAILY)
            digests.append(UserDigest(reader.email, reader.mode, tuple(a.id for a in due), key))
    unaddressed = tuple(a.id for a in shown if not any(alert_mail.is_for(a, r) for r in readers))
    uow.flush()
    return DigestReport(as_of, raised, tuple(digests), unaddressed)
