"""Request dependencies (Annotated aliases): the container built at start-up, one unit of work per request,
the tenant (the principal's: `auth.get_tenant`), today's date from the container's clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request

from cobro.platform.container import Container
from cobro.platform.db.features import Features
from cobro.platform.http.auth import PrincipalDep, TenantDep, actor_of
from cobro.platform.http.params import Day
from cobro.platform.uow import UnitOfWork


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_uow(container: ContainerDep, principal: PrincipalDep, tenant: TenantDep) -> Iterator[UnitOfWork]:
    # read-only requests: the unit of work closes (and rolls back) at the end; nothing here commits.  It acts for
    # the principal's tenant (see auth.get_tenant) and records who acts (`uow.actor`)
    with container.uow(tenant) as uow:
        uow.actor = actor_of(principal, tenant)
        yield uow


UowDep = Annotated[UnitOfWork, Depends(get_uow)]


def get_write_uow(container: ContainerDep, principal: PrincipalDep, tenant: TenantDep) -> Iterator[UnitOfWork]:
    """For routes that change state: the unit of work commits when the route returned, rolls back when it raised.

    The commit happens before the response is sent (FastAPI finishes a yield dependency before answering), so a
    client that got 2xx knows the change is durable, and webhooks/outbox rows written with it leave only then."""
    with container.uow(tenant) as uow:
        uow.actor = actor_of(principal, tenant)
        yield uow
        uow.commit()


# scope="function": the commit runs when the route returns, before the response is sent
WriteUowDep = Annotated[UnitOfWork, Depends(get_write_uow, scope="function")]


def get_features(request: Request) -> Features:
    features: Features = request.app.state.features
    return features


FeaturesDep = Annotated[Features, Depends(get_features)]


def get_as_of(container: ContainerDep, as_of: Annotated[
        Day | None, Query(description="Report date (YYYY-MM-DD, 1990-01-01..2100-12-31); default today")
] = None) -> dt.date:
    return as_of or container.clock.today()


AsOfDep = Annotated[dt.date, Depends(get_as_of)]
