"""Each job run is counted for /metrics by outcome and timed, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from prometheus_client import REGISTRY

from cobro.jobs.domain import Schedule, Scope
from cobro.jobs.runner import execute
from cobro.platform.container import Container
from tests.integration.collections.collections_builder import Ledger
from tests.integration.jobs.helpers import UTC, Counting, MovingClock, registry_of

SLOT = dt.datetime(2026, 12, 4, 6, 0, tzinfo=UTC)


def _runs(job: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("cobro_job_runs_total", {"job": job, "outcome": outcome}) or 0.0


def test_job_runs_are_counted_by_outcome_and_timed(container: Container) -> None:
    container.clock = MovingClock(dt.datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    ok, failing = Counting(), Counting(fail=1)
    reg = registry_of(("metered", Schedule.daily(dt.time(6, 0)), ok, Scope.TENANT),
                      ("metered_failing", Schedule.daily(dt.time(6, 0)), failing, Scope.TENANT))
    before = (_runs("metered", "ok"), _runs("metered_failing", "failed"))
    timed = REGISTRY.get_sample_value("cobro_job_duration_seconds_count", {"job": "metered"}) or 0.0
    assert execute(container, reg.get("metered"), "default", SLOT, as_of=SLOT.date(), worker="w").status == "done"
    failed = execute(container, reg.get("metered_failing"), "default", SLOT, as_of=SLOT.date(), worker="w")
    assert failed.status != "done"
    assert (_runs("metered", "ok"), _runs("metered_failing", "failed")) == (before[0] + 1, before[1] + 1)
    assert REGISTRY.get_sample_value("cobro_job_duration_seconds_count", {"job": "metered"}) == timed + 1


def test_the_cycle_job_counts_its_run_and_actions(container: Container) -> None:
    from cobro.app.jobs import registry

    book = Ledger(container)
    book.policy()
    for n in range(3):
        book.invoice(book.customer(f"M{n}"), f"FM-{n}", dt.date(2026, 11, 1))
    container.clock = MovingClock(dt.datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    runs = REGISTRY.get_sample_value("cobro_cycle_runs_total", {"tenant": "default"}) or 0.0
    actions = sum(s.value for m in REGISTRY.collect() if m.name == "cobro_cycle_actions"
                  for s in m.samples if s.name.endswith("_total") and s.labels.get("tenant") == "default")
    outcome = execute(container, registry(container.settings).get("cycle"), "default", SLOT, as_of=SLOT.date(),
                      worker="w")
    assert outcome.status == "done" and "planned=3" in outcome.detail, outcome.detail
    assert REGISTRY.get_sample_value("cobro_cycle_runs_total", {"tenant": "default"}) == runs + 1
    after = sum(s.value for m in REGISTRY.collect() if m.name == "cobro_cycle_actions"
                for s in m.samples if s.name.endswith("_total") and s.labels.get("tenant") == "default")
    assert after == actions + 3
