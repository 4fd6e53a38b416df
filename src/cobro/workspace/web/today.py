"""Today: the collector's ranked work for the day, and the actions taken from it in place (HTMX).

Every action calls the collections service that owns it (which audits and writes the timeline) with the signed-in
user as the actor, in a write unit of work (`WriteUowDep`).  The answer is the row again, updated, or the form
with the refusal in the user's language; a refused action writes nothing (the unit of work is rolled back).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from cobro.collections.service.holds import REASON_CODES
from cobro.collections.service.tasks import OUTCOMES as TASK_OUTCOMES
from cobro.kernel.dates import parse_day
from cobro.kernel.errors import CobroError, NotFoundError
from cobro.platform.http.auth import PrincipalDep, TenantDep, require
from cobro.platform.http.deps import AsOfDep, ContainerDep, FeaturesDep, UowDep, WriteUowDep
from cobro.platform.uow import UnitOfWork
from cobro.workspace import service as dashboard
from cobro.workspace.web.common import language, render, render_error

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse,
                   dependencies=[require("ledger.read")])
WORK = [require("collections.work")]

Code = Annotated[str, Form(max_length=64)]
Text = Annotated[str, Form(max_length=500)]
ACTIONS = ("outcome", "promise", "dispute", "hold")
# what a collector may choose: collections' outcomes and dispute reasons ("paid" is set by the cycle, not by hand)
OUTCOMES = tuple(o for o in TASK_OUTCOMES if o != "paid")
REASONS = tuple(REASON_CODES)


def _me(uow: UnitOfWork) -> str:
    """The collector the signed-in user is (the same name `mine=true` matches in the API)."""
    from cobro.identity import service as identity

    return identity.acting_name(uow)


@router.get("/today")
def today_page(request: Request, uow: UowDep, tenant: TenantDep, features: FeaturesDep, as_of: AsOfDep,
               container: ContainerDep, principal: PrincipalDep,
               collector: Annotated[str | None, Query(max_length=120)] = None) -> Response:
    if not features.collections or not features.risk:
        return render_error(request, 404, "Not found", "The collections feature is not installed.")
    me = _me(uow)
    role = principal.role_in(tenant)
    who = me if collector is None and role == "collector" else (collector or "")
    data = dashboard.today(uow, as_of, collector=who, rates=container.rates)
    return render(request, "today.html", d=data, me=me, as_of=as_of, tenant=tenant)


@router.get("/today/panels")
def today_panels(request: Request, uow: UowDep, tenant: TenantDep, as_of: AsOfDep, container: ContainerDep,
                 collector: Annotated[str, Query(max_length=120)] = "-") -> Response:
    """The promises and disputes beside the list, again after an action (htmx asks on `today-changed`);
    `collector` "-" is everyone's."""
    data = dashboard.today(uow, as_of, collector="" if collector == "-" else collector, rates=container.rates)
    return render(request, "fragments/today_panels.html", d=data, as_of=as_of, tenant=tenant)


@router.get("/today/forms/{action}", dependencies=WORK)
def action_form(request: Request, uow: UowDep, tenant: TenantDep, as_of: AsOfDep, action: str,
                customer: Annotated[str, Query(max_length=64)], rank: Annotated[int, Query(ge=0)] = 0,
                task: Annotated[int | None, Query(ge=1)] = None) -> Response:
    if action not in ACTIONS:
        raise NotFoundError(f"action: no action {action!r}")
    return _form(request, uow, tenant, as_of, action, customer=customer, rank=rank, task=task)


def _form(request: Request, uow: UnitOfWork, tenant: str, as_of: dt.date, action: str, *, customer: str,
          rank: int, task: int | None, error: str = "", values: dict[str, str] | None = None) -> Response:
    from cobro.ledger.service.customers import customer_statement

    invoices = [i for i in customer_statement(uow, customer, as_of=as_of).open_items if i.kind != "credit_note"] \
        if action == "dispute" else []
    return render(request, "fragments/today_form.html", action=action, customer=customer, rank=rank, task=task,
                  invoices=invoices, error=error, v=values or {}, outcomes=OUTCOMES, reasons=REASONS, as_of=as_of,
                  tenant=tenant)


def _row(request: Request, uow: UnitOfWork, tenant: str, as_of: dt.date, *, customer: str, rank: int,
         task: int | None, done: str, note: str) -> Response:
    row = dashboard.today_row(uow, as_of, customer=customer, task_id=task, rank=rank, done=done)
    response = render(request, "fragments/today_row.html", r=row, note=note, as_of=as_of, tenant=tenant)
    response.headers["HX-Trigger"] = "today-changed"  # the promises and disputes beside the list refresh
    return response


def _day(value: str, field: str, request: Request) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return parse_day(value)
    except ValueError:
        raise _Refused(_t(request, "err_date", field=field)) from None


class _Refused(Exception):  # a refusal shown in the form, not an error of the program
    pass


