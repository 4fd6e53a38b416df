"""`/api/health` is liveness (the process answers; the database state is reported, not required); `/api/ready` is
readiness: 200 only when the database answers, its migrations are at head and a worker's heartbeat is fresh."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from cobro import __version__
from cobro.platform.db.features import database_ok
from cobro.platform.db.migrate import at_head
from cobro.platform.http.auth import public
from cobro.platform.http.deps import ContainerDep
from cobro.platform.http.schemas import Health, Ready

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
@public
def health(container: ContainerDep) -> Health:
    up = database_ok(container.engine)
    return Health(status="ok" if up else "degraded", version=__version__, database="ok" if up else "down")


@router.get("/ready", response_model=Ready, responses={503: {"model": Ready, "description": "Not ready"}})
@public
def ready(request: Request, container: ContainerDep) -> Any:
    database = database_ok(container.engine)
    migrations = "unknown"
    if database:
        try:
            migrations = "ok" if at_head(container.engine) else "behind (run `cobro init`)"
        except Exception:  # an unreadable version table says "not ready", it must not fail the probe
            migrations = "unreadable"
    worker_ok, worker = False, "unknown: the database is down"
    check: Callable[[Any], Any] | None = getattr(request.app.state, "worker_readiness", None)
    if check is None:
        worker_ok, worker = True, "not checked"
    elif database and migrations == "ok":
        try:
            found = check(container)
            worker_ok, worker = found.fresh, found.detail
        except Exception:
            worker_ok, worker = False, "the heartbeat could not be read"
    ok = database and migrations == "ok" and worker_ok
    body = Ready(status="ready" if ok else "not ready", version=__version__,
                 database="ok" if database else "down", migrations=migrations, worker=worker)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
