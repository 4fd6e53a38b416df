"""Payment terms and due-date arithmetic.

Three kinds of terms cover what Spanish and Latin American B2B customers agree:

* ``net N``: due N calendar days after the invoice date ("30 días").
* ``eom N``: due N days after the end of the invoice's month ("30 días fin de mes").
* ``net N`` with pay days: the Spanish *días de pago*; the debtor pays only on fixed days of the month
  (e.g. 10 and 25), so the due date moves to the next pay day on or after the nominal date.

Spain's Ley 3/2004 art. 4 caps B2B terms at 60 calendar days from delivery (domain.md §1.2); terms or due
dates beyond it are *flagged*, not refused, because the invoice is what it is and the law makes the excess
void, not the invoice.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
from dataclasses import dataclass

from cobro.kernel.calendar import Calendar, next_business_day

SPAIN_LEGAL_CAP_DAYS = 60
_TERMS_RE = re.compile(
    r"^\s*(?P<kind>net|eom)\s*(?P<days>\d{1,3})\s*(?:days?)?\s*(?:(?:pay\s*days?|d[ií]as?\s*de\s*pago)\s*[:=]?\s*(?P<paydays>[\d\s,/]+))?\s*$",
    re.IGNORECASE,
)


class TermsError(ValueError):
    pass


def _end_of_month(day: dt.date) -> dt.date:
    return day.replace(day=_cal.monthrange(day.year, day.month)[1])


def _next_pay_day(day: dt.date, pay_days: tuple[int, ...]) -> dt.date:
    """The first pay day on or after `day`; a pay day past the month's end falls on its last day."""
    year, month = day.year, day.month
    for _ in range(3):
        last = _cal.monthrange(year, month)[1]
        for pd in sorted(pay_days):
            candidate = dt.date(year, month, min(pd, last))
            if candidate >= day:
                return candidate
        month += 1
        if month == 13:
            year, month = year + 1, 1
    raise TermsError("no pay day found")  # unreachable with 1..31 pay days


@dataclass(frozen=True, slots=True)
class PaymentTerms:
    kind: str = "net"  # "net" | "eom"
    days: int = 30
    pay_days: tuple[int, ...] = ()
    business_day_adjust: bool = False  # move a due date on a holiday to the next business day

    def __post_init__(self) -> None:
        if self.kind not in ("net", "eom"):
            raise TermsError(f"unknown terms kind {self.kind!r}; use 'net' or 'eom'")
        if not 0 <= self.days <= 365:
            raise TermsError(f"terms of {self.days} days are outside 0..365")
        if any(not 1 <= d <= 31 for d in self.pay_days):
            raise TermsError(f"pay days must be 1..31, got {self.pay_days}")

    @classmethod
    def parse(cls, text: str) -> PaymentTerms:
        """Parse 'net 30', 'eom 60', 'net 60 pay days 10,25' (also 'días de pago 10/25')."""
        match = _TERMS_RE.match(text)
        if not match:
            raise TermsError(f"cannot read payment terms {text!r}; write e.g. 'net 30', 'eom 60', 'net 60 pay days 10,25'")
        pay = tuple(int(p) for p in re.findall(r"\d+", match["paydays"] or ""))
        return cls(kind=match["kind"].lower(), days=int(match["days"]), pay_days=pay)

    def code(self) -> str:
        base = f"{self.kind} {self.days}"
        return base + (" pay days " + ",".join(str(d) for d in self.pay_days) if self.pay_days else "")

    def due_date(self, invoice_date: dt.date, calendar: Calendar | None = None) -> dt.date:
        if self.kind == "eom":
            due = _end_of_month(invoice_date) + dt.timedelta(days=self.days)
        else:
            due = invoice_date + dt.timedelta(days=self.days)
        if self.pay_days:
            due = _next_pay_day(due, self.pay_days)
        if self.business_day_adjust and calendar is not None:
            due = next_business_day(due, calendar)
        return due


def exceeds_spanish_cap(invoice_date: dt.date, due_date: dt.date) -> bool:
    """True when the due date lies more than 60 calendar days after the invoice date (Ley 3/2004 art. 4).

    The legal term runs from delivery; without a delivery date the invoice date is the nearest evidence.
    """
    return (due_date - invoice_date).days > SPAIN_LEGAL_CAP_DAYS
