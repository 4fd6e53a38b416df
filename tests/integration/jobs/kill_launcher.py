"""Test-only: run the daily-cycle job's slot as the worker does, and die (os._exit, no cleanup) at the end of the
cycle, after every action is written and flushed but before the cycle's transaction commits.

Usage: python kill_launcher.py SLOT_ISO NOW_ISO (the database from COBRO_DATABASE_URL).  Production code reads no switch:
the hook replaces the cycle repository's `finish_run` in this process only.
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
    slot = dt.datetime.fromisoformat(sys.argv[1])
    container = build(Settings(), clock=FixedClock(dt.datetime.fromisoformat(sys.argv[2])))
    cycle_repo.finish_run = _die  # type: ignore[assignment]
    execute(container, registry(container.settings).get("cycle"), "default", slot, as_of=slot.date(),
            worker="doomed")
    sys.exit(0)  # not reached: the cycle dies first


if __name__ == "__main__":
    main()
