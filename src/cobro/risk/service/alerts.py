"""Alerts a collector has seen: acknowledging one records who did it in the audit log (the alert table keeps only
its status), so an alert raised for a collector and an account owner is answered once, by a known person."""

from __future__ import annotations

from cobro.kernel.errors import InvalidTransitionError, NotFoundError
from cobro.platform.uow import Uow
from cobro.risk.repository import RISK
from cobro.risk.schemas import AlertStatus, StoredAlert


def alert(uow: Uow, alert_id: int) -> StoredAlert:
    found = next((a for a in uow.repo(RISK).alerts() if a.id == alert_id), None)
    if found is None:
        raise NotFoundError(f"alert_id: no risk alert #{alert_id}")
    return found


def acknowledge(uow: Uow, alert_id: int, *, user: str) -> StoredAlert:
    """Open → acknowledged by `user` (the authenticated caller); an acknowledged alert stays as it is (409)."""
    current = alert(uow, alert_id)
    if current.status != AlertStatus.OPEN or not uow.repo(RISK).acknowledge_alert(alert_id):
        raise InvalidTransitionError(f"status: alert #{alert_id} is already {current.status}")
    from cobro.audit import service as audit
    from cobro.audit.schemas import Change

    audit.record(uow, Change("risk_alert", str(alert_id), "acknowledge", {"status": str(current.status)},
                             {"status": str(AlertStatus.ACKNOWLEDGED)}), user=user)
    uow.flush()
    return alert(uow, alert_id)
