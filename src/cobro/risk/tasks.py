"""The daily alert digest as a job (`cobro worker`, docs/jobs.md): the use case `cobro alerts digest` calls, for one
tenant and its day, in one transaction. Each delivery is marked, so a second run of the day sends nothing twice, and
the job-runs table makes the slot run once."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cobro.platform.container import Container


def alert_digest(container: Container, tenant: str, *, as_of: dt.date, now: dt.datetime) -> str:
    from cobro.risk.service.digest import send_digests

    with container.uow(tenant) as uow:
        report = send_digests(uow, as_of=as_of)
        uow.commit()
    return (f"alerts {as_of}: raised {report.raised}, {report.delivered} delivered in {len(report.digests)} "
            f"digest(s), {len(report.unaddressed)} with no recipient")
