"""/api/v1/tasks: the collectors' calls and meetings, and their outcomes (a promise or a dispute with details)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from cobro.collections.api.common import DEFAULT, Cursor, Limit, acting, page_over, today
from cobro.collections.api.models import OutcomeIn, OutcomeOut, ReassignIn, TaskOut
from cobro.collections.domain.status import DisputeReason, TaskOutcome, TaskStatus
from cobro.collections.schemas.work import TaskRecord
from cobro.collections.service import tasks
from cobro.identity import service as identity
from cobro.kernel.errors import InvalidInputError
from cobro.platform.http.auth import require
from cobro.platform.http.deps import ContainerDep, UowDep, WriteUowDep
from cobro.platform.http.paging import Page
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/v1/tasks", tags=["collections"], responses=PROBLEMS)
TaskSort = Literal["due_on", "id"]


def _due(t: TaskRecord) -> tuple[str | int, ...]:
    return (t.due_on.isoformat(), t.id)


def _id(t: TaskRecord) -> tuple[str | int, ...]:
    return (t.id,)


@router.get("", response_model=Page[TaskOut], dependencies=[require("ledger.read")], summary="List tasks")
def list_tasks(uow: UowDep, container: ContainerDep, limit: Limit = DEFAULT, cursor: Cursor = None,
               collector: Annotated[str, Query(max_length=120, description="one collector's tasks")] = "",
               mine: Annotated[bool, Query(description="the caller's worklist: tasks whose collector is the "
                                                       "caller's display name")] = False,
               status: TaskStatus | None = TaskStatus.OPEN,
               sort: Annotated[TaskSort, Query(description="due_on (then id) or id")] = "due_on") -> Page[TaskOut]:
    """Open tasks by due date unless told otherwise; `mine=true` and `collector` are exclusive."""
    if mine and collector:
        raise InvalidInputError("collector: give either collector or mine=true, not both")
    who = identity.acting_name(uow) if mine else collector  # a user's display name is what `collector` holds
    rows = tasks.list_tasks(uow, collector=who, status=status.value if status else "", today=today(container))
    if sort == "due_on":
        return page_over(rows, key=_due, kinds=(str, int), cursor=cursor, limit=limit, shape=TaskOut.of)
    return page_over(rows, key=_id, kinds=(int,), cursor=cursor, limit=limit, shape=TaskOut.of)


@router.post("/{task_id}/outcome", response_model=OutcomeOut, dependencies=[require("collections.work")],
             summary="Record a task's outcome")
def record_outcome(uow: WriteUowDep, container: ContainerDep, task_id: Annotated[int, Path(ge=1, le=2**53)],
                   body: OutcomeIn, response: Response) -> OutcomeOut:
    """Close an open task: `promise` records the promise (amount, date), `dispute` opens a dispute on the task's
    invoices with the reason given; the outcome lands on the customer's timeline."""
    if body.outcome == TaskOutcome.PROMISE and body.promise is None:
        raise InvalidInputError("promise: an outcome 'promise' needs promise.amount and promise.due_on")
    if body.outcome != TaskOutcome.PROMISE and body.promise is not None:
        raise InvalidInputError("promise: only with outcome 'promise'")
    if body.outcome != TaskOutcome.DISPUTE and body.dispute is not None:
        raise InvalidInputError("dispute: only with outcome 'dispute'")
    done = tasks.complete_task(
        uow, task_id, outcome=body.outcome, today=today(container), note=body.note,
        promise_amount=body.promise.amount if body.promise else "",
        promise_date=body.promise.due_on if body.promise else None, user=acting(uow),
        dispute_reason=body.dispute.reason_code if body.dispute else DisputeReason.OTHER, callback=body.callback)
    response.headers["Location"] = f"/api/v1/tasks/{task_id}"
    return OutcomeOut(task=done.task, outcome=done.outcome, promise=done.promise, dispute=done.dispute,
                      follow_up=done.follow_up)


@router.post("/{task_id}/reassign", response_model=TaskOut, dependencies=[require("collections.work")],
             summary="Give a task to another collector")
def reassign(uow: WriteUowDep, container: ContainerDep, task_id: Annotated[int, Path(ge=1, le=2**53)],
             body: ReassignIn) -> TaskOut:
    """An open task moves to another collector, with the reason on the timeline and in the audit log."""
    moved = tasks.reassign_task(uow, task_id, to=body.to, reason=body.reason, today=today(container),
                                user=acting(uow))
    return TaskOut.of(moved)
