"""The agency handoff's rules: what an agency may report on a case, which reports close it, and how one row of a
CSV of agency updates is read.  Pure: the service stores what these functions accept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

MAX_NOTE = 2000
MAX_REFERENCE = 120
UPDATE_COLUMNS = ("case", "date", "status")  # required; optional: note, recovered, reference


class AgencyStatus(StrEnum):
    """What the agency or lawyer says about a case they hold."""

    RECEIVED = "received"  # the agency acknowledged the mandate
    IN_PROGRESS = "in_progress"  # contacting the debtor
    PAYMENT_PLAN = "payment_plan"  # the debtor agreed instalments with the agency
    LEGAL_ACTION = "legal_action"  # a claim was filed (monitorio, small claims)
    PARTIALLY_RECOVERED = "partially_recovered"
    RECOVERED = "recovered"  # closes: the debt was collected
    UNCOLLECTABLE = "uncollectable"  # closes: insolvent, untraceable, not worth pursuing
    RETURNED = "returned"  # closes: the agency hands the mandate back


# The agency's report that ends its mandate closes the case (with the report as the closing note).
CLOSING = frozenset({AgencyStatus.RECOVERED, AgencyStatus.UNCOLLECTABLE, AgencyStatus.RETURNED})


def parse_status(value: str) -> AgencyStatus:
    """The status named by `value` (case and spaces forgiven); a ValueError naming the field otherwise."""
    text = value.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return AgencyStatus(text)
    except ValueError:
        raise ValueError(f"status: {value!r} is not one of {', '.join(AgencyStatus)}") from None


def closes_case(status: AgencyStatus) -> bool:
    return status in CLOSING


@dataclass(frozen=True, slots=True)
class UpdateLine:
    """One agency update as read from a CSV row (the amount is still text: the service parses it in the case's
    currency through the one amount grammar)."""

    case_id: int
    day: dt.date
    status: AgencyStatus
    note: str = ""
    recovered: str = ""
    reference: str = ""


def check_text(field: str, value: str, limit: int) -> str:
    text = value.strip()
    if len(text) > limit:
        raise ValueError(f"{field}: at most {limit} characters (got {len(text)})")
    return text


def read_update_row(row: dict[str, str], *, today: dt.date) -> UpdateLine:
    """One row of an agency's update file: `case`, `date` (ISO), `status`, and optionally `note`, `recovered`,
    `reference`.  A ValueError's message starts with the column at fault; a date after `today` is refused."""
    case_text = (row.get("case") or "").strip().lstrip("#")
    if not case_text.isdigit() or int(case_text) < 1:
        raise ValueError(f"case: {row.get('case', '')!r} is not a case number")
    try:
        day = dt.date.fromisoformat((row.get("date") or "").strip())
    except ValueError:
        raise ValueError(f"date: {row.get('date', '')!r} is not a date (YYYY-MM-DD)") from None
    if day > today:
        raise ValueError(f"date: {day.isoformat()} is in the future")
    return UpdateLine(case_id=int(case_text), day=day, status=parse_status(row.get("status") or ""),
                      note=check_text("note", row.get("note") or "", MAX_NOTE),
                      recovered=(row.get("recovered") or "").strip(),
                      reference=check_text("reference", row.get("reference") or "", MAX_REFERENCE))
