"""Payment terms and due-date arithmetic.

Three kinds of terms cover what Spanish and Latin American B2B customers agree:

* ``net N``: due N calendar days after the invoice date ("30 días").
* ``eom N``: due N days after the end of the invoice's month ("30 días fin de mes").
* ``net N`` with pay days: the Spanish *días de pago*; the debtor pays only on fixed days of the month
  (e.g. 10 and 25), so the due date moves to the next pay day on or after the nominal date.
* ``net 30/60/90``: instalments, an equal part due at each term ("giros a 30, 60 y 90 días").

`PaymentTerms.parse` also reads terms as people write them in ERP exports ("contado", "60 días f.f.", "30 días
fin de mes", "giro a 60 días", "recibo domiciliado a 30 días", "días de pago 10 y 25", "net 30", "30 days EOM",
"due on receipt"): the means of payment (giro, recibo, transferencia, pagaré, confirming ...) is not part of the
terms and is skipped; anything it cannot read is an error that quotes the value and lists the accepted forms.

Spain's Ley 3/2004 art. 4 caps B2B terms at 60 calendar days from delivery (domain.md §1.2); terms or due
dates beyond it are *flagged*, not refused, because the invoice is what it is and the law makes the excess
void, not the invoice.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from cobro.kernel.calendar import Calendar, next_business_day

SPAIN_LEGAL_CAP_DAYS = 60
MAX_INSTALMENTS = 12
ACCEPTED_FORMS = ("net 30", "eom 60", "net 60 pay days 10,25", "net 30/60/90", "contado", "30 días",
                  "60 días f.f.", "30 días fecha factura", "30 días fin de mes", "30/60/90", "giro a 60 días",
                  "recibo domiciliado a 30 días", "días de pago 10 y 25", "due on receipt", "30 days EOM")
_LIST = r"\d{1,3}(?:\s*(?:/|-|,|\+|&|\by\b|\band\b)\s*\d{1,3})*"
_PAY_DAYS = re.compile(r"\b(?:dias?\s+(?:de\s+)?pagos?|pay(?:ment)?\s*days?)\s*[:=]?\s*(?P<list>\d{1,2}(?:\s*(?:/|-|,|&"
                       r"|\by\b|\band\b|\s)\s*\d{1,2})*)")
_EOM = re.compile(r"\b(?:eom|fdm|f\s*m|fin\s+(?:de\s+)?mes|final\s+de\s+mes|end\s+of\s+(?:the\s+)?month|month\s*end)\b")
_FROM_INVOICE = re.compile(r"\b(?:fecha\s+(?:de\s+)?(?:factura|emision)|d?\s*f\s*f|(?:from|after)\s+(?:the\s+)?"
                           r"invoice(?:\s+date)?|invoice\s+date)\b")
_IMMEDIATE = re.compile(r"\b(?:(?:al\s+|pago\s+al\s+)?contado|contra\s*reembolso|(?:pago\s+)?inmediato|a\s+la\s+vista|"
                        r"efectivo|(?:due\s+)?(?:up)?on\s+receipt|cash(?:\s+on\s+delivery)?|immediate(?:ly)?|cod)\b")
# words around the terms that say nothing about the due date: the means of payment, "a", "días", "net"
_FILLER = frozenset(re.split(
    r"\s+", "a al de del la el los las en con pago pagos plazo plazos vencimiento vencimientos vto vtos giro giros recibo "
    "recibos domiciliado domiciliados domiciliacion bancario bancaria bancarios transferencia transferencias pagare "
    "pagares confirming cheque letra letras remesa sepa efecto efectos neto netos net n dias dia d days day after "
    "from within of the due payment terms bank transfer direct debit by in to"))


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
    instalments: tuple[int, ...] = ()  # the days of each instalment ("30/60/90"), empty for one due date

    def __post_init__(self) -> None:
        if self.kind not in ("net", "eom"):
            raise TermsError(f"unknown terms kind {self.kind!r}; use 'net' or 'eom'")
        for days in (self.days, *self.instalments):
            if not 0 <= days <= 365:
                raise TermsError(f"terms of {days} days are outside 0..365")
        if any(not 1 <= d <= 31 for d in self.pay_days):
            raise TermsError(f"pay days must be 1..31, got {self.pay_days}")
        if self.instalments and (len(self.instalments) > MAX_INSTALMENTS or self.instalments[0] != self.days
                                 or list(self.instalments) != sorted(set(self.instalments))):
            raise TermsError(f"instalments {'/'.join(map(str, self.instalments))} must be increasing days, at most "
                             f"{MAX_INSTALMENTS}")

    @classmethod
    def parse(cls, text: str) -> PaymentTerms:
        """Read terms: the codes `code()` writes ('net 30', 'eom 60', 'net 60 pay days 10,25', 'net 30/60/90') and
        the ways people write them (see the module docstring); an unreadable value is a `TermsError` quoting it."""
        parsed = _parse_words(text)
        if parsed is None:
            raise TermsError(f"cannot read payment terms {text.strip()!r}; accepted forms include "
                             + ", ".join(repr(f) for f in ACCEPTED_FORMS))
        kind, days, pay_days = parsed
        if len(days) > 1:
            return cls(kind=kind, days=days[0], pay_days=pay_days, instalments=days)
        return cls(kind=kind, days=days[0], pay_days=pay_days)

    def code(self) -> str:
        base = f"{self.kind} {'/'.join(str(d) for d in self.instalments) if self.instalments else self.days}"
        return base + (" pay days " + ",".join(str(d) for d in self.pay_days) if self.pay_days else "")

    def _due(self, invoice_date: dt.date, days: int, calendar: Calendar | None) -> dt.date:
        if self.kind == "eom":
            due = _end_of_month(invoice_date) + dt.timedelta(days=days)
        else:
            due = invoice_date + dt.timedelta(days=days)
        if self.pay_days:
            due = _next_pay_day(due, self.pay_days)
        if self.business_day_adjust and calendar is not None:
            due = next_business_day(due, calendar)
        return due

    def due_date(self, invoice_date: dt.date, calendar: Calendar | None = None) -> dt.date:
        """The due date; for instalment terms, that of the last instalment (when everything is due)."""
        return self._due(invoice_date, self.instalments[-1] if self.instalments else self.days, calendar)

    def due_dates(self, invoice_date: dt.date, calendar: Calendar | None = None) -> tuple[dt.date, ...]:
        """One due date per instalment (one date for terms without instalments)."""
        return tuple(self._due(invoice_date, d, calendar) for d in (self.instalments or (self.days,)))


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text))


def _parse_words(text: str) -> tuple[str, tuple[int, ...], tuple[int, ...]] | None:
    """(kind, days of each instalment, pay days), or None when a word is not understood."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"[.;:()\[\]]", " ", plain)
    plain = re.sub(r"\b(net|n)(?=\d)", r"\1 ", plain)
    plain = re.sub(r"(\d)(d|dias?|days?)\b", r"\1 \2", plain)
    pay_days: tuple[int, ...] = ()
    if m := _PAY_DAYS.search(plain):
        pay_days = _numbers(m["list"])
        plain = plain[:m.start()] + " " + plain[m.end():]
    eom = bool(_EOM.search(plain))
    plain = _EOM.sub(" ", plain)
    plain = _FROM_INVOICE.sub(" ", plain)
    immediate = bool(_IMMEDIATE.search(plain))
    plain = _IMMEDIATE.sub(" ", plain)
    lists = re.findall(_LIST, plain)
    plain = re.sub(_LIST, " ", plain)
    words = [w for w in re.split(r"[\s,/\-+&]+", plain) if w]
    if len(lists) > 1 or any(w not in _FILLER for w in words):
        return None
    days = _numbers(lists[0]) if lists else ()
    if not days and not (immediate or pay_days or eom):
        return None
    if immediate and any(days):
        return None  # "contado 30 días" says two things
    return ("eom" if eom else "net"), days or (0,), pay_days


def exceeds_spanish_cap(invoice_date: dt.date, due_date: dt.date) -> bool:
    """True when the due date lies more than 60 calendar days after the invoice date (Ley 3/2004 art. 4).

    The legal term runs from delivery; without a delivery date the invoice date is the nearest evidence.
    """
    return (due_date - invoice_date).days > SPAIN_LEGAL_CAP_DAYS
