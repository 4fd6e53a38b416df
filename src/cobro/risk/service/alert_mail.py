"""Who receives alerts and the e-mail that carries them (through the outbox), shared by raising an alert (users
who want each one at once) and the daily digest.  Every delivery is marked per alert and user, so an alert reaches
a user once whatever runs again."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from cobro.delivery.schemas import CreditorPart, CustomerPart, MessageContext, OutboxMessage
from cobro.delivery.service.outbox import enqueue_one
from cobro.identity import service as identity
from cobro.platform.uow import UnitOfWork, Uow
from cobro.risk.domain.alerts import addressed_to
from cobro.risk.repository.alert_store import ALERTS
from cobro.risk.schemas import AlertPreference, StoredAlert

TEMPLATE = "alert_digest"


@dataclass(frozen=True, slots=True)
class Reader:
    """A user of the tenant who may receive alerts."""

    email: str
    name: str
    roles: tuple[str, ...]
    mode: AlertPreference


def readers(uow: Uow) -> list[Reader]:
    """Active users with a role in this tenant, each with their preference (daily when never set)."""
    prefs = uow.repo(ALERTS).preferences()
    out = []
    for user in identity.list_users(uow):
        roles = tuple(str(m.role) for m in user.memberships if m.tenant == uow.tenant.code)
        if user.active and roles:
            out.append(Reader(user.email, user.display_name, roles,
                              AlertPreference(prefs.get(user.email, str(AlertPreference.DAILY)))))
    return out


def is_for(alert: StoredAlert, reader: Reader) -> bool:
    return addressed_to(alert.recipients, email=reader.email, display_name=reader.name, roles=reader.roles)


def send(uow: Uow, reader: Reader, alerts: Sequence[StoredAlert], *, as_of: dt.date, mode: AlertPreference) -> str:
    """Queue one e-mail to `reader` listing `alerts` and mark each delivered to them; the outbox key, or "" when
    this unit of work cannot write to the outbox (an in-memory one in unit tests)."""
    if not alerts:
        return ""
    ids = sorted(a.id for a in alerts)
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
    key = f"alerts:{mode}:{reader.email}:{as_of.isoformat()}:{digest}"
    if isinstance(uow, UnitOfWork):
        from cobro.tenancy.service import letterhead

        tenant = letterhead(uow)  # the digest speaks the tenant's language and names it as its customers know it
        context = MessageContext(
            customer=CustomerPart("", reader.name or reader.email), creditor=CreditorPart(tenant.display_name),
            as_of=as_of, step=TEMPLATE,
            notes=tuple(f"{a.customer} · {a.kind}: {a.message}" for a in alerts))
        enqueue_one(uow, uow.tenant.id, OutboxMessage(
            channel="email", template=TEMPLATE, idempotency_key=key, context=context, recipient=reader.email,
            recipient_name=reader.name, language=tenant.profile.language or "en"))
    repo = uow.repo(ALERTS)
    for alert_id in ids:
        repo.mark_delivered(alert_id, reader.email, mode=str(mode), day=as_of, outbox_key=key)
    uow.flush()
    return key
