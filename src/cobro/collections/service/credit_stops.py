"""Credit stops from the limit (docs/collections.md, "Credit stop from the limit"): the daily cycle sets a stop
when a customer's exposure goes over its effective limit by more than the policy's tolerance and tells the account
owner and the credit managers (an alert: `risk.service.alerts`); it lifts stops as `credit.stop_lifts_on` says.  A credit manager
lifts one by hand with a reason (`cobro credit lift`, `POST /api/v1/customers/{code}/credit-stop/lift`).

Every change is on the customer's timeline, in the audit log and a `credit_stop.set` / `credit_stop.lifted` event."""

from __future__ import annotations

import datetime as dt

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.collections.domain.credit import CreditCheck, CreditLine
from cobro.collections.domain.loops import over_tolerance, stop_lifts
from cobro.collections.repository import credit as credit_repo
from cobro.collections.repository import loops as repo
from cobro.collections.repository.work import WORK
from cobro.collections.schemas.work import CreditStop
from cobro.collections.service.credit import checks
from cobro.collections.service.policy import PolicyBook
from cobro.kernel.errors import InvalidInputError, InvalidTransitionError, NotFoundError
from cobro.platform.uow import UnitOfWork
from cobro.webhooks import service as webhooks

CYCLE = "cycle"


def _over(check: CreditCheck, tolerance_pct: int) -> list[CreditLine]:
    return [line for line in check.lines if over_tolerance(line.exposure, line.limit, tolerance_pct)]


def apply_credit_stops(uow: UnitOfWork, *, as_of: dt.date, book: PolicyBook) -> tuple[int, int]:
    """Set the stops the limits call for and lift those the policy lets go; returns (set, lifted)."""
    session, tenant = uow.session, uow.tenant.id
    rows = {r.code: r for r in credit_repo.customers(session, tenant)}
    active = repo.active_stops(session, tenant)
    overdue = repo.overdue_by_customer(session, tenant, as_of)
    in_case = {c.customer_id for c in repo.live_cases(session, tenant)}
    set_ = lifted = 0
    for check in checks(uow, as_of):
        row = rows.get(check.customer)
        if row is None:
            continue
        chosen = book.for_customer(row.id, row.segment)
        tolerance, rule = (chosen[2].limit_tolerance_pct, chosen[2].stop_lifts_on) if chosen else (0, "manual")
        over = _over(check, tolerance)
        if over and row.id not in active:
            reason = "over limit: " + "; ".join(
                f"exposure {line.exposure.format_plain()} {line.currency} over the limit "
                f"{line.limit.format_plain() if line.limit else '-'}" + (f" (+{tolerance}%)" if tolerance else "")
                for line in over)
            _set(uow, row.id, check.customer, reason=reason, as_of=as_of)
            _announce(uow, row.id, reason, as_of=as_of)
            set_ += 1
        elif row.id in active and stop_lifts(rule, overdue_minor=overdue.get(row.id, 0), over_limit=bool(over),
                                             open_case=row.id in in_case):
            why = ("nothing overdue and within the limit" if rule == "full_payment" else "within the limit")
            _lift(uow, row.id, check.customer, reason=f"{why} ({rule})", as_of=as_of, user=CYCLE)
            lifted += 1
    return set_, lifted


def _set(uow: UnitOfWork, customer_id: int, code: str, *, reason: str, as_of: dt.date) -> None:
    repo.set_stop(uow.session, uow.tenant.id, customer_id, reason=reason, on=as_of)
    _timeline(uow, customer_id, as_of, "credit_stop.set", f"credit stop set: {reason}", CYCLE)
    audit.record(uow, Change("credit_stop", str(customer_id), "set", {"credit_stop": False}, {"credit_stop": True},
                             reason=reason), user=CYCLE)
    webhooks.emit(uow, "credit_stop.set", entity=f"customer:{code}",
                  data={"customer": code, "reason": reason, "set_on": as_of.isoformat()})


def _lift(uow: UnitOfWork, customer_id: int, code: str, *, reason: str, as_of: dt.date, user: str) -> None:
    repo.lift_stop(uow.session, uow.tenant.id, customer_id, on=as_of)
    _timeline(uow, customer_id, as_of, "credit_stop.lifted", f"credit stop lifted: {reason}", user)
    audit.record(uow, Change("credit_stop", str(customer_id), "lift", {"credit_stop": True}, {"credit_stop": False},
                             reason=reason), user=user)
    webhooks.emit(uow, "credit_stop.lifted", entity=f"customer:{code}",
                  data={"customer": code, "reason": reason, "lifted_on": as_of.isoformat()})


def _timeline(uow: UnitOfWork, customer_id: int, day: dt.date, kind: str, summary: str, actor: str) -> None:
    uow.repo(WORK).timeline(customer_id, day=day, kind=kind, ref=f"customer:{customer_id}", actor=actor,
                            summary=summary)


def _announce(uow: UnitOfWork, customer_id: int, reason: str, *, as_of: dt.date) -> None:
    """Tell the account owner (and the credit managers): a `credit_stop_set` alert of the risk feature, which
    reaches them by e-mail at once or in their daily digest, as each of them chose."""
    from cobro.risk.schemas import AlertKind
    from cobro.risk.service.alerts import raise_alert

    raise_alert(uow, kind=AlertKind.CREDIT_STOP_SET, customer_id=customer_id, as_of=as_of,
                message=f"credit stop set: {reason}", subject=f"credit_stop:{customer_id}")


def lift_credit_stop(uow: UnitOfWork, customer: str, *, reason: str, today: dt.date, user: str = "") -> CreditStop:
    """A credit manager lifts the customer's active credit stop, saying why; returns the stop as it was."""
    if not reason.strip():
        raise InvalidInputError("reason: say why the credit stop is lifted")
    session, tenant = uow.session, uow.tenant.id
    found = credit_repo.customers(session, tenant, customer)
    if not found:
        raise NotFoundError(f"no customer with code {customer!r}")
    row = found[0]
    active = repo.active_stops(session, tenant)
    if row.id not in active:
        raise InvalidTransitionError(f"customer {customer} has no active credit stop")
    stop = next(s for s in uow.repo(WORK).credit_stops() if s.customer_id == row.id)
    _lift(uow, row.id, row.code, reason=reason.strip(), as_of=today, user=user)
    return stop
