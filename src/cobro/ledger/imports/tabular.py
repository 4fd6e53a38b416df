"""Streaming readers for messy CSV and XLSX exports, and the value parsers they need.

Real exports come with `;` or tab delimiters, a BOM, Latin-1/cp1252 text, `1.234,56` amounts, `dd/mm/yyyy`
dates and Excel serial numbers.  Readers yield rows one at a time so a million-row file never sits in memory.
Row numbers are what a person sees in a spreadsheet: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cobro.kernel.amounts import AmountError, check_amount, infer_decimal
from cobro.kernel.amounts import parse_amount as grammar_amount
from cobro.kernel.errors import InvalidInputError

SAMPLE_BYTES = 256 * 1024
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug


class ValueProblem(ValueError):
    """A cell that cannot be read; the importer adds file, row and column."""


@dataclass
class TableStream:
    path: Path
    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str = ""
    delimiter: str = ""
    size_bytes: int = 0
    progress: Any = None  # callable returning bytes consumed so far, for progress bars


def detect_encoding(path: Path, declared: str = "auto") -> str:
    """utf-8-sig when there is a BOM, utf-8 when the whole file decodes, else cp1252."""
    if declared and declared != "auto":
        codecs.lookup(declared)
        return declared
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def detect_delimiter(sample: str, declared: str = "auto") -> str:
    if declared and declared != "auto":
        return "\t" if declared in ("\\t", "tab") else declared
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", -1.0
    for cand in (";", ",", "\t", "|"):
        counts = [ln.count(cand) for ln in lines]
        if counts[0] == 0:
            continue
        # a real delimiter appears the same number of times on most lines
        consistent = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = consistent * 10 + min(counts[0], 50) / 50
        if score > best_score:
            best, best_score = cand, score
    return best


def open_csv(path: Path, *, encoding: str = "auto", delimiter: str = "auto") -> TableStream:
    enc = detect_encoding(path, encoding)
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding=enc, newline="")
    try:
        sample = text.read(SAMPLE_BYTES)
    except UnicodeDecodeError as exc:
        text.close()
        raise InvalidInputError(f"{path}: cannot decode as {enc} (not a text file?): {exc}; "
                                "set options.encoding") from exc
    text.seek(0)
    delim = detect_delimiter(sample, delimiter)
    reader = csv.reader(text, delimiter=delim)
    try:
        headers = next(reader)
    except StopIteration as exc:
        raise InvalidInputError(f"{path}: the file is empty") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{path}: cannot decode as {enc}: {exc}; set options.encoding") from exc
    headers = [h.strip() for h in headers]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        line = 1
        try:
            for record in reader:
                line += 1
                if not any(cell.strip() for cell in record):
                    continue
                yield line, record
        except UnicodeDecodeError as exc:
            raise InvalidInputError(f"{path}: row {line + 1}: cannot decode as {enc}: {exc}") from exc
        except csv.Error as exc:
            raise InvalidInputError(f"{path}: row {line + 1}: {exc}") from exc
        finally:
            text.close()

    return TableStream(path, headers, rows(), enc, delim, path.stat().st_size, raw.tell)


def open_xlsx(path: Path, *, sheet: str = "") -> TableStream:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InvalidInputError(f"{path}: not a readable XLSX workbook (truncated or corrupt?): {exc}") from exc
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
    except KeyError as exc:
        raise InvalidInputError(f"{path}: no sheet named {sheet!r}; sheets: {', '.join(wb.sheetnames)}") from exc
    it = ws.iter_rows(values_only=True)
    try:
        first = next(it)
    except StopIteration as exc:
        raise InvalidInputError(f"{path}: the sheet is empty") from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InvalidInputError(f"{path}: XLSX is truncated or corrupt: {exc}") from exc
    headers = ["" if h is None else str(h).strip() for h in first]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 1
        try:
            for values in it:
                number += 1
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                yield number, ["" if v is None else v for v in values]
        except (zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
            raise InvalidInputError(f"{path}: row {number + 1}: XLSX is truncated or corrupt: {exc}") from exc
        finally:
            wb.close()

    return TableStream(path, headers, rows(), "xlsx", "", path.stat().st_size, None)


def open_table(path: Path, options: dict[str, Any] | None = None) -> TableStream:
    options = options or {}
    if not path.exists():
        raise InvalidInputError(f"{path}: file not found")
    if not path.is_file():
        raise InvalidInputError(f"{path}: not a file")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if path.suffix.lower() in (".xlsx", ".xlsm") or magic == b"PK\x03\x04":
        return open_xlsx(path, sheet=str(options.get("sheet") or ""))
    return open_csv(path, encoding=str(options.get("encoding") or "auto"),
                    delimiter=str(options.get("delimiter") or "auto"))


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
