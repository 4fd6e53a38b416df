"""Escalation cases for an external collection mandate: open (from the cycle), handed off, closed; and the
credit-stop flag sales reads.  The evidence-pack PDF is rendered by delivery from these rows and the timeline."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from cobro.collections.records import CustomerFlagRow, EscalationCaseRow
from cobro.collections.repository import work
from cobro.kernel.errors import InvalidInputError, InvalidTransitionError
from cobro.kernel.money import Money
from cobro.ledger.repository import parties


def list_cases(session: Session, tenant_code: str, *, status: str = "") -> list[dict[str, Any]]:
    tenant = parties.tenant_id(session, tenant_code)
    rows = work.escalations(session, tenant, status)
    codes = work.customer_codes(session, {r.customer_id for r in rows})
    stops = {f.customer_id for f in work.flags(session, tenant)}
    return [{"id": r.id, "customer": codes.get(r.customer_id, ""), "currency": r.currency,
             "amount": Money.from_minor(r.amount_minor, r.currency).format_plain(), "status": r.status,
             "opened_on": r.opened_on.isoformat(), "handed_off_to": r.handed_off_to,
             "credit_stop": r.customer_id in stops, "items": json.loads(r.items_json), "reason": r.reason}
            for r in rows]


def hand_off(session: Session, tenant_code: str, case_id: int, *, to: str, today: dt.date, user: str = "") -> None:
    if not to.strip():
        raise InvalidInputError("name the agency or lawyer the case is handed to")
    tenant = parties.tenant_id(session, tenant_code)
    row = work.get(session, EscalationCaseRow, tenant, case_id, "escalation case")
    if row.status != "open":
        raise InvalidTransitionError(f"case #{case_id} is {row.status}")
    row.status, row.handed_off_to, row.handed_off_on = "handed_off", to, today
    work.timeline(session, tenant, row.customer_id, day=today, kind="escalation.handed_off",
                  ref=f"escalation:{row.id}", actor=user, summary=f"case #{row.id} handed off to {to}")
    session.flush()


def close(session: Session, tenant_code: str, case_id: int, *, today: dt.date, note: str = "",
          lift_credit_stop: bool = False, user: str = "") -> None:
    tenant = parties.tenant_id(session, tenant_code)
    row = work.get(session, EscalationCaseRow, tenant, case_id, "escalation case")
    if row.status == "closed":
        raise InvalidTransitionError(f"case #{case_id} is already closed")
    row.status, row.closed_on = "closed", today
    if lift_credit_stop:
        for flag in work.flags(session, tenant):
            if flag.customer_id == row.customer_id:
                flag.active, flag.cleared_on = False, today
    work.timeline(session, tenant, row.customer_id, day=today, kind="escalation.closed",
                  ref=f"escalation:{row.id}", actor=user, summary=f"case #{row.id} closed {note}".strip())
    session.flush()


def credit_stops(session: Session, tenant_code: str) -> list[dict[str, Any]]:
    tenant = parties.tenant_id(session, tenant_code)
    rows: list[CustomerFlagRow] = work.flags(session, tenant)
    codes = work.customer_codes(session, {r.customer_id for r in rows})
    return [{"customer": codes.get(r.customer_id, ""), "since": r.set_on.isoformat(), "reason": r.reason}
            for r in rows]
