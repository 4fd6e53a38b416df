"""Outbox delivery as a job: `deliver_outbox` is the continuous job `cobro worker` runs (docs/jobs.md);
`run_worker` is the delivery-only loop it replaced, kept for callers that deliver without the job engine.

SIGTERM/SIGINT finish the message in flight and stop; a hard kill is safe too (see `cobro.delivery.service.deliver`).
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from cobro.delivery.service.deliver import Deliverer, DeliveryReport, make_deliverer

if TYPE_CHECKING:
    from cobro.platform.container import Container

log = logging.getLogger(__name__)


def deliver_outbox(container: Container, tenant: str, *, as_of: dt.date, now: dt.datetime) -> str:
    """One delivery pass over every tenant's due messages (the outbox is one queue; fencing keeps a message
    claimed by one worker at a time)."""
    deliverer = make_deliverer(settings=container.settings, sessions=container.sessions, clock=container.clock,
                               all_tenants=True)
    report = deliverer.deliver()
    return (f"claimed {report.claimed}: sent {len(report.sent)}, retry {len(report.retried)}, "
            f"dead {len(report.dead)}")


def run_worker(deliverer: Deliverer, *, interval: float = 5.0, once: bool = False,
               stop: threading.Event | None = None,
               on_report: Callable[[DeliveryReport], None] | None = None) -> int:
    """Deliver until stopped; returns the number of passes made."""
    stop = stop or threading.Event()
    previous: dict[signal.Signals, object] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    passes = 0
    try:
        while not stop.is_set():
            try:
                report = deliverer.deliver()
            except Exception:  # a database hiccup must not kill the worker: log it and try again later
                log.exception("delivery pass failed")
                report = None
            passes += 1
            if report is not None and on_report is not None:
                on_report(report)
            if once:
                break
            stop.wait(interval)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
    return passes
