"""The parser protocol every bank-statement format implements, and the error they raise."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Protocol, runtime_checkable

from cobro.cashapp.bank.records import ParsedStatement
from cobro.kernel.amounts import AmountError, parse_number


class StatementParseError(ValueError):
    """The file cannot be read as a statement.  The message always names the file and where (line or XML path)."""

    def __init__(self, message: str, *, filename: str = "", line: int | None = None, xml_path: str = "") -> None:
        self.filename = filename
        self.line = line
        self.xml_path = xml_path
        self.reason = message
        where = [filename or "<input>"]
        if line is not None:
            where.append(f"line {line}")
        if xml_path:
            where.append(xml_path)
        super().__init__(f"{': '.join(where)}: {message}")


@runtime_checkable
class StatementParser(Protocol):
    name: str

    def identify(self, data: bytes, filename: str) -> bool:
        """Cheap sniff of the first bytes: True when this parser should handle the file."""
        ...

    def parse(self, data: bytes, filename: str) -> ParsedStatement:
        ...


def decode_line(raw: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8, else Latin-1 (Spanish and Dutch banks still write ISO-8859-1).

    Deciding per line keeps a file readable when one line was re-encoded and the rest was not.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def split_lines(data: bytes) -> list[str]:
    """Decoded lines without CR/LF; tolerates CRLF, LF, a BOM and a missing final newline."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return [decode_line(raw.rstrip(b"\r")) for raw in data.replace(b"\r\n", b"\n").split(b"\n")]


def parse_decimal(text: str, decimal: str) -> Decimal:
    """An unsigned statement amount ('1234.56' in XML, '1234,56' / '380115,' in SWIFT) by the one grammar
    (`cobro.kernel.amounts`); raises ValueError.  The D/C mark or CdtDbtInd gives the direction, so a sign in the
    amount is refused: a "credit" of -5.00 is an error, not a debit stored as ignored.  The currency's decimals
    and the bound are checked where the entry's currency is settled (`cashapp.service.application`)."""
    t = text.strip()
    if t[:1] in ("-", "+", "\u2212", "(") or t[-1:] in ("-", ")"):
        raise ValueError(f"amount {text!r} has a sign; the debit/credit indicator gives the direction")
    if decimal == "," and t.endswith(",") and t[:-1].isdigit():
        t = t[:-1]  # SWIFT writes a whole amount with its comma: "380115,"
    try:
        return parse_number(t, decimal=decimal)
    except AmountError as exc:
        raise ValueError(str(exc)) from exc


def lenient_date(year: int, month: int, day: int) -> tuple[date, bool]:
    """A date, clamping impossible days (banks do send 30 February) to the month end; flag says it was clamped."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} out of range")
    last = calendar.monthrange(year, month)[1]
    if 1 <= day <= last:
        return date(year, month, day), False
    if day < 1:
        raise ValueError(f"day {day} out of range")
    return date(year, month, last), True


def yymmdd(text: str) -> tuple[date, bool]:
    """YYMMDD with a sliding century (>= 80 is the 1900s); returns (date, clamped)."""
    if len(text) != 6 or not text.isdigit():
        raise ValueError(f"not a YYMMDD date: {text!r}")
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:6])
    return lenient_date((1900 if yy >= 80 else 2000) + yy, mm, dd)


def to_cents(value: Decimal) -> Decimal:
    """'100' / '380115,' -> 100.00 / 380115.00, so every format prints amounts with (at least) cents."""
    exponent = value.as_tuple().exponent
    return value.quantize(Decimal("0.01")) if isinstance(exponent, int) and exponent > -2 else value
