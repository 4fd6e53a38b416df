"""Policy exceptions under four eyes: one user requests with a justification, another approves; all expire."""

from __future__ import annotations

import dataclasses
import datetime as dt

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.collections.domain.status import ExceptionKind, ExceptionStatus
from cobro.collections.repository.work import WORK
from cobro.collections.schemas.work import PolicyExceptionRecord
from cobro.kernel.errors import ConflictError, InvalidInputError, InvalidTransitionError, NotFoundError
from cobro.kernel.money import Money, MoneyError
from cobro.platform.uow import Uow
from cobro.webhooks import service as webhooks


def _check_value(kind: ExceptionKind, value: str) -> str:
    value = value.strip()
    if kind == ExceptionKind.LONGER_TERMS:
        if not value.isdigit() or not 1 <= int(value) <= 180:
            raise InvalidInputError("value: longer_terms needs --value DAYS (1..180)")
    elif kind == ExceptionKind.HIGHER_LIMIT:
        try:
            amount, currency = value.split()
            Money.of(amount, currency)
        except (ValueError, MoneyError) as exc:
            raise InvalidInputError("value: higher_limit needs --value 'AMOUNT CUR', e.g. '50000 EUR'") from exc
    elif kind == ExceptionKind.SKIP_STEP and not value:
        raise InvalidInputError("value: skip_step needs --value STEP_ID")
    return value


def acting_user(uow: Uow, user: str) -> str:
    """Who acts: an authenticated actor (a logged-in user, an API key) is who they are, whatever `user` says;
    the local CLI names someone with --user (per command, else the global option)."""
    actor = uow.actor
    if actor is not None and actor.authenticated:
        return actor.name
    return user.strip() or (actor.name if actor is not None else "")


def request(uow: Uow, *, customer: str, kind: str, justification: str, user: str, expires_on: dt.date,
            today: dt.date, value: str = "") -> PolicyExceptionRecord:
    user = acting_user(uow, user)
    if kind not in {k.value for k in ExceptionKind}:
        raise InvalidInputError(f"kind: kind must be one of {', '.join(ExceptionKind)}")
    if not justification.strip():
        raise InvalidInputError("justification: an exception needs a justification")
    if not user.strip():
        raise InvalidInputError("name the requester with --user")
    if expires_on <= today:
        raise InvalidInputError("expires_on: an exception must expire after today")
    repo = uow.repo(WORK)
    cust = repo.customer(customer)
    the_kind = ExceptionKind(kind)
    row = repo.add_exception(customer_id=cust.id, kind=the_kind, value=_check_value(the_kind, value),
                             justification=justification.strip(), requested_by=user.strip(), expires_on=expires_on)
    repo.timeline(cust.id, day=today, kind="exception.requested", ref=f"exception:{row.id}", actor=user,
                  summary=f"{kind} {row.value} requested until {expires_on}: {justification}")
    audit.record(uow, Change("exception", str(row.id), "request", None, row.as_json(), reason=row.justification),
                 user=user)
    webhooks.emit(uow, "exception.requested", entity=f"exception:{row.id}", data=row.as_json())
    return row


def decide(uow: Uow, exception_id: int, *, user: str, approve: bool, today: dt.date, now: dt.datetime,
           note: str = "") -> PolicyExceptionRecord:
    """Approve or reject a requested exception; the requester cannot decide it (four eyes).  One past its expiry
    is marked expired instead (in the caller's transaction) and the decision refused."""
    user = acting_user(uow, user)
    repo = uow.repo(WORK)
    row = repo.find_exception(exception_id)
    if row is None:
        raise NotFoundError(f"no exception #{exception_id}")
    if row.status != ExceptionStatus.REQUESTED:
        raise InvalidTransitionError(f"exception #{row.id} is {row.status}, not awaiting a decision")
    if row.expires_on < today:
        repo.set_exception_status(row.id, ExceptionStatus.EXPIRED)
        uow.flush()
        raise InvalidTransitionError(f"exception #{row.id} expired on {row.expires_on} before a decision")
    if not user.strip():
        raise InvalidInputError("name the approver with --user")
    if user.strip().casefold() == row.requested_by.casefold():
        raise ConflictError(f"four eyes: {user} requested exception #{row.id} and cannot also decide it")
    status = ExceptionStatus.APPROVED if approve else ExceptionStatus.REJECTED
    before = row.as_json()
    row = repo.set_exception_status(row.id, status, approved_by=user.strip(), decided_at=now, note=note)
    repo.timeline(row.customer_id, day=today, kind=f"exception.{status}", ref=f"exception:{row.id}", actor=user,
                  summary=f"{row.kind} {row.value} {status} by {user}")
    audit.record(uow, Change("exception", str(row.id), str(status), before, row.as_json(), reason=note), user=user)
    webhooks.emit(uow, f"exception.{status}", entity=f"exception:{row.id}", data={**row.as_json(), "note": note})
    uow.flush()
    return row


def find(uow: Uow, exception_id: int, *, today: dt.date) -> PolicyExceptionRecord:
    """One exception with its status as of `today`; another tenant's id is not found."""
    row = uow.repo(WORK).find_exception(exception_id)
    if row is None:
        raise NotFoundError(f"no exception #{exception_id}")
    return dataclasses.replace(row, status=row.status_on(today))


def listing(uow: Uow, *, today: dt.date, status: str = "") -> list[PolicyExceptionRecord]:
    """The exceptions by id, each with its status as of `today` (requested or approved past expiry: expired)."""
    return [dataclasses.replace(r, status=r.status_on(today)) for r in uow.repo(WORK).exceptions(status)]
