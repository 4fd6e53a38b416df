"""PostgreSQL: `cobro worker` on procrastinate.  Two worker processes started together run each tenant's daily
cycle once for the day; the job engine's schema is applied once, in its own schema, by whichever starts first; a
slot job that fails is recorded failed and retried by procrastinate; a worker process killed during the cycle leaves
nothing half-done, and the next worker puts its job back in the queue and completes the cycle once."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

import cobro
from cobro.app.jobs import registry as all_jobs
from cobro.jobs import engine, service
from cobro.jobs.domain import Schedule, Scope
from cobro.platform.container import Container, build
from cobro.tenancy.service import create_tenant
from tests.integration.collections.collections_builder import Ledger
from tests.integration.jobs.helpers import Counting, cycle_runs, job_runs, registry_of
from tests.integration.jobs.kill_launcher import CRASH_EXIT

REPO = Path(__file__).resolve().parents[3]
SRC = str(Path(cobro.__file__).resolve().parents[1])  # the subprocess imports the cobro this test imports


def _clear_engine_tables(container: Container) -> None:
    with container.engine.begin() as conn:  # the engine's schema outlives the test database's reset of public
        if conn.execute(text("SELECT to_regclass('procrastinate.procrastinate_jobs')")).scalar() is not None:
            conn.execute(text("TRUNCATE procrastinate.procrastinate_jobs, procrastinate.procrastinate_periodic_defers"
                              " CASCADE"))


def test_two_workers_run_each_tenants_cycle_once(container: Container, db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("procrastinate runs on PostgreSQL; SQLite runs the same jobs in-process (test_worker.py)")
    _clear_engine_tables(container)
    book = Ledger(container)
    book.policy()
    book.invoice(book.customer("C1"), "F-1", dt.date(2026, 1, 5))
    with container.uow() as uow:
        create_tenant(uow, code="second", name="Second tenant")
        uow.commit()
    env = {**os.environ, "COBRO_DATABASE_URL": db_url, "PYTHONPATH": os.pathsep.join((SRC, str(REPO)))}
    command = [sys.executable, "-m", "cobro.app.cli", "worker", "--once", "--concurrency", "2"]
    workers = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    results = [w.communicate(timeout=180) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], results
    cycles = sorted(r for r in job_runs(container) if r[0] == "cycle")
    assert cycles == [("cycle", "default", "done", 1), ("cycle", "second", "done", 1)]
    with container.engine.connect() as conn:
        per_tenant = dict(conn.execute(text(
            "SELECT t.code, count(*) FROM cycle_runs r JOIN tenants t ON t.id = r.tenant_id "
            "WHERE NOT r.dry_run GROUP BY t.code")).all())
        engines = {r[0] for r in conn.execute(text("SELECT engine FROM worker_heartbeats")).all()}
        failed = conn.execute(text("SELECT count(*) FROM procrastinate.procrastinate_jobs "
                                   "WHERE status = 'failed'")).scalar()
    assert per_tenant == {"default": 1, "second": 1}
    assert engines == {"procrastinate"} and failed == 0


def test_a_failed_slot_is_retried_by_procrastinate(container: Container, db_url: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("procrastinate runs on PostgreSQL")
    _clear_engine_tables(container)
    monkeypatch.setattr(service, "RETRY_BASE_SECONDS", 1.0)  # procrastinate retries 2 s later, not a minute
    fn = Counting(fail=1)
    registry = registry_of(("daily", Schedule.daily(dt.time(0, 0), business_days_only=False), fn, Scope.TENANT))
    engine.run_procrastinate(container, registry, once=True)
    assert fn.calls == 1 and job_runs(container) == [("daily", "default", "failed", 1)]
    with container.engine.connect() as conn:
        waiting = conn.execute(text("SELECT status, attempts FROM procrastinate.procrastinate_jobs "
                                    "WHERE task_name = 'cobro.jobs.slot'")).all()
    assert [tuple(w) for w in waiting] == [("todo", 1)]  # procrastinate holds the retry
    time.sleep(2.2)
    engine.run_procrastinate(container, registry, once=True)
    assert fn.calls == 2 and job_runs(container) == [("daily", "default", "done", 2)]


def test_a_worker_killed_during_the_cycle_is_completed_by_the_next(container: Container, db_url: str,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("procrastinate runs on PostgreSQL; test_kill.py kills the in-process engine on both")
    _clear_engine_tables(container)
    book = Ledger(container)
    book.policy()
    book.invoice(book.customer("C1"), "F-1", dt.date(2026, 1, 5))
    env = {**os.environ, "COBRO_DATABASE_URL": db_url, "PYTHONPATH": os.pathsep.join((SRC, str(REPO)))}
    killed = subprocess.run([sys.executable, str(REPO / "tests/integration/jobs/kill_launcher.py"), "worker"],
                            env=env, capture_output=True, text=True, timeout=180, check=False)
    assert killed.returncode == CRASH_EXIT, killed.stderr
    assert cycle_runs(container) == 0
    assert [r for r in job_runs(container) if r[0] == "cycle"] == [("cycle", "default", "running", 1)]
    with container.engine.connect() as conn:
        doing = conn.execute(text("SELECT count(*) FROM procrastinate.procrastinate_jobs WHERE status = 'doing'"
                                  " AND task_name = 'cobro.jobs.slot'")).scalar()
    assert doing == 1  # the dead worker's job still holds the tenant's lock

    # the next worker: both heartbeats (procrastinate's and ours) of the dead one are stale after 1 s here
    monkeypatch.setattr(engine, "STALLED_SECONDS", 1.0)
    settings = container.settings.model_copy(update={"worker_heartbeat_max_age_seconds": 1.0})
    time.sleep(1.5)
    survivor = build(settings)
    try:
        engine.run_procrastinate(survivor, all_jobs(settings), once=True)
    finally:
        survivor.close()
    assert "cobro.jobs.slot" in caplog.text and "of a stopped worker goes back in the queue" in caplog.text
    assert cycle_runs(container) == 1
    assert [r for r in job_runs(container) if r[0] == "cycle"] == [("cycle", "default", "done", 2)]
