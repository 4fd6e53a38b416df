"""Export cells that cannot execute: the one rule every CSV and XLSX writer applies (OWASP "CSV injection").

Names, codes, segments and reasons come from debtors' files and e-invoices.  A spreadsheet runs a cell that starts
with ``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``, ``@SUM(A1)``), and a
leading tab or carriage return hides such a start from a naive check; so text that starts with one of them gets a
leading ``'``, which spreadsheets show as text and never evaluate.

Numbers stay numbers: an `int`, `Decimal` or `float` is not text and passes unchanged (CSV writes ``-1234.56``),
so real negative amounts are still summed.  The rule goes by type, not by look: a customer named ``+1`` or
``-2`` is text and is neutralised, an amount is a number.  A writer whose amounts arrive as decimal strings (JSON
shapes) turns them into numbers first with `as_number`, column by column.  Dates and None pass unchanged.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any, Protocol

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """`value` as an export cell: text a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def as_number(value: object) -> object:
    """A decimal string as the writer's services produce amounts (``-1234.56``, ``12``) → `Decimal`, so it is
    written as a number; anything else unchanged.  For columns that hold numbers, never for names or codes."""
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return Decimal(value)
    return value


def safe_row(row: Iterable[object]) -> list[object]:
    return [safe_cell(v) for v in row]


class SafeCsvWriter:
    """`csv.writer` whose every cell goes through `safe_cell` (header rows included: they may echo user text).

    A row with a line break inside a cell is written fully quoted: `csv` quotes only the characters of its own
    line terminator, so with ``lineterminator="\n"`` a bare CR would stay unquoted, and a spreadsheet that breaks
    the line there would start a new cell with whatever follows (``x\r=1`` → a cell ``=1``)."""

    def __init__(self, fh: IO[str], **kwargs: Any) -> None:
        self._writer = csv.writer(fh, **kwargs)
        self._quoted = csv.writer(fh, **{**kwargs, "quoting": csv.QUOTE_ALL})

    def writerow(self, row: Iterable[object]) -> None:
        cells = safe_row(row)
        broken = any(isinstance(c, str) and ("\r" in c or "\n" in c) for c in cells)
        (self._quoted if broken else self._writer).writerow(cells)

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fh: IO[str], **kwargs: Any) -> SafeCsvWriter:
    """The CSV writer for exports: `csv.writer(fh, **kwargs)` with `safe_cell` on every cell."""
    return SafeCsvWriter(fh, **kwargs)


class _Cell(Protocol):
    value: Any


class _Sheet(Protocol):
    def iter_rows(self) -> Iterator[tuple[_Cell, ...]]: ...


class _Book(Protocol):
    @property
    def worksheets(self) -> list[Any]: ...


def neutralise_workbook(book: _Book) -> int:
    """Apply `safe_cell` to every text cell of an openpyxl workbook before it is saved (openpyxl itself stores a
    string that starts with ``=`` as a live formula).  Returns how many cells were changed.  Duck-typed, so the
    kernel imports no spreadsheet library; the writers call it as their last step."""
    changed = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    safe = safe_cell(cell.value)
                    if safe is not cell.value:
                        cell.value = safe
                        changed += 1
    return changed