def _refuse(request: Request, uow: UnitOfWork, tenant: str, as_of: dt.date, action: str, exc: Exception, *,
            customer: str, rank: int, task: int | None, values: dict[str, str]) -> Response:
    uow.rollback()  # a refused action leaves nothing behind
    message = str(exc) if isinstance(exc, _Refused) else language(request).refusal(str(exc))
    response = _form(request, uow, tenant, as_of, action, customer=customer, rank=rank, task=task, error=message,
                     values=values)
    # the form posts to replace its row; a refusal replaces only the form, so the row stays as it was
    response.headers["HX-Retarget"] = f"#today-form-{rank}"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


@router.post("/today/outcome", dependencies=WORK)
def log_outcome(request: Request, uow: WriteUowDep, tenant: TenantDep, as_of: AsOfDep, customer: Code,
                task: Annotated[int, Form(ge=1)], outcome: Annotated[str, Form(max_length=30)],
                rank: Annotated[int, Form(ge=0)] = 0, note: Text = "", promise_amount: Text = "",
                promise_date: Text = "", dispute_reason: Annotated[str, Form(max_length=30)] = "other",
                callback: Text = "") -> Response:
    from cobro.collections.service import tasks

    values = {"outcome": outcome, "note": note, "promise_amount": promise_amount, "promise_date": promise_date,
              "dispute_reason": dispute_reason, "callback": callback}
    try:
        done = tasks.complete_task(uow, task, outcome=outcome, today=as_of, note=note, user=uow.actor.name
                                   if uow.actor else "", promise_amount=promise_amount,
                                   promise_date=_day(promise_date, "promise_date", request),
                                   dispute_reason=dispute_reason, callback=_day(callback, "callback", request))
    except (CobroError, _Refused) as exc:
        return _refuse(request, uow, tenant, as_of, "outcome", exc, customer=customer, rank=rank, task=task,
                       values=values)
    return _row(request, uow, tenant, as_of, customer=customer, rank=rank, task=task, done=str(done.outcome),
                note="done_outcome_callback" if callback.strip() else "done_outcome")


@router.post("/today/promise", dependencies=WORK)
def record_promise(request: Request, uow: WriteUowDep, tenant: TenantDep, as_of: AsOfDep, customer: Code,
                   amount: Text, due_on: Text, rank: Annotated[int, Form(ge=0)] = 0,
                   task: Annotated[int | None, Form(ge=1)] = None,
                   currency: Annotated[str, Form(max_length=3)] = "") -> Response:
    from cobro.collections.service import promises

    values = {"amount": amount, "due_on": due_on, "currency": currency}
    try:
        day = _day(due_on, "due_on", request)
        if day is None:
            raise _Refused(_t(request, "err_required", field="due_on"))
        promises.add_promise(uow, customer=customer, amount=amount, currency=currency.upper(), due_on=day,
                             today=as_of, user=uow.actor.name if uow.actor else "")
    except (CobroError, _Refused) as exc:
        return _refuse(request, uow, tenant, as_of, "promise", exc, customer=customer, rank=rank, task=task,
                       values=values)
    return _row(request, uow, tenant, as_of, customer=customer, rank=rank, task=task, done="",
                note="done_promise")


@router.post("/today/dispute", dependencies=WORK)
async def open_dispute(request: Request, uow: WriteUowDep, tenant: TenantDep, as_of: AsOfDep, customer: Code,
                       reason_code: Annotated[str, Form(max_length=30)], rank: Annotated[int, Form(ge=0)] = 0,
                       task: Annotated[int | None, Form(ge=1)] = None, note: Text = "") -> Response:
    from cobro.collections.service import holds

    invoices = [str(v)[:64] for v in (await request.form()).getlist("invoice")][:200]
    values = {"reason_code": reason_code, "note": note, "invoices": ",".join(invoices)}
    try:
        if not invoices:
            raise _Refused(_t(request, "err_pick_invoice"))
        holds.open_dispute(uow, customer=customer, invoices=invoices, reason_code=reason_code, today=as_of,
                           note=note, owner=uow.actor.name if uow.actor else "",
                           user=uow.actor.name if uow.actor else "")
    except (CobroError, _Refused) as exc:
        return _refuse(request, uow, tenant, as_of, "dispute", exc, customer=customer, rank=rank, task=task,
                       values=values)
    return _row(request, uow, tenant, as_of, customer=customer, rank=rank, task=task, done="",
                note="done_dispute")


@router.post("/today/hold", dependencies=WORK)
def put_hold(request: Request, uow: WriteUowDep, tenant: TenantDep, as_of: AsOfDep, customer: Code,
             reason: Text, until: Text = "", rank: Annotated[int, Form(ge=0)] = 0,
             task: Annotated[int | None, Form(ge=1)] = None) -> Response:
    from cobro.collections.service import holds

    values = {"reason": reason, "until": until}
    try:
        holds.add_hold(uow, customer=customer, reason=reason, today=as_of, until=_day(until, "until", request),
                       user=uow.actor.name if uow.actor else "")
    except (CobroError, _Refused) as exc:
        return _refuse(request, uow, tenant, as_of, "hold", exc, customer=customer, rank=rank, task=task,
                       values=values)
    return _row(request, uow, tenant, as_of, customer=customer, rank=rank, task=task, done="", note="done_hold")


def _t(request: Request, key: str, **values: str) -> str:
    fmt = language(request)
    return fmt.t(key, **{k: fmt.t(v) for k, v in values.items()})
