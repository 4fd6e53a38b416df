"""Streaming, bounded readers for CSV and XLSX exports (the public names are re-exported by `tabular`).

Real exports come with `;` or tab delimiters, a BOM, Latin-1/cp1252 text, `1.234,56` amounts, `dd/mm/yyyy`
dates and Excel serial numbers.  Readers yield rows one at a time so a million-row file never sits in memory.
Row numbers are what a person sees in a spreadsheet: the header is row 1.

Before a row is handed out, one streaming pass proves the file stays inside `InputLimits`
(kernel/limits.py, docs/reliability.md "Bounded inputs"): for a CSV the encoding, NUL bytes and the longest line;
for an XLSX every zip member's real inflated size and the sheet's rows x columns, counted in the XML itself,
because openpyxl pads each row to its last column and fills every missing row before we see any of them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cobro.kernel.errors import InvalidInputError, Problem
from cobro.kernel.limits import DEFAULT_LIMITS, InputLimits
from cobro.platform.zipsafe import ZIP_ERRORS, ZipLimitError, stream_member

SAMPLE_BYTES = 256 * 1024
SCAN_CHUNK = 1 << 20
NON_ASCII_SHOWN = 5  # rows listed in the cp1252 warning


@dataclass
class TableStream:
    path: Path
    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str = ""
    delimiter: str = ""
    size_bytes: int = 0
    progress: Any = None  # callable returning bytes consumed so far, for progress bars
    warnings: list[Problem] = field(default_factory=list)  # about the whole file (e.g. the encoding chosen)


@dataclass(frozen=True)
class TextScan:
    encoding: str
    non_ascii_rows: tuple[int, ...] = ()  # the first lines holding bytes >= 0x80


def detect_encoding(path: Path, declared: str = "auto") -> str:
    """utf-8-sig when there is a BOM, utf-8 when the whole file decodes, else cp1252."""
    return scan_text(path, declared).encoding


def scan_text(path: Path, declared: str = "auto", limits: InputLimits | None = None) -> TextScan:
    """One streaming pass over a text file: its encoding (a declared one wins) and, with `limits`, a refusal of
    NUL bytes and of lines longer than `limits.csv_line_bytes`, naming the row."""
    if declared and declared != "auto":
        try:
            codecs.lookup(declared)
        except LookupError as exc:
            raise InvalidInputError(f"{path}: options.encoding: unknown encoding {declared!r}") from exc
    with path.open("rb") as fh:
        head = fh.read(4)
        fh.seek(0)
        if not (declared and declared != "auto"):
            if head.startswith(codecs.BOM_UTF8):
                declared = "utf-8-sig"
            elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return TextScan("utf-16")  # two bytes a character: NULs are normal, lines are not bytes
        forced = declared if declared and declared != "auto" else ""
        utf8 = codecs.getincrementaldecoder(forced or "utf-8")()
        is_utf8 = True
        lines_before, current = 0, 0  # complete lines so far; bytes of the line in progress
        non_ascii: list[int] = []
        while chunk := fh.read(SCAN_CHUNK):
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError as exc:
                    if forced:  # the mapping chose the encoding: a byte it cannot decode is an error
                        row = lines_before + chunk.count(b"\n", 0, exc.start) + 1
                        raise InvalidInputError(f"{path}: row {row}: cannot decode as {forced} "
                                                f"(options.encoding): {exc.reason} at byte {exc.start}") from exc
                    is_utf8 = False
            if limits is not None:
                _check_nul(path, chunk, lines_before)
                current = _check_lines(path, chunk, lines_before, current, limits.csv_line_bytes)
            if len(non_ascii) < NON_ASCII_SHOWN:
                _non_ascii_rows(chunk, lines_before, non_ascii)
            lines_before += chunk.count(b"\n")
        if is_utf8:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                is_utf8 = False
    if declared and declared != "auto":
        return TextScan(declared)
    return TextScan("utf-8" if is_utf8 else "cp1252", () if is_utf8 else tuple(non_ascii))


def _check_nul(path: Path, chunk: bytes, lines_before: int) -> None:
    at = chunk.find(b"\x00")
    if at >= 0:
        row = lines_before + chunk.count(b"\n", 0, at) + 1
        raise InvalidInputError(f"{path}: cannot decode: row {row} holds a NUL byte "
                                "(a binary file, or a damaged export)")


def _check_lines(path: Path, chunk: bytes, lines_before: int, current: int, limit: int) -> int:
    """The length of the line still open after `chunk`; InvalidInputError when a line passes `limit`."""
    first = chunk.find(b"\n")
    if first < 0:
        current += len(chunk)
        if current > limit:
            raise InvalidInputError(f"{path}: row {lines_before + 1}: line longer than {limit} bytes "
                                    "(limit_csv_line_bytes): not a CSV export, or a quote left open?")
        return current
    if current + first > limit:
        raise InvalidInputError(f"{path}: row {lines_before + 1}: line longer than {limit} bytes "
                                "(limit_csv_line_bytes): not a CSV export, or a quote left open?")
    parts = chunk[first + 1:].split(b"\n")
    longest = max(range(len(parts) - 1), key=lambda i: len(parts[i]), default=None)
    if longest is not None and len(parts[longest]) > limit:
        raise InvalidInputError(f"{path}: row {lines_before + 2 + longest}: line longer than {limit} bytes "
                                "(limit_csv_line_bytes)")
    return len(parts[-1])


_HIGH = re.compile(rb"[\x80-\xff]")


def _non_ascii_rows(chunk: bytes, lines_before: int, found: list[int]) -> None:
    pos = 0
    while len(found) < NON_ASCII_SHOWN and (m := _HIGH.search(chunk, pos)):
        row = lines_before + chunk.count(b"\n", 0, m.start()) + 1
        if not found or found[-1] != row:
            found.append(row)
        nl = chunk.find(b"\n", m.start())
        if nl < 0:
            return
        pos = nl + 1


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


def _encoding_warning(path: Path, scan: TextScan) -> list[Problem]:
    if scan.encoding != "cp1252" or not scan.non_ascii_rows:
        return []
    rows = ", ".join(map(str, scan.non_ascii_rows))
    return [Problem(f"the file is not valid UTF-8 as a whole, so it was read as cp1252 (Windows Latin-1); "
                    f"check the accented text of rows {rows}: UTF-8 text there would show as 'Ã' pairs. "
                    "Set options.encoding in the mapping to choose", path.name, scan.non_ascii_rows[0],
                    "", "encoding_guessed", "warning")]


def open_csv(path: Path, *, encoding: str = "auto", delimiter: str = "auto",
             limits: InputLimits = DEFAULT_LIMITS) -> TableStream:
    scan = scan_text(path, encoding, limits)
    enc = scan.encoding
    # the csv module's limit is process-wide: every reader sets the one its limits name before reading
    csv.field_size_limit(limits.csv_field_bytes)
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
        text.close()
        raise InvalidInputError(f"{path}: the file is empty") from exc
    except UnicodeDecodeError as exc:
        text.close()
        raise InvalidInputError(f"{path}: cannot decode as {enc}: {exc}; set options.encoding") from exc
    except csv.Error as exc:
        text.close()
        raise InvalidInputError(f"{path}: row 1: {_csv_message(exc, limits)}") from exc
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
            raise InvalidInputError(f"{path}: row {line + 1}: {_csv_message(exc, limits)}") from exc
        finally:
            text.close()

    return TableStream(path, headers, rows(), enc, delim, path.stat().st_size, raw.tell,
                       _encoding_warning(path, scan))


def _csv_message(exc: csv.Error, limits: InputLimits) -> str:
    if "field larger than field limit" in str(exc):
        return (f"a field is longer than {limits.csv_field_bytes} characters (limit_csv_field_bytes): "
                "a quote left open?")
    if "unexpected end of data" in str(exc):
        return "a quote opened in this row is never closed (the file ends inside it)"
    return str(exc)


def locate_csv_problem(path: Path, encoding: str, delimiter: str, limits: InputLimits = DEFAULT_LIMITS) -> str:
    """Where the strict csv module stops in a file another parser refused: "row N: reason" (or "")."""
    csv.field_size_limit(limits.csv_field_bytes)
    line = 0
    try:
        with path.open(encoding=encoding, newline="", errors="replace") as fh:
            for _ in csv.reader(fh, delimiter=delimiter, strict=True):
                line += 1
    except csv.Error as exc:
        return f"row {line + 1}: {_csv_message(exc, limits)}"
    return ""


# --- XLSX ---------------------------------------------------------------------------------------------

_ROW_TAG = re.compile(rb"<row[\s>]")
_ROW_NUMBER = re.compile(rb'<row\b[^>]{0,40}?\sr="(\d{1,12})"')
_CELL_TAG = re.compile(rb"<c[\s/>]")
_CELL_REF = re.compile(rb'<c\b[^>]{0,40}?\sr="([A-Za-z]{1,12})\d')
_CARRY_CAP = 1024  # bytes kept after the last '>' of a chunk (a tag cut in two); text content is not needed


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ch - 64
    return index


class _SheetScan:
    """Counts one worksheet's rows and columns in the XML as it inflates, as openpyxl will pad them."""

    def __init__(self, name: str, limits: InputLimits) -> None:
        self.name = name
        self.limits = limits
        self.carry = b""
        self.rows = 0
        self.last_row = 0
        self.max_col = 0
        self.row_cells = 0  # cells of the row in progress (cells without a reference count one each)

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        cut = data.rfind(b">") + 1  # tags are only counted once complete
        seg, self.carry = data[:cut], data[cut:][-_CARRY_CAP:]
        refs = set(_CELL_REF.findall(seg))
        if refs:
            self.max_col = max(self.max_col, *(_column_index(r) for r in refs))
        numbers = _ROW_NUMBER.findall(seg)
        if numbers:
            self.last_row = max(self.last_row, *(int(n) for n in numbers))
        starts = [m.start() for m in _ROW_TAG.finditer(seg)]
        self.rows += len(starts)
        bounds = [0, *starts, len(seg)]
        for i in range(len(bounds) - 1):
            cells = len(_CELL_TAG.findall(seg, bounds[i], bounds[i + 1]))
            self.row_cells = self.row_cells + cells if i == 0 else cells
            self.max_col = max(self.max_col, self.row_cells)
        self.check()

    def check(self) -> None:
        if self.max_col > self.limits.xlsx_columns:
            raise ZipLimitError(f"{self.name}: a row reaches column {self.max_col} (limit {self.limits.xlsx_columns}, "
                                "limit_xlsx_columns): refused")
        cells = max(self.rows, self.last_row) * self.max_col
        if cells > self.limits.xlsx_cells:
            raise ZipLimitError(f"{self.name}: {max(self.rows, self.last_row)} rows x {self.max_col} columns is more "
                                f"than {self.limits.xlsx_cells} cells (limit_xlsx_cells): refused")


