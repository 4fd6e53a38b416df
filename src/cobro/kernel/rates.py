"""Rate tables for statutory late-payment interest, as values: rows, tables, and the pure parsing and merging.

Format (one file per series, `<table_id>.csv`): `#` comment lines (title, `# version: ...`, sources), then a header
`valid_from,valid_to,rate,source,status` and one row per period.  Dates are ISO, both ends inclusive; `rate` is a
percentage a year as a decimal string; `status` is `V` (checked against the source), `K` (general knowledge, verify)
or `?` (unverified), as in docs/domain.md.

Nothing here reads a file: `parse_rate_table` takes the text and `merge_rate_rows` the parsed rows.  Reading the
shipped tables and the operator's `rates_dir` is `cobro.platform.rates.RateBook`, built once by the composition
root; computations see only the `RateSource` protocol.  These types live in the kernel (not in `interest`) because
the composition root in `platform` builds the book and the layers let platform import only the kernel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Protocol

from cobro.kernel.errors import CobroError
from cobro.kernel.money import D, MoneyError

COLUMNS: Final = ("valid_from", "valid_to", "rate", "source", "status")
STATUSES: Final = frozenset({"V", "K", "?"})


class RateTableError(CobroError):
    """A rate table that cannot be read or is inconsistent (overlapping rows, bad values)."""


@dataclass(frozen=True, slots=True)
class RateRow:
    """One period of a rate series: `rate` (percent a year) applies from `valid_from` to `valid_to`, inclusive."""

    valid_from: dt.date
    valid_to: dt.date
    rate: Decimal
    source: str
    status: str
    origin: str = "cobro"  # file the row came from ("cobro" for shipped rows)

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to


def half_year_label(day: dt.date) -> str:
    """`2026-H2` for any day from 1 Jul to 31 Dec 2026."""
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def half_year_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the calendar half-year containing `day` (split at 1 Jan and 1 Jul)."""
    if day.month <= 6:
        return dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)
    return dt.date(day.year, 7, 1), dt.date(day.year, 12, 31)


@dataclass(frozen=True, slots=True)
class RateTable:
    """A sorted, non-overlapping rate series (possibly with gaps: a gap is a period with no known rate)."""

    table_id: str
    version: str
    rows: tuple[RateRow, ...]

    def row_for(self, day: dt.date) -> RateRow | None:
        """The row covering `day`, or None."""
        lo, hi = 0, len(self.rows)
        while lo < hi:  # rows are sorted and disjoint: binary search on valid_from
            mid = (lo + hi) // 2
            if self.rows[mid].valid_to < day:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.rows) and self.rows[lo].covers(day):
            return self.rows[lo]
        return None

    def next_start_after(self, day: dt.date) -> dt.date | None:
        """valid_from of the first row that starts after `day` (to find the end of a gap)."""
        for row in self.rows:
            if row.valid_from > day:
                return row.valid_from
        return None


class RateSource(Protocol):
    """Where computations get rate tables from (the composition root's `RateBook`, or a fixed set in tests)."""

    def table(self, table_id: str) -> RateTable:
        """The merged table `table_id`; raises `RateTableError` when it is unknown or cannot be read."""
        ...


def parse_rate_table(text: str, origin: str) -> tuple[str, list[RateRow]]:
    """The `# version:` (or "") and the rows of one rate file's text; `origin` names the file in errors and rows."""
    version = ""
    data_lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            body = stripped.lstrip("#").strip()
            if body.lower().startswith("version:") and not version:
                version = body.split(":", 1)[1].strip()
            continue
        if stripped:
            data_lines.append(line)
    if not data_lines:
        raise RateTableError(f"{origin}: no header line {','.join(COLUMNS)}")
    reader = csv.DictReader(io.StringIO("\n".join(data_lines)))
    header = tuple(h.strip() for h in (reader.fieldnames or ()))
    if header[: len(COLUMNS)] != COLUMNS:
        raise RateTableError(f"{origin}: header must be {','.join(COLUMNS)}, got {','.join(header)}")
    rows: list[RateRow] = []
    for number, raw in enumerate(reader, start=2):
        try:
            start = dt.date.fromisoformat(raw["valid_from"].strip())
            end = dt.date.fromisoformat(raw["valid_to"].strip())
            rate = D(raw["rate"].strip())
        except (ValueError, MoneyError, AttributeError) as exc:
            raise RateTableError(f"{origin} data row {number - 1}: {exc}") from exc
        status = (raw.get("status") or "").strip()
        if end < start:
            raise RateTableError(f"{origin} data row {number - 1}: valid_to {end} is before valid_from {start}")
        if rate < 0:
            raise RateTableError(f"{origin} data row {number - 1}: negative rate {rate}")
        if status not in STATUSES:
            raise RateTableError(f"{origin} data row {number - 1}: status must be V, K or ?, got {status!r}")
        rows.append(RateRow(start, end, rate, (raw.get("source") or "").strip(), status, origin))
    return version, rows


def merge_rate_rows(table_id: str, shipped: Iterable[RateRow], extra: Iterable[RateRow]) -> tuple[RateRow, ...]:
    """Shipped rows plus the operator's: a row with exactly a shipped row's span replaces it (a corrected value);
    any other overlap is a `RateTableError`.  Sorted by `valid_from`."""
    by_span: dict[tuple[dt.date, dt.date], RateRow] = {(r.valid_from, r.valid_to): r for r in shipped}
    for row in extra:
        by_span[(row.valid_from, row.valid_to)] = row  # same span: the operator's row wins
    rows = sorted(by_span.values(), key=lambda r: r.valid_from)
    for before, after in itertools.pairwise(rows):
        if after.valid_from <= before.valid_to:
            raise RateTableError(
                f"{table_id}: rows overlap: {before.valid_from}..{before.valid_to} ({before.origin}) and "
                f"{after.valid_from}..{after.valid_to} ({after.origin})"
            )
    return tuple(rows)
