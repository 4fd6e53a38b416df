"""PostgreSQL: `cobro worker` on procrastinate.  Two worker processes started together run each tenant's daily
cycle once for the day; the job engine's schema is applied once, in its own schema, by whichever starts first; a
slot job that fails is recorded failed and retried by procrastinate."""

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
from cobro.jobs import engine, service
from cobro.jobs.domain import Schedule, Scope
from cobro.platform.container import Container
from cobro.tenancy.service import create_tenant
from tests.integration.collections.collections_builder import Ledger
from tests.integration.jobs.helpers import Counting, job_runs, registry_of

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
