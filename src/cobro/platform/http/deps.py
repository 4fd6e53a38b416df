"""Request dependencies (Annotated aliases): the container built at start-up, one unit of work per request,
the tenant (header `X-Cobro-Tenant`, else the settings), today's date from the container's clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from cobro.platform.container import Container
from cobro.platform.db.features import Features
from cobro.platform.uow import UnitOfWork

TENANT_HEADER = "X-Cobro-Tenant"


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_tenant(container: ContainerDep, x_cobro_tenant: Annotated[
        str | None, Header(alias=TENANT_HEADER, max_length=64, description="Tenant code (default: settings)")
] = None) -> str:
    return x_cobro_tenant or container.settings.tenant


TenantDep = Annotated[str, Depends(get_tenant)]


def get_uow(container: ContainerDep, tenant: TenantDep) -> Iterator[UnitOfWork]:
    # read-only requests: the unit of work closes (and rolls back) at the end; nothing here commits.  It acts for
    # the request's tenant (the header), so services read `uow.tenant`
    with container.uow(tenant) as uow:
        yield uow


UowDep = Annotated[UnitOfWork, Depends(get_uow)]


def get_features(request: Request) -> Features:
    features: Features = request.app.state.features
    return features


FeaturesDep = Annotated[Features, Depends(get_features)]


def get_as_of(container: ContainerDep, as_of: Annotated[
        dt.date | None, Query(description="Report date (YYYY-MM-DD); default today")] = None) -> dt.date:
    return as_of or container.clock.today()


AsOfDep = Annotated[dt.date, Depends(get_as_of)]
