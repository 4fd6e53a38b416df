"""`cobro worker` on SQLite (and with `--engine inline` anywhere): the jobs run in this process on the same
schedule the PostgreSQL engine keeps; the job-runs table remembers what ran, so a restart runs a missed slot once.

SIGTERM/SIGINT finish the job in flight and stop; a database error in a pass (SQLite locked, PostgreSQL
restarting) is logged and the pass is tried again after `interval`, never fatal.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from cobro.jobs.registry import Registry
from cobro.jobs.runner import Heart, Outcome, Pass, worker_name
from cobro.platform.container import Container

log = logging.getLogger("cobro.jobs")


def run_inline(container: Container, registry: Registry, *, interval: float = 5.0, once: bool = False,
               stop: threading.Event | None = None, worker: str = "",
               on_outcome: Callable[[Outcome], None] | None = None) -> int:
    """Run passes until stopped; returns the number of passes made."""
    stop = stop or threading.Event()
    previous: dict[signal.Signals, object] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    name = worker or worker_name()
    heart = Heart(container, name, "inline").start()
    work = Pass(container, registry, name)
    passes = 0
    try:
        while not stop.is_set():
            try:
                outcomes = work.run()
                heart.error = next((o.detail for o in outcomes if o.failed), "")
            except Exception as exc:  # the database went away mid-pass: log, beat the error, try again
                log.exception("worker pass failed; trying again in %gs", interval)
                heart.error, outcomes = f"{type(exc).__name__}: {exc}"[:500], []
            passes += 1
            heart.beat()
            for outcome in outcomes:
                if on_outcome is not None:
                    on_outcome(outcome)
            if once:
                break
            stop.wait(interval)
    finally:
        heart.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
    return passes
