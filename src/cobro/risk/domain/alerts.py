"""Who an alert is for, when it is the same alert again, and when a user sees it: pure rules, no database.

An alert's recipients are stored as tags: the customer's collector and account owner by name (as the ledger holds
them: an e-mail or a display name) and `role:credit_manager` for every credit manager of the tenant.  They are
matched to users when the alert is delivered, so a user created after the alert still receives it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

CREDIT_MANAGERS = "role:credit_manager"

# Who hears of each kind.  Money decisions (limits, stops) go to the credit managers; a customer's behaviour to
# the people who talk to it.
AUDIENCE: dict[str, tuple[str, ...]] = {
    "score_worsened": ("collector", "account_owner"),
    "dbt_worsened": ("collector", "account_owner"),
    "over_limit": ("collector", "account_owner", "credit_manager"),
    "promise_broken": ("collector",),
    "credit_stop_set": ("account_owner", "credit_manager"),
    "dispute_overdue": ("collector", "credit_manager"),
    "large_payment": ("collector", "account_owner"),
    "bounce": ("collector",),
}


def recipient_tags(kind: str, *, collector: str, account_owner: str) -> tuple[str, ...]:
    """The stored recipients of an alert of `kind` about a customer with this collector and account owner."""
    out: list[str] = []
    for who in AUDIENCE.get(kind, ("collector", "account_owner")):
        tag = {"collector": collector.strip(), "account_owner": account_owner.strip(),
               "credit_manager": CREDIT_MANAGERS}[who]
        if tag and tag not in out:
            out.append(tag)
    return tuple(out)


def alert_key(kind: str, customer_id: int, *, subject: str, as_of: dt.date, episode: str = "") -> str:
    """The one key of an alert: its kind, customer and subject ("credit_stop:12", "dispute:7"), and the episode
    it belongs to or else the day; raising it again with the same key stores nothing."""
    period = episode.strip() or as_of.isoformat()
    return f"{kind}:{customer_id}:{subject.strip() or '-'}:{period}"[:200]


def addressed_to(recipients: Iterable[str], *, email: str, display_name: str, roles: Iterable[str]) -> bool:
    """Whether a stored alert is for this user: named (e-mail or display name, case-insensitive) or by role."""
    names = {email.strip().casefold(), display_name.strip().casefold()} - {""}
    role_tags = {f"role:{r}" for r in roles}
    return any(r.strip().casefold() in names or r in role_tags for r in recipients)


def visible(*, status: str, snoozed_until: dt.date | None, as_of: dt.date) -> bool:
    """An open alert is shown and delivered unless it is snoozed past `as_of`; an acknowledged one is done."""
    return status == "open" and (snoozed_until is None or snoozed_until <= as_of)
