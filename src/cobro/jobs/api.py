"""The worker part of `/api/ready` (`platform/http/health.py` asks it through `app.state.worker_readiness`)."""

from __future__ import annotations

from cobro.jobs import service
from cobro.jobs.schemas import Readiness
from cobro.platform.container import Container


def worker_readiness(container: Container) -> Readiness:
    """Fresh when a worker beat within `worker_heartbeat_max_age_seconds`; 0 turns the check off (an installation
    that runs no worker)."""
    max_age = container.settings.worker_heartbeat_max_age_seconds
    if max_age <= 0:
        return Readiness(True, "not checked (COBRO_WORKER_HEARTBEAT_MAX_AGE_SECONDS=0)", None)
    with container.uow() as uow:
        return service.readiness(uow, now=container.clock.now(), max_age_seconds=max_age)
