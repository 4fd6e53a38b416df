"""A worker killed during the daily cycle (a real subprocess, hard exit after the cycle wrote everything but
before it committed) leaves nothing half-done; the next worker, once the claim's lease is over, runs the slot
again and completes it once."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

import cobro
from cobro.app.jobs import registry
from cobro.collections.records import CollectionActionRow
from cobro.delivery.records import OutboxMessageRow
from cobro.jobs.runner import Pass
from cobro.platform.container import Container
from tests.integration.collections.collections_builder import Ledger
from tests.integration.jobs.helpers import UTC, MovingClock, cycle_runs, job_runs
from tests.integration.jobs.kill_launcher import CRASH_EXIT

LAUNCHER = Path(__file__).with_name("kill_launcher.py")
REPO = Path(__file__).resolve().parents[3]
SRC = str(Path(cobro.__file__).resolve().parents[1])  # the subprocess imports the cobro this test imports
SLOT = dt.datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
STARTED = SLOT + dt.timedelta(minutes=1)  # the doomed worker's clock


def counts(container: Container) -> tuple[int, int]:
    with container.sessions() as s:
        actions = s.scalar(select(func.count()).select_from(CollectionActionRow)) or 0
        messages = s.scalar(select(func.count()).select_from(OutboxMessageRow)) or 0
    return int(actions), int(messages)


def test_killed_during_the_cycle_then_completed_once(container: Container, db_url: str) -> None:
    book = Ledger(container)
    book.policy()
    for n in range(5):
        book.invoice(book.customer(f"C{n}"), f"F-{n}", dt.date(2026, 11, 1))
    env = {**os.environ, "COBRO_DATABASE_URL": db_url, "PYTHONPATH": os.pathsep.join((SRC, str(REPO)))}
    killed = subprocess.run([sys.executable, str(LAUNCHER), "slot", SLOT.isoformat(), STARTED.isoformat()], env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert killed.returncode == CRASH_EXIT, killed.stderr
    # nothing of the cycle is left: no run, no action, no message; only the claim, still "running"
    assert counts(container) == (0, 0) and cycle_runs(container) == 0
    assert job_runs(container) == [("cycle", "default", "running", 1)]

    clock = container.clock = MovingClock(STARTED + dt.timedelta(minutes=30))
    work = Pass(container, registry(container.settings), "next")
    assert [(o.job, o.status) for o in work.run() if o.slot == SLOT] == []  # the claim's lease still holds
    clock.move(seconds=container.settings.jobs_lease_seconds - 30 * 60)
    done = [o for o in work.run() if o.job == "cycle"]
    assert [(o.slot, o.status) for o in done] == [(SLOT, "done")]
    actions, messages = counts(container)
    assert actions > 0 and messages > 0 and cycle_runs(container) == 1
    assert [r for r in job_runs(container) if r[0] == "cycle"] == [("cycle", "default", "done", 2)]
    clock.move(minutes=5)
    assert [o for o in work.run() if o.job == "cycle"] == []  # done: never again for that day
    assert counts(container) == (actions, messages)
