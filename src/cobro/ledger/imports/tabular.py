"""The value parsers messy CSV and XLSX exports need (the streaming readers are in `readers.py`).

Real exports come with `;` or tab delimiters, a BOM, Latin-1/cp1252 text, `1.234,56` amounts, `dd/mm/yyyy`
dates and Excel serial numbers.  Readers yield rows one at a time so a million-row file never sits in memory.
Row numbers are what a person sees in a spreadsheet: the header is row 1.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from cobro.kernel.amounts import AmountError, check_amount, infer_decimal
from cobro.kernel.amounts import parse_amount as grammar_amount
from cobro.ledger.imports import readers as _readers

# the readers live in readers.py; their public names stay importable from here
SAMPLE_BYTES = _readers.SAMPLE_BYTES
TableStream = _readers.TableStream
TextScan = _readers.TextScan
detect_delimiter = _readers.detect_delimiter
detect_encoding = _readers.detect_encoding
open_csv = _readers.open_csv
open_table = _readers.open_table
open_xlsx = _readers.open_xlsx
scan_text = _readers.scan_text

EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug


class ValueProblem(ValueError):
    """A cell that cannot be read; the importer adds file, row and column."""


# --- value parsers ---------------------------------------------------------------------------------

def infer_decimal_separator(samples: list[str]) -> str:
    """',' or '.' when the samples prove it (`1.234,56`, `12,5`), "auto" when none does: see `kernel.amounts`."""
    return infer_decimal(samples)


def parse_amount(value: Any, decimal_sep: str = ".", currency: str = "") -> Decimal:
    """One amount cell under cobro's one grammar (`cobro.kernel.amounts`): '1.234,56', '(100.00)', '€ 1 234,56'.

    Numbers from XLSX cells skip the text grammar but not the bound and the currency's decimals.
    """
    if isinstance(value, bool):
        raise ValueProblem(f"not an amount: {value!r}")
    try:
        if isinstance(value, int | float | Decimal):
            # XLSX stores numbers as binary floats; repr() gives the shortest text that round-trips.
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            return check_amount(number, currency)
        return grammar_amount(str(value), currency, decimal=decimal_sep if decimal_sep in (",", ".") else "auto")
    except AmountError as exc:
        raise ValueProblem(str(exc)) from exc


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")


def parse_date(value: Any, fmt: str = "auto") -> dt.date:
    """Parse a date: an explicit strptime format, or auto (ISO, d/m/Y, d.m.Y, d-m-Y, Excel serial)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(float(value))
    text = str(value).strip()
    if not text:
        raise ValueProblem("date is empty")
    if fmt and fmt != "auto":
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError as exc:
            raise ValueProblem(f"date {text!r} does not match format {fmt!r}") from exc
    try:
        if m := _ISO.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(text):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            return dt.date(year, int(m[2]), int(m[1]))
    except ValueError as exc:
        raise ValueProblem(f"impossible date {text!r}: {exc}") from exc
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _from_serial(float(text))
    raise ValueProblem(f"cannot read date {text!r}; expected YYYY-MM-DD or DD/MM/YYYY (or set options.date_format)")


def _from_serial(serial: float) -> dt.date:
    if not 1 <= serial < 2958466:
        raise ValueProblem(f"{serial!r} is not an Excel date serial")
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


_TRUE = {"1", "true", "yes", "y", "si", "sí", "s", "x", "verdadero"}
_FALSE = {"0", "false", "no", "n", "", "falso"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueProblem(f"expected yes/no, got {value!r}")


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
