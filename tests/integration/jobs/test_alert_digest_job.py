"""The alert digest as a scheduled job, on SQLite and PostgreSQL: `cobro jobs run alert_digest` e-mails each user the
alerts addressed to them once; the day's slot runs once, and the next day's run sends nothing already sent."""

from __future__ import annotations

import datetime as dt
import json

from cobro.platform.container import Container
from cobro.risk.schemas import AlertKind
from cobro.risk.service import alerts
from tests.integration.jobs.helpers import UTC, MovingClock
from tests.integration.jobs.test_worker import invoke
from tests.integration.risk.test_alerts_received import _digest_mail, _setup

DAY = dt.date(2026, 6, 1)


def test_the_digest_job_delivers_each_alert_once(container: Container) -> None:
    container.clock = MovingClock(dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    cid = _setup(container)
    with container.uow() as uow:
        alerts.raise_alert(uow, kind=AlertKind.PROMISE_BROKEN, customer_id=cid, as_of=DAY,
                           message="ACME broke its promise of 1,200.00 EUR", subject="promise:1")
        uow.commit()
    code, out = invoke(container, "jobs", "run", "alert_digest", "--as-of", DAY.isoformat(), "--json")
    assert code == 0, out
    assert json.loads(out)["status"] == "done"
    code, out = invoke(container, "jobs", "run", "alert_digest", "--as-of", DAY.isoformat())
    assert code == 0 and "skipped already done" in out  # the day's slot ran
    code, out = invoke(container, "jobs", "run", "alert_digest", "--as-of", (DAY + dt.timedelta(days=1)).isoformat())
    assert code == 0, out
    mail = _digest_mail(container)
    assert {who for who, lines in mail.items() if any("broke its promise" in line for line in lines)} == {
        "carla@example.com"}  # the collector, once, though the job ran on two days
    assert sum("broke its promise" in line for line in mail["carla@example.com"]) == 1
