"""Credit stops from the limit (docs/collections.md, "Credit stop from the limit"): the daily cycle sets a stop
when a customer's exposure goes over its effective limit by more than the policy's tolerance and tells the account
owner and the credit managers (an alert: `risk.service.alerts`); it lifts stops as `credit.stop_lifts_on` says.  A credit manager
lifts one by hand with a reason (`cobro credit lift`, `POST /api/v1/customers/{code}/credit-stop/lift`).

Every change is on the customer's timeline, in the audit log and a `credit_stop.set` / `credit_stop.lifted` event."""

from __future__ import annotations

import datetime as dt

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.collections.domain.credit import CreditCheck, CreditLine, LimitException, check_credit
from cobro.collections.domain.loops import over_tolerance, stop_lifts
from cobro.collections.repository import credit as credit_repo
from cobro.collections.repository import loops as repo
from cobro.collections.repository.work import WORK
from cobro.collections.schemas.work import CreditStop
from cobro.collections.service.policy import PolicyBook
from cobro.kernel.errors import InvalidInputError, InvalidTransitionError, NotFoundError
from cobro.kernel.money import Money
from cobro.platform.uow import UnitOfWork
from cobro.webhooks import service as webhooks

CYCLE = "cycle"


def _over(check: CreditCheck, tolerance_pct: int) -> list[CreditLine]:
    return [line for line in check.lines if over_tolerance(line.exposure, line.limit, tolerance_pct)]


def apply_credit_stops(uow: UnitOfWork, *, as_of: dt.date, book: PolicyBook) -> tuple[int, int]:
    """Set the stops the limits call for and lift those the policy lets go; returns (set, lifted).

    Set-based, as the cycle is: one aggregate of what each customer owes, and the full credit check (credit
    notes, unapplied cash, limit exceptions: `domain.credit.check_credit`) only for the few customers whose open
    amount could be over a limit; credit and exceptions only lower the exposure or raise the limit."""
    session, tenant = uow.session, uow.tenant.id
    owed = repo.owed(session, tenant, as_of)
    active = repo.active_stops(session, tenant)
    exceptions = credit_repo.limit_exceptions(session, tenant)
    in_case = {c.customer_id for c in repo.live_cases(session, tenant)}
    credits: dict[int, dict[str, int]] | None = None  # read once, when some customer may be over
    set_ = lifted = 0
    for row in repo.limits(session, tenant):
        mine = owed.get(row.id, {})
        if not mine and row.id not in active:
            continue
        chosen = book.for_customer(row.id, row.segment)
        policy = chosen[2] if chosen else None
        tolerance = policy.limit_tolerance_pct if policy else 0
        policy_limits = dict(policy.credit_limits) if policy else {}
        over: list[CreditLine] = []
        if row.id in exceptions or _may_be_over(row, mine, policy_limits, tolerance):
            if credits is None:
                credits = credit_repo.credits(session, tenant, as_of)
            over = _over(_check(row, as_of, mine, policy_limits, credits.get(row.id, {}),
                                exceptions.get(row.id, [])), tolerance)
        if over and row.id not in active:
            reason = "over limit: " + "; ".join(
                f"exposure {line.exposure.format_plain()} {line.currency} over the limit "
                f"{line.limit.format_plain() if line.limit else '-'}" + (f" (+{tolerance}%)" if tolerance else "")
                for line in over)
            _set(uow, row.id, row.code, reason=reason, as_of=as_of)
            _announce(uow, row.id, reason, as_of=as_of)
            set_ += 1
            continue
        rule = policy.stop_lifts_on if policy else "manual"
        overdue = sum(o.overdue_minor for o in mine.values())
        if row.id in active and stop_lifts(rule, overdue_minor=overdue, over_limit=bool(over),
                                           open_case=row.id in in_case):
            why = "nothing overdue and within the limit" if rule == "full_payment" else "within the limit"
            _lift(uow, row.id, row.code, reason=f"{why} ({rule})", as_of=as_of, user=CYCLE)
            lifted += 1
    return set_, lifted


def _base_limit(row: repo.Limits, currency: str, policy_limits: dict[str, int]) -> int | None:
    """The limit before exceptions, as `check_credit` takes it: the record's in its currency, else the policy's."""
    if row.limit_minor is not None and row.limit_currency == currency:
        return row.limit_minor
    return policy_limits.get(currency)


def _may_be_over(row: repo.Limits, owed: dict[str, repo.Owed], policy_limits: dict[str, int], tolerance: int) -> bool:
    """Whether the open amount alone passes a base limit by more than the tolerance (integer arithmetic)."""
    for currency, o in owed.items():
        base = _base_limit(row, currency, policy_limits)
        if base is not None and o.open_minor * 100 > base * (100 + tolerance):
            return True
    return False


def _check(row: repo.Limits, as_of: dt.date, owed: dict[str, repo.Owed], policy_limits: dict[str, int],
           credit: dict[str, int], exceptions: list[LimitException]) -> CreditCheck:
    record = (Money.from_minor(row.limit_minor, row.limit_currency)
              if row.limit_minor is not None and row.limit_currency else None)
    return check_credit(row.code, as_of, customer_limit=record,
                        policy_limits={c: Money.from_minor(m, c) for c, m in policy_limits.items()},
                        open_invoices={c: Money.from_minor(o.open_minor, c) for c, o in owed.items()},
                        credits={c: Money.from_minor(m, c) for c, m in credit.items()}, exceptions=exceptions)


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
