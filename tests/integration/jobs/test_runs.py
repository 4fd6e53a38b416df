"""Scheduled runs on SQLite and PostgreSQL: a slot runs once however many schedulers ask, a failure is recorded
and retried then given up, an abandoned run is taken over, the real daily cycle runs once per tenant and day."""

from __future__ import annotations

import datetime as dt
import threading

from cobro.jobs import service
from cobro.jobs.domain import Schedule, Scope
from cobro.jobs.runner import Pass, execute
from cobro.platform.container import Container
from cobro.tenancy.schemas import ProfileChanges
from cobro.tenancy.service import create_tenant
from tests.integration.collections.collections_builder import Ledger
from tests.integration.jobs.helpers import UTC, Counting, MovingClock, cycle_runs, job_runs, registry_of

FRIDAY = dt.datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
SLOT = dt.datetime(2026, 12, 4, 6, 0, tzinfo=UTC)  # 06:00 in UTC (the default tenant has no zone)
DAILY = Schedule.daily(dt.time(6, 0))


def test_a_slot_runs_once_even_when_two_schedulers_ask_at_once(container: Container) -> None:
    container.clock = MovingClock(FRIDAY)
    fn = Counting(pause=0.3)
    reg = registry_of(("daily", DAILY, fn, Scope.TENANT))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def scheduler(n: int) -> None:
        barrier.wait()
        outcomes.append(execute(container, reg.get("daily"), "default", SLOT, as_of=SLOT.date(),
                                worker=f"w{n}").status)

    threads = [threading.Thread(target=scheduler, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["done", "skipped"]
    assert fn.runs == {("default", SLOT.date()): 1}
    # and a third ask later (another machine, a restart) finds it done
    assert execute(container, reg.get("daily"), "default", SLOT, as_of=SLOT.date(), worker="w3").status == "skipped"
    assert job_runs(container) == [("daily", "default", "done", 1)]


def test_a_failing_job_is_recorded_failed_retried_then_given_up(container: Container) -> None:
    clock = container.clock = MovingClock(FRIDAY)
    fn = Counting(fail=10)
    reg = registry_of(("daily", DAILY, fn, Scope.TENANT))
    work = Pass(container, reg, "w1")
    first = work.run()
    assert [(o.job, o.status) for o in first] == [("daily", "failed")] and "boom 1" in first[0].detail
    assert job_runs(container) == [("daily", "default", "failed", 1)]
    with container.uow() as uow:
        failure = service.status(uow, now=clock.now()).failures[0]
    assert failure.error == "RuntimeError: boom 1" and failure.retry_at == FRIDAY + dt.timedelta(minutes=1)
    assert work.run() == []  # not before its retry time
    clock.move(minutes=1)
    assert [o.status for o in work.run()] == ["failed"]
    clock.move(minutes=2)
    assert [o.status for o in work.run()] == ["gave_up"]
    clock.move(hours=1)
    assert work.run() == []  # given up: the next run is tomorrow's slot
    assert job_runs(container) == [("daily", "default", "gave_up", 3)] and fn.calls == 3


def test_a_retry_that_succeeds_completes_the_slot(container: Container) -> None:
    clock = container.clock = MovingClock(FRIDAY)
    fn = Counting(fail=1)
    work = Pass(container, registry_of(("daily", DAILY, fn, Scope.TENANT)), "w1")
    assert [o.status for o in work.run()] == ["failed"]
    clock.move(minutes=1)
    assert [o.status for o in work.run()] == ["done"]
    assert job_runs(container) == [("daily", "default", "done", 2)] and fn.runs[("default", SLOT.date())] == 1


def test_an_abandoned_run_is_taken_over_after_its_lease(container: Container) -> None:
    clock = container.clock = MovingClock(FRIDAY)
    fn = Counting()
    job = registry_of(("daily", DAILY, fn, Scope.TENANT)).get("daily")
    with container.uow() as uow:  # a worker claimed the slot and died (no heartbeat row, so only the lease helps)
        assert service.claim(uow, job=job, tenant="default", slot=SLOT, worker="dead", now=clock.now(),
                             lease_seconds=60, stale_seconds=60).granted
        uow.commit()
    assert execute(container, job, "default", SLOT, as_of=SLOT.date(), worker="w2").status == "skipped"
    clock.move(seconds=container.settings.jobs_lease_seconds + 1)
    work = Pass(container, registry_of(("daily", DAILY, fn, Scope.TENANT)), "w2")
    assert [o.status for o in work.run()] == ["done"]
    assert job_runs(container) == [("daily", "default", "done", 2)] and fn.calls == 1


def test_a_stopped_heartbeat_frees_the_run_before_its_lease(container: Container) -> None:
    clock = container.clock = MovingClock(FRIDAY)
    fn = Counting()
    reg = registry_of(("daily", DAILY, fn, Scope.TENANT))
    with container.uow() as uow:
        service.beat(uow, worker="gone", engine="inline", started_at=clock.now(), now=clock.now())
        service.claim(uow, job=reg.get("daily"), tenant="default", slot=SLOT, worker="gone", now=clock.now(),
                      lease_seconds=3600, stale_seconds=120)
        uow.commit()
    clock.move(seconds=container.settings.worker_heartbeat_max_age_seconds + 1)
    assert [o.status for o in Pass(container, reg, "w2").run()] == ["done"]


def test_each_tenant_runs_in_its_own_time_zone(container: Container) -> None:
    container.clock = MovingClock(dt.datetime(2026, 12, 4, 5, 30, tzinfo=UTC))
    with container.uow() as uow:
        create_tenant(uow, code="mx", name="México", changes=ProfileChanges(time_zone="America/Mexico_City"))
        create_tenant(uow, code="es", name="España", changes=ProfileChanges(time_zone="Europe/Madrid", country="ES"))
        uow.commit()
    fn = Counting()
    outcomes = Pass(container, registry_of(("daily", DAILY, fn, Scope.TENANT)), "w1").run()
    # 05:30 UTC: Madrid's 06:00 (05:00 UTC) has passed, so "es" runs Friday; Mexico City (UTC-6) is still on
    # Thursday 23:30, so "mx" runs its latest slot, Thursday's; "default" (UTC) runs Thursday's too
    assert {(o.tenant, o.slot) for o in outcomes} == {
        ("es", dt.datetime(2026, 12, 4, 5, 0, tzinfo=UTC)),
        ("mx", dt.datetime(2026, 12, 3, 12, 0, tzinfo=UTC)),
        ("default", dt.datetime(2026, 12, 3, 6, 0, tzinfo=UTC))}
    assert fn.runs[("es", dt.date(2026, 12, 4))] == 1 and fn.runs[("mx", dt.date(2026, 12, 3))] == 1


def test_continuous_jobs_run_every_pass_that_is_due(container: Container) -> None:
    clock = container.clock = MovingClock(FRIDAY)
    fn = Counting()
    work = Pass(container, registry_of(("queue", Schedule.every(5), fn, Scope.GLOBAL)), "w1")
    work.run()
    work.run()  # within its interval: not again
    clock.move(seconds=5)
    work.run()
    assert fn.calls == 2 and fn.runs == {("", FRIDAY.date()): 2}
    assert job_runs(container) == []  # continuous runs are not slots: nothing to remember


def test_the_daily_cycle_runs_once_per_tenant_and_day(container: Container) -> None:
    from cobro.app.jobs import registry

    book = Ledger(container)
    book.policy()
    for n in range(3):
        book.invoice(book.customer(f"C{n}"), f"F-{n}", dt.date(2026, 11, 1))
    container.clock = MovingClock(FRIDAY)
    reg = registry(container.settings)
    cycle = reg.get("cycle")
    first = execute(container, cycle, "default", SLOT, as_of=SLOT.date(), worker="a")
    assert first.status == "done" and "planned=" in first.detail
    # a second scheduler (another process, the same day) skips it; the cycle ran once
    assert execute(container, cycle, "default", SLOT, as_of=SLOT.date(), worker="b").status == "skipped"
    assert cycle_runs(container) == 1
    assert [r for r in job_runs(container) if r[0] == "cycle"] == [("cycle", "default", "done", 1)]
