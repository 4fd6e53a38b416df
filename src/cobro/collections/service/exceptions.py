"""Policy exceptions under four eyes: one user requests with a justification, another approves; all expire."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from cobro.collections.domain.pauses import EXCEPTION_KINDS
from cobro.collections.records import PolicyExceptionRow
from cobro.collections.repository import work
from cobro.kernel.errors import ConflictError, InvalidInputError, InvalidTransitionError
from cobro.kernel.money import Money, MoneyError
from cobro.ledger.repository import parties


def _check_value(kind: str, value: str) -> str:
    value = value.strip()
    if kind == "longer_terms":
        if not value.isdigit() or not 1 <= int(value) <= 180:
            raise InvalidInputError("longer_terms needs --value DAYS (1..180)")
    elif kind == "higher_limit":
        try:
            amount, currency = value.split()
            Money.of(amount, currency)
        except (ValueError, MoneyError) as exc:
            raise InvalidInputError("higher_limit needs --value 'AMOUNT CUR', e.g. '50000 EUR'") from exc
    elif kind == "skip_step" and not value:
        raise InvalidInputError("skip_step needs --value STEP_ID")
    return value


def request(session: Session, tenant_code: str, *, customer: str, kind: str, justification: str, user: str,
            expires_on: dt.date, today: dt.date, value: str = "") -> PolicyExceptionRow:
    if kind not in EXCEPTION_KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(EXCEPTION_KINDS)}")
    if not justification.strip():
        raise InvalidInputError("an exception needs a justification")
    if not user.strip():
        raise InvalidInputError("name the requester with --user")
    if expires_on <= today:
        raise InvalidInputError("an exception must expire after today")
    tenant = parties.tenant_id(session, tenant_code)
    cust = parties.get_customer(session, tenant, customer)
    row = work.add(session, PolicyExceptionRow(
        tenant_id=tenant, customer_id=cust.id, kind=kind, value=_check_value(kind, value),
        justification=justification.strip(), requested_by=user.strip(), status="requested", expires_on=expires_on))
    work.timeline(session, tenant, cust.id, day=today, kind="exception.requested", ref=f"exception:{row.id}",
                  actor=user, summary=f"{kind} {row.value} requested until {expires_on}: {justification}")
    return row


def decide(session: Session, tenant_code: str, exception_id: int, *, user: str, approve: bool, today: dt.date,
           now: dt.datetime, note: str = "") -> PolicyExceptionRow:
    tenant = parties.tenant_id(session, tenant_code)
    row = work.get(session, PolicyExceptionRow, tenant, exception_id, "exception")
    if row.status != "requested":
        raise InvalidTransitionError(f"exception #{row.id} is {row.status}, not awaiting a decision")
    if row.expires_on < today:
        row.status = "expired"
        session.flush()
        raise InvalidTransitionError(f"exception #{row.id} expired on {row.expires_on} before a decision")
    if not user.strip():
        raise InvalidInputError("name the approver with --user")
    if user.strip().casefold() == row.requested_by.casefold():
        raise ConflictError(f"four eyes: {user} requested exception #{row.id} and cannot also decide it")
    row.status = "approved" if approve else "rejected"
    row.approved_by, row.decided_at, row.decision_note = user.strip(), now, note
    work.timeline(session, tenant, row.customer_id, day=today, kind=f"exception.{row.status}",
                  ref=f"exception:{row.id}", actor=user, summary=f"{row.kind} {row.value} {row.status} by {user}")
    session.flush()
    return row


def listing(session: Session, tenant_code: str, *, today: dt.date, status: str = "") -> list[dict[str, Any]]:
    tenant = parties.tenant_id(session, tenant_code)
    rows = work.exceptions(session, tenant, status)
    codes = work.customer_codes(session, {r.customer_id for r in rows})
    return [{"id": r.id, "customer": codes.get(r.customer_id, ""), "kind": r.kind, "value": r.value,
             "status": "expired" if r.status in ("requested", "approved") and r.expires_on < today else r.status,
             "justification": r.justification, "requested_by": r.requested_by, "approved_by": r.approved_by,
             "expires_on": r.expires_on.isoformat()} for r in rows]
