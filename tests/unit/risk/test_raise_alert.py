"""raise_alert on the in-memory repositories: addressed by kind, once per key, announced as alert.raised; a
customer that does not exist is refused naming the field; snooze refuses a day that is not after today."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cobro.kernel.errors import InvalidInputError, NotFoundError
from cobro.risk.repository.alert_store import ALERTS
from cobro.risk.schemas import AlertKind
from cobro.risk.service import alerts
from cobro.webhooks.repository import WEBHOOKS
from tests.fakes import FakeUnitOfWork, InMemoryAlertRepository, InMemoryWebhooks

DAY = dt.date(2026, 6, 1)


def _uow() -> tuple[FakeUnitOfWork, InMemoryAlertRepository, InMemoryWebhooks]:
    repo, hooks = InMemoryAlertRepository([(7, "ACME", "carla", "owen")]), InMemoryWebhooks()
    return FakeUnitOfWork({ALERTS: repo, WEBHOOKS: hooks}), repo, hooks


def test_raised_once_per_key_for_the_people_of_its_kind() -> None:
    uow, repo, hooks = _uow()
    first = alerts.raise_alert(uow, kind=AlertKind.CREDIT_STOP_SET, customer_id=7, as_of=DAY,
                               message="credit stop set", subject="credit_stop:3")
    again = alerts.raise_alert(uow, kind=AlertKind.CREDIT_STOP_SET, customer_id=7, as_of=DAY,
                               message="credit stop set", subject="credit_stop:3")
    assert first.created and not again.created and first.id == again.id
    assert first.recipients == ("owen", "role:credit_manager")
    assert [(t, e) for t, e, _ in hooks.events] == [("alert.raised", f"alert:{first.id}")]
    assert json.loads(hooks.events[0][2])["kind"] == "credit_stop_set"
    next_day = alerts.raise_alert(uow, kind=AlertKind.CREDIT_STOP_SET, customer_id=7,
                                  as_of=DAY + dt.timedelta(days=1), message="credit stop set",
                                  subject="credit_stop:3", episode="stop:3")
    assert next_day.created and len(repo.stored) == 2


def test_refusals_name_the_field() -> None:
    uow, repo, _ = _uow()
    with pytest.raises(NotFoundError, match="customer_id:"):
        alerts.raise_alert(uow, kind=AlertKind.BOUNCE, customer_id=99, as_of=DAY, message="x")
    raised = alerts.raise_alert(uow, kind=AlertKind.BOUNCE, customer_id=7, as_of=DAY, message="x")
    with pytest.raises(InvalidInputError, match="until:"):
        alerts.snooze(uow, raised.id, until=DAY, today=DAY, user="carla")
    done = alerts.snooze(uow, raised.id, until=DAY + dt.timedelta(days=2), today=DAY, user="carla")
    assert done.snoozed_until == DAY + dt.timedelta(days=2)
    assert repo.stored[0].snoozed_until == DAY + dt.timedelta(days=2)
