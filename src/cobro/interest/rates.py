"""Rate tables for statutory late-payment interest: versioned CSV data shipped in `cobro.interest.tables`.

Format (one file per series, `<table_id>.csv`): `#` comment lines (title, `# version: ...`, sources), then a header
`valid_from,valid_to,rate,source,status` and one row per period.  Dates are ISO, both ends inclusive; `rate` is a
percentage a year as a decimal string; `status` is `V` (checked against the source), `K` (general knowledge, verify)
or `?` (unverified), as in docs/domain.md.

Operators extend a table without touching the package: `load_rate_table(table_id, extra_dir=...)` also reads every
`<table_id>*.csv` in `extra_dir` (the caller resolves `COBRO_RATES_DIR`).  An operator row with exactly the same
`valid_from`/`valid_to` as a shipped row replaces it (a corrected value); any other overlap is an error.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Final

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


def _parse_rows(text: str, origin: str) -> tuple[str, list[RateRow]]:
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


def _merge(table_id: str, shipped: list[RateRow], extra: Iterable[RateRow]) -> tuple[RateRow, ...]:
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


def shipped_table_ids() -> list[str]:
    """Ids of the rate tables shipped in the package."""
    folder = resources.files("cobro.interest.tables")
    return sorted(p.name.removesuffix(".csv") for p in folder.iterdir() if p.name.endswith(".csv"))


def load_rate_table(table_id: str, extra_dir: Path | str | None = None) -> RateTable:
    """Load a shipped rate table and merge the operator's extra rows.

    Args:
        table_id: file stem, e.g. `es_ley_3_2004`, `uk_boe_base`, `eu_ecb_mro`, `cl_cmf_corriente`.
        extra_dir: optional directory with operator files `<table_id>*.csv` (same format).

    Raises:
        RateTableError: unknown table, unreadable file, bad row, or overlapping rows.
    """
    resource = resources.files("cobro.interest.tables").joinpath(f"{table_id}.csv")
    extra_files: list[Path] = []
    if extra_dir is not None:
        folder = Path(extra_dir)
        if not folder.is_dir():
            raise RateTableError(f"extra rates directory {folder} does not exist")
        extra_files = sorted(folder.glob(f"{table_id}*.csv"))
    if not resource.is_file():
        if not extra_files:
            known = ", ".join(shipped_table_ids())
            raise RateTableError(f"unknown rate table {table_id!r} (shipped: {known})")
        version, shipped = "", list[RateRow]()
    else:
        version, shipped = _parse_rows(resource.read_text(encoding="utf-8"), f"cobro.interest.tables/{table_id}.csv")
    extra_rows: list[RateRow] = []
    for path in extra_files:
        extra_version, rows = _parse_rows(path.read_text(encoding="utf-8"), str(path))
        extra_rows.extend(rows)
        if extra_version:
            version = f"{version}+{path.name}:{extra_version}" if version else extra_version
    return RateTable(table_id, version, _merge(table_id, shipped, extra_rows))
