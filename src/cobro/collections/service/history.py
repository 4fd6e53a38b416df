"""What the cycle did (runs and the actions each planned) and the payment plans agreed, page by page."""

from __future__ import annotations

from cobro.collections.domain.status import PlanStatus
from cobro.collections.repository.history import HISTORY
from cobro.collections.schemas.history import CycleRun, PlannedActionRecord, PlanSummary
from cobro.kernel.errors import InvalidInputError, NotFoundError
from cobro.platform.uow import Uow

PLAN_STATUSES = tuple(s.value for s in PlanStatus)


def runs(uow: Uow, *, after_id: int = 0, limit: int = 50, dry_run: bool | None = None) -> list[CycleRun]:
    """Runs by id after `after_id`, at most `limit` (the API asks one more to know whether a page follows)."""
    return uow.repo(HISTORY).runs(after_id=after_id, limit=limit, dry_run=dry_run)


def run(uow: Uow, run_id: int) -> CycleRun:
    found = uow.repo(HISTORY).run(run_id)
    if found is None:
        raise NotFoundError(f"no cycle run #{run_id}")
    return found


def run_actions(uow: Uow, run_id: int, *, after_id: int = 0, limit: int = 50,
                channel: str = "") -> list[PlannedActionRecord]:
    """The actions run `run_id` planned (a dry run stores none: its transaction was rolled back)."""
    run(uow, run_id)  # an unknown (or another tenant's) run is not found rather than empty
    return uow.repo(HISTORY).run_actions(run_id, after_id=after_id, limit=limit, channel=channel)


def plans(uow: Uow, *, after_id: int = 0, limit: int = 50, customer: str = "", status: str = "") -> list[PlanSummary]:
    if status and status not in PLAN_STATUSES:
        raise InvalidInputError(f"status: one of {', '.join(PLAN_STATUSES)}")
    return uow.repo(HISTORY).plans(after_id=after_id, limit=limit, customer=customer, status=status)


def plan(uow: Uow, plan_id: int) -> PlanSummary:
    found = uow.repo(HISTORY).plans(after_id=plan_id - 1, limit=1, customer="", status="")
    if not found or found[0].id != plan_id:
        raise NotFoundError(f"no payment plan #{plan_id}")
    return found[0]
