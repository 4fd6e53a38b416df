"""Spain AEB/CSB Norma 43 ("Cuaderno 43") fixed-width statements, read tolerantly.

Real files deviate from the norm in ways we accept with a warning instead of failing: Latin-1 or UTF-8
(with U+FFFD left by an earlier re-encoding), CRLF or LF, lines padded to 80 or stripped, a record-33
closing-balance sign of `0`, wrong record counts in the 88 trailer, and control bytes (a DOS end-of-file 0x1A, NUL or
tab padding) stripped with a warning naming the lines.  csb43 rejects sign `0`, hence our own.  The counterparty
name comes from whichever complementary concept reads as one (`norma43_names`), never blindly from concept 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cobro.cashapp.bank.base import StatementParseError, split_lines, yymmdd
from cobro.cashapp.bank.norma43_names import counterparty_name
from cobro.cashapp.bank.records import (
    ParsedStatement,
    StatementAccount,
    StatementTransaction,
    balance_warnings,
)

RECORD_LEN = 80
_HEADER = re.compile(r"^11\d{30}")
# ISO 4217 numeric -> alpha for the currencies a Spanish/LatAm receivables book meets.
_CURRENCIES = {
    "978": "EUR", "840": "USD", "826": "GBP", "756": "CHF", "392": "JPY", "752": "SEK", "208": "DKK",
    "578": "NOK", "124": "CAD", "036": "AUD", "484": "MXN", "152": "CLP", "604": "PEN", "170": "COP",
    "032": "ARS", "986": "BRL", "858": "UYU", "949": "TRY", "985": "PLN", "203": "CZK", "348": "HUF",
    "156": "CNY", "504": "MAD",
}
_CONTROL = re.compile(r"[\x00-\x08\t\x0b\x0c\x0e-\x1f\x7f]")
RETURNS_CONCEPT = "14"  # concepto común 14: devoluciones e impagados (direct-debit returns)


@dataclass
class _Tx:
    line: int
    booking: date
    value: date
    amount: Decimal
    concept: str
    own_concept: str
    document: str
    ref1: str
    ref2: str
    concepts: list[tuple[str, str]] = field(default_factory=list)

    def build(self, currency: str) -> StatementTransaction:
        texts = [t.strip() for pair in self.concepts for t in pair if t.strip()]
        name = counterparty_name(self.concepts)  # not simply concept 2: it often holds a NIF or an order number
        reference = next((r for r in (self.ref2, self.ref1, self.document) if r and r.strip("0")), "")
        return StatementTransaction(
            booking_date=self.booking, value_date=self.value, amount=self.amount, currency=currency,
            reference=reference, remittance=" ".join(texts), counterparty_name=name,
            bank_code=f"{self.concept}/{self.own_concept}",
            return_reason=f"N43-{RETURNS_CONCEPT}" if self.concept == RETURNS_CONCEPT else "",
            entry_ref=self.document if self.document.strip("0") else "", source_line=self.line)


@dataclass
class _Account:
    line: int
    key: str
    account: str
    currency: str
    opening: Decimal
    start: date
    end: date
    txs: list[_Tx] = field(default_factory=list)
    closing: Decimal | None = None


class Norma43Parser:
    name = "norma43"

    def identify(self, data: bytes, filename: str) -> bool:
        head = data.lstrip(b"\xef\xbb\xbf\r\n ")[:40]
        return bool(_HEADER.match(head.decode("latin-1")))

    def parse(self, data: bytes, filename: str) -> ParsedStatement:
        return _Reader(filename).read(data)


class _Reader:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.warnings: list[str] = []
        self.accounts: list[_Account] = []
        self.current: _Account | None = None
        self.records = 0
        self.replacement_lines: list[int] = []
        self.trailer_seen = False

    def fail(self, line: int, message: str) -> StatementParseError:
        return StatementParseError(message, filename=self.filename, line=line)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(f"line {line}: {message}")

    def read(self, data: bytes) -> ParsedStatement:
        controls: list[int] = []
        for no, written in enumerate(split_lines(data), start=1):
            raw = written
            if _CONTROL.search(written):
                # DOS end-of-file (0x1A), NUL or tab padding from the exporting software: not part of a record
                controls.append(no)
                raw = _CONTROL.sub(lambda m: " " if m.group() == "\t" else "", written)
            if not raw.strip():
                continue
            if self.trailer_seen:
                self.warn(no, "data after the 88 end-of-file record ignored")
                break
            if len(raw) > RECORD_LEN and raw[RECORD_LEN:].strip():
                self.warn(no, f"record is {len(raw)} characters long, expected {RECORD_LEN}; extra ignored")
            if "\ufffd" in raw:
                self.replacement_lines.append(no)
            rec = raw.ljust(RECORD_LEN)[:RECORD_LEN]  # stripped lines: pad back to fixed width
            self.dispatch(no, rec)
        if controls:
            shown = ", ".join(map(str, controls[:5])) + (", …" if len(controls) > 5 else "")
            self.warnings.insert(0, f"line(s) {shown}: control bytes (DOS end-of-file 0x1A, NUL, tab) stripped; "
                                    "they are padding, not data")
        if self.replacement_lines:
            lines = ", ".join(map(str, self.replacement_lines))
            self.warnings.append(f"line(s) {lines}: text contains U+FFFD replacement characters (file was "
                                 "re-encoded before it reached us); amounts are unaffected")
        if self.current is not None:
            self.warn(self.current.line, f"account {self.current.account} has no 33 footer record")
            self.current = None
        if not self.trailer_seen:
            self.warnings.append("no 88 end-of-file record")
        if not self.accounts:
            raise self.fail(1, "no 11 account header record found: not a Norma 43 file")
        accounts = tuple(self.finish(a) for a in self.accounts)
        return ParsedStatement("norma43", accounts, tuple(self.warnings + balance_warnings(accounts)))

    def finish(self, a: _Account) -> StatementAccount:
        return StatementAccount(
            account=a.account, currency=a.currency, opening_balance=a.opening, closing_balance=a.closing,
            transactions=tuple(t.build(a.currency) for t in a.txs), opening_date=a.start, closing_date=a.end)

    def dispatch(self, no: int, rec: str) -> None:
        code = rec[:2]
        if code == "88":
            self.trailer(no, rec)
            return
        self.records += 1
        if code == "11":
            self.header(no, rec)
        elif code == "22":
            self.movement(no, rec)
        elif code == "23":
            tx = self.last_tx(no, "23")
            if tx is not None:
                tx.concepts.append((rec[4:42], rec[42:80]))  # as written: a name may run over both halves
        elif code == "24":
            # Currency equivalence (original currency and amount): informative only; just validate it.
            if self.last_tx(no, "24") is not None:
                self.amount(no, rec[7:21])
        elif code == "33":
            self.footer(no, rec)
        else:
            raise self.fail(no, f"unknown record code {code!r} (expected 11, 22, 23, 24, 33 or 88)")

    def last_tx(self, no: int, code: str) -> _Tx | None:
        if self.current is None or not self.current.txs:
            self.warn(no, f"record {code} without a preceding 22 movement ignored")
            return None
        return self.current.txs[-1]

    def header(self, no: int, rec: str) -> None:
        if self.current is not None:
            self.warn(no, f"account {self.current.account} has no 33 footer record")
        currency = _currency(rec[47:50])
        if not currency.isalpha():
            self.warn(no, f"unknown currency code {rec[47:50]!r}")
        self.current = _Account(
            line=no, key=rec[2:20], account=rec[2:20].strip(), currency=currency,
            opening=self.signed(no, rec[32], rec[33:47], "initial balance"),
            start=self.date(no, rec[20:26]), end=self.date(no, rec[26:32]))
        self.accounts.append(self.current)

    def movement(self, no: int, rec: str) -> None:
        if self.current is None:
            raise self.fail(no, "22 movement record before any 11 account header")
        self.current.txs.append(_Tx(
            line=no, booking=self.date(no, rec[10:16]), value=self.date(no, rec[16:22]),
            amount=self.signed(no, rec[27], rec[28:42], "movement"), concept=rec[22:24],
            own_concept=rec[24:27].strip(), document=rec[42:52].strip(), ref1=rec[52:64].strip(),
            ref2=rec[64:80].strip()))

    def footer(self, no: int, rec: str) -> None:
        acc = self.current
        if acc is None:
            self.warn(no, "33 footer without an 11 header ignored")
            return
        self.current = None
        if rec[2:20] != acc.key:
            self.warn(no, f"footer account {rec[2:20]!r} differs from header account {acc.key!r}")
        debits = [t.amount for t in acc.txs if t.amount < 0]
        credits = [t.amount for t in acc.txs if t.amount >= 0]
        checks = (("debits", rec[20:25], len(debits), rec[25:39], -sum(debits, Decimal(0))),
                  ("credits", rec[39:44], len(credits), rec[44:58], sum(credits, Decimal(0))))
        for label, count_txt, count, total_txt, total in checks:
            if count_txt.strip().isdigit() and int(count_txt) != count:
                self.warn(no, f"footer declares {int(count_txt)} {label}, the account has {count}")
            declared = self.amount(no, total_txt)
            if declared != total:
                self.warn(no, f"footer total {label} {declared} differ from the movements' {total}")
        magnitude = self.amount(no, rec[59:73])
        sign = rec[58]
        if sign in "12":
            acc.closing = -magnitude if sign == "1" else magnitude
        else:
            # The norm allows only 1/2, but real files (all OCA samples) write 0: take the sign the
            # arithmetic supports, credit when it supports neither.
            expected = acc.opening + sum((t.amount for t in acc.txs), Decimal(0))
            acc.closing = -magnitude if expected == -magnitude and magnitude else magnitude
            self.warn(no, f"closing-balance sign {sign!r} is not 1 (debit) or 2 (credit); read as "
                          f"{'debit' if acc.closing < 0 else 'credit'}")
        if rec[73:76].strip() and _currency(rec[73:76]) != acc.currency:
            self.warn(no, f"footer currency {rec[73:76]!r} differs from the header's")

    def trailer(self, no: int, rec: str) -> None:
        self.trailer_seen = True
        if self.current is not None:
            self.warn(self.current.line, f"account {self.current.account} has no 33 footer record")
            self.current = None
        declared = rec[20:26]
        if declared.isdigit() and int(declared) != self.records:
            self.warn(no, f"88 record declares {int(declared)} records, the file has {self.records}")

    def amount(self, no: int, digits: str) -> Decimal:
        if not digits.isdigit():
            raise self.fail(no, f"amount {digits!r} is not 14 digits")
        return Decimal(int(digits)).scaleb(-2)  # two implied decimals, kept as cents ("0.00")

    def signed(self, no: int, sign: str, digits: str, label: str) -> Decimal:
        value = self.amount(no, digits)
        if sign == "1":
            return -value
        if sign != "2":
            self.warn(no, f"{label} debit/credit code {sign!r} is not 1 or 2; read as credit")
        return value

    def date(self, no: int, text: str) -> date:
        try:
            value, clamped = yymmdd(text)
        except ValueError as exc:
            raise self.fail(no, f"invalid date {text!r}") from exc
        if clamped:
            self.warn(no, f"impossible date {text!r} read as {value.isoformat()}")
        return value


def _currency(code: str) -> str:
    return _CURRENCIES.get(code, code)