def check_xlsx(path: Path, limits: InputLimits = DEFAULT_LIMITS) -> None:
    """Inflate every member once, counting real bytes (never the headers) and each sheet's rows x columns."""
    try:
        archive = zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        raise InvalidInputError(f"{path}: not a readable XLSX workbook (truncated or corrupt?): {exc}") from exc
    total = 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            left = limits.xlsx_total_bytes - total
            # worksheets are streamed; everything else (shared strings, styles) openpyxl holds in memory
            cap = left if is_sheet else min(left, limits.xlsx_part_bytes)
            scan: Callable[[bytes], None] | None = _SheetScan(info.filename, limits).feed if is_sheet else None
            try:
                total += stream_member(archive, info, cap, scan)
            except ZipLimitError as exc:
                what = "limit_xlsx_total_bytes" if cap == left else "limit_xlsx_part_bytes"
                detail = f"{exc} ({what})" if "inflates to" in str(exc) else str(exc)
                raise InvalidInputError(f"{path}: {detail}") from exc


def open_xlsx(path: Path, *, sheet: str = "", limits: InputLimits = DEFAULT_LIMITS) -> TableStream:
    import openpyxl

    check_xlsx(path, limits)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InvalidInputError(f"{path}: not a readable XLSX workbook (truncated or corrupt?): {exc}") from exc
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
    except KeyError as exc:
        raise InvalidInputError(f"{path}: no sheet named {sheet!r}; sheets: {', '.join(wb.sheetnames)}") from exc
    if hasattr(ws, "reset_dimensions"):
        # the declared <dimension> is the writer's claim: pad rows to their own last cell, as counted above
        ws.reset_dimensions()
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


def open_table(path: Path, options: dict[str, Any] | None = None,
               limits: InputLimits = DEFAULT_LIMITS) -> TableStream:
    options = options or {}
    if not path.exists():
        raise InvalidInputError(f"{path}: file not found")
    if not path.is_file():
        raise InvalidInputError(f"{path}: not a file")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if path.suffix.lower() in (".xlsx", ".xlsm") or magic == b"PK\x03\x04":
        return open_xlsx(path, sheet=str(options.get("sheet") or ""), limits=limits)
    return open_csv(path, encoding=str(options.get("encoding") or "auto"),
                    delimiter=str(options.get("delimiter") or "auto"), limits=limits)
