"""Test-only: die (os._exit, no cleanup) at the end of the daily cycle, after every action is written and flushed
but before the cycle's transaction commits.

    python kill_launcher.py slot SLOT_ISO NOW_ISO   run the cycle's slot as the worker does, the clock at NOW
    python kill_launcher.py worker                  run `cobro worker --once` on procrastinate (PostgreSQL)

The database comes from COBRO_DATABASE_URL.  Production code reads no switch: the hook replaces the cycle
repository's `finish_run` in this process only.
"""

from __future__ import annotations

import datetime as dt
import os
import sys

from cobro.app.jobs import registry
from cobro.collections.repository import cycle as cycle_repo
from cobro.jobs.runner import execute
from cobro.kernel.clock import FixedClock
from cobro.platform.container import build
from cobro.platform.settings import Settings

CRASH_EXIT = 41


def _die(*_: object, **__: object) -> None:
    sys.stdout.flush()
    os._exit(CRASH_EXIT)


def main() -> None:
    cycle_repo.finish_run = _die  # type: ignore[assignment]
    if sys.argv[1] == "worker":
        from cobro.jobs.engine import run_procrastinate

        container = build(Settings())
        run_procrastinate(container, registry(container.settings), once=True)
    else:
        slot = dt.datetime.fromisoformat(sys.argv[2])
        container = build(Settings(), clock=FixedClock(dt.datetime.fromisoformat(sys.argv[3])))
        execute(container, registry(container.settings).get("cycle"), "default", slot, as_of=slot.date(),
                worker="doomed")
    sys.exit(0)  # not reached: the cycle dies first


if __name__ == "__main__":
    main()
