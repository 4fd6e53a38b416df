"""What applying credit notes to the invoices they correct did (`cobro.ledger.service.credit_notes`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cobro.kernel.errors import Problem
from cobro.kernel.money import Money


@dataclass(frozen=True, slots=True)
class PendingCreditNote:
    """An open credit note that names a document and has not been applied yet."""

    id: int
    number: str
    customer_id: int
    issue_date: dt.date
    open: Money
    corrects: str
    source: str


@dataclass(frozen=True, slots=True)
class CandidateInvoice:
    """An invoice of the credit note's customer that a reference may name."""

    id: int
    number: str
    currency: str
    open_minor: int


@dataclass(frozen=True, slots=True)
class CreditApplication:
    """One credit note applied: `amount` of it reduced `invoice` (found by `match`); `left` stays credit."""

    credit_note: str
    invoice: str
    match: str
    amount: Money
    left: Money

    def as_json(self) -> dict[str, str]:
        return {"credit_note": self.credit_note, "invoice": self.invoice, "match": self.match,
                "amount": self.amount.format_plain(), "left": self.left.format_plain(),
                "currency": self.amount.currency}


@dataclass(frozen=True, slots=True)
class CreditNotesApplied:
    """The applications made and, for each credit note left as credit although it names a document, why."""

    applied: tuple[CreditApplication, ...]
    warnings: tuple[Problem, ...]
