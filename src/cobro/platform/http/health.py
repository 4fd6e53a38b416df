from __future__ import annotations

from fastapi import APIRouter

from cobro import __version__
from cobro.platform.db.features import database_ok
from cobro.platform.http.auth import public
from cobro.platform.http.deps import ContainerDep
from cobro.platform.http.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
@public
def health(container: ContainerDep) -> Health:
    up = database_ok(container.engine)
    return Health(status="ok" if up else "degraded", version=__version__, database="ok" if up else "down")
