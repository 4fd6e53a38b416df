"""The daily cycle as a job (`cobro worker`, docs/jobs.md): the same use case `cobro cycle run` calls, for one
tenant and its day, in one transaction; a run for a day the tenant already ran plans nothing new (the cycle's own
keys), and the job-runs table makes the slot run once."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cobro.platform.container import Container


def daily_cycle(container: Container, tenant: str, *, as_of: dt.date, now: dt.datetime) -> str:
    from cobro.collections.service.cycle import run_cycle
    from cobro.platform import metrics

    started = time.monotonic()
    with container.uow(tenant) as uow:
        with uow.conflicts_as("the ledger changed while the cycle ran; nothing was written: the job runs again"):
            result = run_cycle(uow, as_of=as_of, now=now, rates=container.rates)
        uow.commit()
    metrics.record_cycle(tenant=tenant, seconds=time.monotonic() - started,  # committed: count it for /metrics
                         actions=Counter(str(a["channel"]) for a in result.actions).items())
    counts = result.as_dict()["counts"]
    return f"cycle {as_of}: " + (" ".join(f"{k}={v}" for k, v in counts.items()) or "nothing to do")
