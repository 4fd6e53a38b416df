"""What the cash-application services hand back: frozen values carrying `Money`, never table rows; `as_json()` is
the JSON `cobro matches …` and `cobro bank-account list` print (amounts as plain strings on the currency's grid,
dates as ISO strings, statuses as their names)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from cobro.kernel.money import Money


class EntryStatus(StrEnum):
    """Where a bank statement entry stands."""

    NEW = "new"
    REVIEW = "review"  # a proposal below the threshold, waiting for a person
    UNMATCHED = "unmatched"  # no payer found
    MATCHED = "matched"
    REJECTED = "rejected"
    RETURNED = "returned"  # a direct-debit return or reject
    IGNORED = "ignored"  # our own payments and charges


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    """A statement entry waiting for a decision, with the matcher's proposal (its JSON, as stored)."""

    id: int
    date: dt.date
    amount: Money
    payer: str
    account: str
    remittance: str
    status: EntryStatus
    customer_id: int | None
    confidence: Decimal
    reason: str
    proposal: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "date": self.date.isoformat(), "amount": self.amount.format_plain(),
                "currency": self.amount.currency, "payer": self.payer, "account": self.account,
                "remittance": self.remittance, "status": str(self.status), "customer_id": self.customer_id,
                "confidence": str(self.confidence), "reason": self.reason, "proposal": self.proposal}


@dataclass(frozen=True, slots=True)
class Decision:
    """What a person's decision did: applied to a customer's invoices (and what the matcher learned), or rejected."""

    entry: int
    status: EntryStatus
    customer_id: int | None = None
    invoices: tuple[str, ...] = ()
    learned_account: str | None = None
    learned_alias: str | None = None

    def as_json(self) -> dict[str, Any]:
        if self.status == EntryStatus.REJECTED:
            return {"entry": self.entry, "status": str(self.status)}
        out: dict[str, Any] = {"entry": self.entry, "customer_id": self.customer_id, "invoices": list(self.invoices)}
        if self.learned_account is not None:
            out["learned_account"] = self.learned_account
        if self.learned_alias is not None:
            out["learned_alias"] = self.learned_alias
        return out


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """The tenant's auto-apply threshold (a confidence 0-1) and the largest shortfall taken as a bank fee."""

    threshold: Decimal
    fee_max_minor: int

    def as_json(self) -> dict[str, Any]:
        return {"threshold": str(self.threshold), "fee_max_minor": self.fee_max_minor}


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert raised by cash application (a direct-debit return or reject)."""

    id: int
    kind: str
    customer_id: int | None
    message: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class BankAccount:
    """One of the tenant's own accounts; `alias` is how statements name it when not by IBAN."""

    iban: str
    alias: str
    currency: str
    name: str


@dataclass(frozen=True, slots=True)
class Mandate:
    """A SEPA direct-debit mandate as recorded (IBAN compacted; scheme CORE or B2B)."""

    mandate_id: str
    customer: str
    iban: str
    bic: str
    scheme: str
    signed: dt.date


@dataclass(frozen=True, slots=True)
class SepaExport:
    """A pain.008 file written: how many debits, their total, and what was left out (with why)."""

    file: str
    schema: str
    scheme: str
    transactions: int
    total: Money
    skipped: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "schema": self.schema, "scheme": self.scheme, "transactions": self.transactions,
                "total": self.total.format_plain(), "currency": self.total.currency, "skipped": list(self.skipped)}


@dataclass(frozen=True, slots=True)
class StatementSummary:
    """An imported bank statement file: when, which format, how many entries."""

    id: int
    filename: str
    format: str
    entries: int
    imported_at: dt.datetime | None
