"""The rate book: the shipped rate tables (package data `cobro.platform.rate_tables`) merged with the operator's
`rates_dir` (`COBRO_RATES_DIR`, docs/analytics.md §4), each read once per book.

The composition root builds one book (`Container.rates`) and entrypoints hand it to every computation that needs
a rate, so the letters, the cycle, the evidence pack, reports, risk and `cobro interest` all see the same tables.
There is no module-level cache: a test or a second tenant configuration simply builds another book.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Final

from cobro.kernel.rates import COLUMNS, RateRow, RateTable, RateTableError, merge_rate_rows, parse_rate_table

# the shipped tables are package data next to the book that reads them
SHIPPED_PACKAGE: Final = "cobro.platform.rate_tables"


class RateBook:
    """Rate tables by id, loaded on first use and kept for the book's life (a `cobro.kernel.rates.RateSource`)."""

    def __init__(self, extra_dir: Path | str | None = None) -> None:
        self.extra_dir = None if extra_dir is None else Path(extra_dir)
        self._tables: dict[str, RateTable] = {}

    def table(self, table_id: str) -> RateTable:
        """The shipped table `table_id` merged with the operator's `<table_id>*.csv` files in `extra_dir`.

        Raises:
            RateTableError: unknown table, missing extra directory, unreadable file, bad row, or overlapping rows.
        """
        found = self._tables.get(table_id)
        if found is None:
            # two threads may both load a table the first time; they build equal values, so the race is harmless
            found = self._tables[table_id] = self._load(table_id)
        return found

    def _load(self, table_id: str) -> RateTable:
        resource = resources.files(SHIPPED_PACKAGE).joinpath(f"{table_id}.csv")
        extra_files: list[Path] = []
        if self.extra_dir is not None:
            if not self.extra_dir.is_dir():
                raise RateTableError(f"extra rates directory {self.extra_dir} does not exist")
            extra_files = sorted(self.extra_dir.glob(f"{table_id}*.csv"))
        if not resource.is_file():
            if not extra_files:
                known = ", ".join(shipped_table_ids())
                raise RateTableError(f"unknown rate table {table_id!r} (shipped: {known})")
            version, shipped = "", list[RateRow]()
        else:
            version, shipped = parse_rate_table(resource.read_text(encoding="utf-8"),
                                                f"{SHIPPED_PACKAGE}/{table_id}.csv")
        extra_rows: list[RateRow] = []
        for path in extra_files:
            extra_version, rows = parse_rate_table(path.read_text(encoding="utf-8"), str(path))
            extra_rows.extend(rows)
            if extra_version:
                version = f"{version}+{path.name}:{extra_version}" if version else extra_version
        return RateTable(table_id, version, merge_rate_rows(table_id, shipped, extra_rows))


def shipped_table_ids() -> list[str]:
    """Ids of the rate tables shipped in the package."""
    folder = resources.files(SHIPPED_PACKAGE)
    return sorted(p.name.removesuffix(".csv") for p in folder.iterdir() if p.name.endswith(".csv"))


# the file `cobro rates add|import` keeps for a table in the operator's directory (it matches `<table_id>*.csv`)
OPERATOR_SUFFIX: Final = "_operator"


def operator_file(extra_dir: Path, table_id: str) -> Path:
    return extra_dir / f"{table_id}{OPERATOR_SUFFIX}.csv"


def store_operator_rows(extra_dir: Path, new: Mapping[str, Sequence[RateRow]]) -> list[Path]:
    """Add the operator's rows (by table id) to their files in `extra_dir`, all or nothing.

    Every table is first merged, in memory, with the book as it reads now (shipped rows and every operator file):
    a row with the span of an existing one replaces it (a corrected value); any other overlap is a
    `RateTableError` naming both rows, and then no file is written.  Each file is replaced whole (written beside
    and renamed), so a reader never sees half a file.
    """
    extra_dir.mkdir(parents=True, exist_ok=True)
    book = RateBook(extra_dir)
    plans: list[tuple[Path, str]] = []
    for table_id, rows in new.items():
        merge_rate_rows(table_id, book.table(table_id).rows, rows)  # raises on an overlap
        path = operator_file(extra_dir, table_id)
        kept: list[RateRow] = []
        if path.is_file():
            kept = parse_rate_table(path.read_text(encoding="utf-8"), str(path))[1]
        by_span = {(r.valid_from, r.valid_to): r for r in kept}
        by_span.update({(r.valid_from, r.valid_to): r for r in rows})
        merged = merge_rate_rows(table_id, (), sorted(by_span.values(), key=lambda r: r.valid_from))
        plans.append((path, _operator_text(table_id, merged)))
    for path, text in plans:
        scratch = path.with_name(f".{path.name}.tmp")
        scratch.write_text(text, encoding="utf-8")
        os.replace(scratch, path)
    return [path for path, _ in plans]


def _operator_text(table_id: str, rows: Sequence[RateRow]) -> str:
    out = io.StringIO()
    out.write(f"# cobro rate table {table_id}: rows supplied by the operator (cobro rates add / cobro rates import)\n"
              "# version: operator\n# valid_from and valid_to are inclusive; rate in percent a year as published.\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.valid_from.isoformat(), r.valid_to.isoformat(), str(r.rate), r.source, r.status])
    return out.getvalue()
