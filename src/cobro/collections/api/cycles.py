"""/api/v1/cycles: run the daily cycle for a date, list runs and the actions each planned.

Running the cycle sends dunning to customers as the stored policies say: it needs `policy.write` (the credit
manager's and the admin's), like applying the policy it executes.  Reading runs needs `ledger.read`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from cobro.collections.api.common import DEFAULT, Cursor, Limit, after_id, created, page_by_id, with_etag
from cobro.collections.api.models import ActionOut, RunOut
from cobro.collections.service import history
from cobro.collections.service.cycle import run_cycle
from cobro.platform.http.auth import require
from cobro.platform.http.deps import ContainerDep, UowDep, WriteUowDep
from cobro.platform.http.paging import Page
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/v1/cycles", tags=["collections"], responses=PROBLEMS)
Id = Annotated[int, Path(ge=1, le=2**53)]
READ = [require("ledger.read")]


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"as_of": "2025-06-30"}, {}]})
    as_of: dt.date | None = Field(None, description="the day to run for; default today")


class RunResultOut(BaseModel):
    run: RunOut
    planned: int = Field(description="actions planned by this run (listed at /cycles/{id}/actions)")
    problems: list[str]


@router.post("", response_model=RunResultOut, status_code=201, dependencies=[require("policy.write")],
             summary="Run the cycle")
def run(uow: WriteUowDep, container: ContainerDep, response: Response,
        body: Annotated[RunIn | None, Body()] = None) -> RunResultOut:
    """Plan the day's actions with their messages, tasks and escalation cases, in one transaction.  Running the
    same day again plans nothing new (each step once per episode)."""
    day = (body.as_of if body else None) or container.clock.today()
    result = run_cycle(uow, as_of=day, now=container.clock.now(), rates=container.rates)
    out = RunResultOut(run=RunOut.of(history.run(uow, result.run_id)), planned=int(result.counts.get("planned", 0)),
                       problems=result.problems)
    return created(response, f"/api/v1/cycles/{result.run_id}", out)


@router.get("", response_model=Page[RunOut], dependencies=READ, summary="List cycle runs")
def list_runs(uow: UowDep, limit: Limit = DEFAULT, cursor: Cursor = None) -> Page[RunOut]:
    """Runs by id (oldest first); a dry run leaves no run behind."""
    rows = history.runs(uow, after_id=after_id(cursor), limit=limit + 1)
    return page_by_id(rows, limit=limit, id_of=lambda r: r.id, shape=RunOut.of)


@router.get("/{run_id}", response_model=RunOut, dependencies=READ, summary="Read a cycle run")
def get_run(uow: UowDep, run_id: Id, response: Response) -> RunOut:
    return with_etag(response, RunOut.of(history.run(uow, run_id)))


@router.get("/{run_id}/actions", response_model=Page[ActionOut], dependencies=READ,
            summary="List the actions a run planned")
def list_actions(uow: UowDep, run_id: Id, limit: Limit = DEFAULT, cursor: Cursor = None,
                 channel: Annotated[str, Query(max_length=20, description="e.g. email, letter, call")] = ""
                 ) -> Page[ActionOut]:
    rows = history.run_actions(uow, run_id, after_id=after_id(cursor), limit=limit + 1, channel=channel)
    return page_by_id(rows, limit=limit, id_of=lambda a: a.id, shape=ActionOut.of)
