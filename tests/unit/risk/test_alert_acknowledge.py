"""Acknowledging a risk alert on a FakeUnitOfWork: open → acknowledged once, audited with who did it."""

from __future__ import annotations

import datetime as dt

import pytest

from cobro.audit.repository import AUDIT
from cobro.kernel.errors import InvalidTransitionError, NotFoundError
from cobro.risk.repository import RISK
from cobro.risk.schemas import AlertKind, AlertStatus, Customer
from cobro.risk.service import alerts
from tests.fakes import FakeUnitOfWork, InMemoryAudit, InMemoryRiskRepository


def _uow() -> tuple[FakeUnitOfWork, InMemoryAudit]:
    repo = InMemoryRiskRepository(known=[Customer(1, "C1", "Uno SL", "ES", "ana", "", None, "")])
    repo.add_alert(1, kind=AlertKind.OVER_LIMIT, key="k1", as_of=dt.date(2025, 6, 1), message="over",
                   recipients=("ana",))
    log = InMemoryAudit()
    return FakeUnitOfWork({RISK: repo, AUDIT: log}), log


def test_acknowledge_changes_the_status_once_and_audits_the_user() -> None:
    uow, log = _uow()
    done = alerts.acknowledge(uow, 1, user="ana@example.com")
    assert done.status == AlertStatus.ACKNOWLEDGED
    assert [(r["entity"], r["entity_id"], r["action"], r["actor_name"]) for r in log.rows] == \
        [("risk_alert", "1", "acknowledge", "ana@example.com")]
    with pytest.raises(InvalidTransitionError, match=r"^status: alert #1 is already acknowledged"):
        alerts.acknowledge(uow, 1, user="luis@example.com")
    assert len(log.rows) == 1


def test_an_unknown_alert_is_not_found_and_nothing_is_audited() -> None:
    uow, log = _uow()
    with pytest.raises(NotFoundError, match=r"^alert_id:"):
        alerts.acknowledge(uow, 99, user="ana@example.com")
    assert log.rows == []
