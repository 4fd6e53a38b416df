"""Format-neutral results of parsing a bank statement.

Every parser (Norma 43, camt.053/054, MT940/942, pain.002) returns these frozen records so that cash
application never needs to know which format a bank sent.  Money is always `Decimal`, signed from the
account holder's point of view: credits (money in) positive, debits negative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# Entry statuses that count towards the booked balance (camt `Sts`); "" means the format has no status.
BOOKED_STATUSES = frozenset({"", "BOOK"})


@dataclass(frozen=True, slots=True)
class StatementTransaction:
    """One movement on one account (a camt batch entry is split into one of these per `TxDtls`)."""

    booking_date: date | None
    value_date: date | None
    amount: Decimal
    currency: str = ""
    reference: str = ""  # best reference for matching: creditor ref (RF/QRR), then end-to-end id, ...
    remittance: str = ""  # free text the payer wrote (Ustrd, :86: remittance, Norma 43 concepts)
    counterparty_name: str = ""
    counterparty_account: str = ""
    bank_code: str = ""  # BkTxCd domain-family-subfamily, MT940 GVC / transaction type, N43 concepto
    return_reason: str = ""  # ISO 20022 reason (AC06, MS02...) when the movement is a return/reject
    end_to_end_id: str = ""
    entry_ref: str = ""  # the bank's own reference for the entry (NtryRef, AcctSvcrRef, :61: bank ref)
    is_reversal: bool = False
    status: str = ""  # camt entry status (BOOK, PDNG, INFO); "" for formats without one
    source_line: int | None = None  # text formats: 1-based line where the movement starts
    xml_path: str = ""  # XML formats: local-name path of the element the movement came from

    def to_json_dict(self) -> dict[str, object]:
        return {
            "booking_date": _iso(self.booking_date),
            "value_date": _iso(self.value_date),
            "amount": str(self.amount),
            "reference": self.reference,
            "remittance": self.remittance,
            "counterparty_name": self.counterparty_name,
            "counterparty_account": self.counterparty_account,
            "currency": self.currency,
            "bank_code": self.bank_code,
            "return_reason": self.return_reason,
            "end_to_end_id": self.end_to_end_id,
        }


@dataclass(frozen=True, slots=True)
class StatementAccount:
    """One account in one statement.  Balances are None when the format carries none (camt.054, pain.002)."""

    account: str
    currency: str
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    transactions: tuple[StatementTransaction, ...] = ()
    opening_date: date | None = None
    closing_date: date | None = None
    statement_id: str = ""

    def movements_total(self) -> Decimal:
        return sum((t.amount for t in self.transactions if t.status in BOOKED_STATUSES), Decimal(0))

    def balance_problem(self) -> str | None:
        """Say how the file disagrees with itself (opening + movements != closing), or None if it agrees."""
        if self.opening_balance is None or self.closing_balance is None:
            return None
        expected = self.opening_balance + self.movements_total()
        if expected == self.closing_balance:
            return None
        label = self.account or "(no account)"
        if self.statement_id:
            label += f" statement {self.statement_id}"
        return (f"{label}: opening {self.opening_balance} + movements {self.movements_total()} = {expected}, "
                f"but the closing balance says {self.closing_balance}")

    def to_json_dict(self) -> dict[str, object]:
        return {
            "account": self.account,
            "currency": self.currency,
            "opening_balance": _dec(self.opening_balance),
            "closing_balance": _dec(self.closing_balance),
            "transactions": [t.to_json_dict() for t in self.transactions],
        }


@dataclass(frozen=True, slots=True)
class ParsedStatement:
    format: str  # "norma43", "camt.053", "camt.054", "camt.052", "mt940", "mt942", "pain.002"
    accounts: tuple[StatementAccount, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def transactions(self) -> tuple[StatementTransaction, ...]:
        return tuple(t for a in self.accounts for t in a.transactions)

    def to_json_dict(self) -> dict[str, object]:
        return {
            "format": self.format,
            "accounts": [a.to_json_dict() for a in self.accounts],
            "warnings": list(self.warnings),
        }


def balance_warnings(accounts: tuple[StatementAccount, ...] | list[StatementAccount]) -> list[str]:
    """The opening + movements = closing check every parser runs on every account."""
    return [p for p in (a.balance_problem() for a in accounts) if p]


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _dec(d: Decimal | None) -> str | None:
    return None if d is None else str(d)
