"""Invoices, their payment schedules (instalments) and credit notes.

An invoice is owed in one or more instalments; each instalment has its own due date and is the unit that
ageing and dunning look at.  A credit note is a document with a negative effect on the balance; it may name
the invoice it corrects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cobro.kernel.money import Money
from cobro.kernel.types import DocumentKind, InvoiceStatus


@dataclass(frozen=True, slots=True)
class Instalment:
    seq: int
    due_date: dt.date
    amount: Money
    paid: Money

    @property
    def open_amount(self) -> Money:
        return self.amount - self.paid

    def days_past_due(self, as_of: dt.date) -> int:
        return (as_of - self.due_date).days


@dataclass(frozen=True, slots=True)
class Invoice:
    number: str
    customer_code: str
    issue_date: dt.date
    amount: Money
    instalments: tuple[Instalment, ...]
    kind: DocumentKind = DocumentKind.INVOICE
    status: InvoiceStatus = InvoiceStatus.OPEN
    disputed: bool = False
    corrects: str = ""  # for credit notes: number of the corrected invoice
    channel: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def currency(self) -> str:
        return self.amount.currency

    @property
    def open_amount(self) -> Money:
        total = Money.zero(self.currency)
        for inst in self.instalments:
            total = total + inst.open_amount
        return total

    @property
    def due_date(self) -> dt.date:
        """Due date of the last instalment (the invoice's final maturity)."""
        return max(i.due_date for i in self.instalments)


def equal_schedule(amount: Money, due_dates: list[dt.date]) -> tuple[Instalment, ...]:
    """Split an amount into instalments due on `due_dates`, cents allocated without loss."""
    parts = amount.allocate([1] * len(due_dates))
    return tuple(
        Instalment(seq=i + 1, due_date=d, amount=p, paid=Money.zero(amount.currency))
        for i, (d, p) in enumerate(zip(due_dates, parts, strict=True))
    )
