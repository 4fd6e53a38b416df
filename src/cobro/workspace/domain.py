"""Pure rules of the workspace: what a collector should say on a call, from the facts of the case.

The script is a message key and its values; the web layer words it in the user's language (`platform.web.i18n`),
so the rule is tested here without templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from cobro.kernel.money import Money

FRIENDLY_DAYS = 15  # up to two weeks late: a reminder, the invoice may simply have been missed
FIRM_DAYS = 60  # past two months: payment this week or a plan, and the consequences said out loud


@dataclass(frozen=True, slots=True)
class Script:
    """What to say: a message key of the web's catalogue and its values (Money and dates formatted by the page)."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)


def script(*, kind: str, action: str, overdue: Money | None, days_late: int, contact: str = "",
           broken_promise: tuple[Money, dt.date] | None = None, disputed: str = "") -> Script:
    """The opening line for a call on this case, most pressing fact first: an open dispute (ask about it before
    asking for money), a broken promise, an escalation about to happen, then by how late the money is."""
    who = contact or ""
    if overdue is None or not overdue.is_positive():
        return Script("script_nothing_overdue")
    if disputed:
        return Script("script_dispute", {"reason": disputed, "amount": overdue})
    if broken_promise is not None:
        return Script("script_broken", {"amount": broken_promise[0], "day": broken_promise[1]})
    if kind == "case":
        return Script("script_case", {"amount": overdue, "days": days_late, "action": action})
    if days_late <= FRIENDLY_DAYS:
        return Script("script_friendly", {"amount": overdue, "days": days_late, "contact": who})
    if days_late <= FIRM_DAYS:
        return Script("script_firm", {"amount": overdue, "days": days_late, "contact": who})
    return Script("script_late", {"amount": overdue, "days": days_late, "contact": who})
