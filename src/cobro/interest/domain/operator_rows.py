"""Rate rows an operator supplies (`cobro rates add|import`): reading and checking them, before anything is written.

A row names its jurisdiction and kind (which rate table it extends), the period (both ends inclusive), the rate in
percent a year as the source publishes it, the source (a BOE resolution, a CMF publication …) and optionally a
status (V checked against the source, the default; K; ?).  Every problem names the file, the row and the field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from cobro.interest.domain import InterestError, rate_table_for
from cobro.kernel.money import D, MoneyError
from cobro.kernel.rates import STATUSES, RateRow

IMPORT_COLUMNS: Final = ("jurisdiction", "kind", "valid_from", "valid_to", "rate", "source", "status")
REQUIRED: Final = ("jurisdiction", "valid_from", "valid_to", "rate", "source")
MAX_RATE: Final = Decimal(100)  # percent a year: a larger figure is a typo (a rate in basis points, a missing dot)


@dataclass(frozen=True, slots=True)
class OperatorRow:
    """One checked row and the table it goes to."""

    table_id: str
    row: RateRow


def _day(value: str, field: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InterestError(f"{where}, {field}: {value!r} is not a date YYYY-MM-DD") from None


def operator_row(fields: dict[str, str], *, where: str, origin: str) -> OperatorRow:
    """Check one row given as text fields (`where` says which file and row, for the message; `origin` is the file
    the book will name for it)."""
    for name in REQUIRED:
        if not (fields.get(name) or "").strip():
            raise InterestError(f"{where}, {name}: required")
    try:
        table_id = rate_table_for(fields["jurisdiction"], fields.get("kind") or "")
    except InterestError as exc:
        raise InterestError(f"{where}, {'kind' if fields.get('kind') else 'jurisdiction'}: {exc}") from None
    start = _day(fields["valid_from"], "valid_from", where)
    end = _day(fields["valid_to"], "valid_to", where)
    if end < start:
        raise InterestError(f"{where}, valid_to: {end} is before valid_from {start}")
    raw_rate = fields["rate"].strip().rstrip("%").strip()
    try:
        rate = D(raw_rate)
    except MoneyError:
        raise InterestError(f"{where}, rate: {fields['rate']!r} is not a number (percent a year, e.g. 10.15)") from None
    if not rate.is_finite() or rate < 0 or rate > MAX_RATE:
        raise InterestError(f"{where}, rate: {rate} is outside 0..{MAX_RATE} (percent a year)")
    status = (fields.get("status") or "").strip() or "V"
    if status not in STATUSES:
        raise InterestError(f"{where}, status: must be V, K or ?, got {status!r}")
    source = " ".join(fields["source"].split())
    return OperatorRow(table_id, RateRow(start, end, rate, source, status, origin))


def parse_import(text: str, origin: str) -> list[OperatorRow]:
    """Every row of an import file (CSV with a header naming at least the required columns, in any order; `#`
    lines are comments); the first problem raises, naming the file, the data row and the field."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise InterestError(f"{origin}: empty file (header: {','.join(IMPORT_COLUMNS)})")
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    header = [(h or "").strip().lower() for h in reader.fieldnames or ()]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InterestError(f"{origin}, header: missing column(s) {', '.join(missing)} "
                            f"(columns: {','.join(IMPORT_COLUMNS)})")
    unknown = [h for h in header if h not in IMPORT_COLUMNS]
    if unknown:
        raise InterestError(f"{origin}, header: unknown column(s) {', '.join(unknown)} "
                            f"(columns: {','.join(IMPORT_COLUMNS)})")
    reader.fieldnames = header
    rows = []
    for number, raw in enumerate(reader, start=1):
        if None in raw:
            raise InterestError(f"{origin} row {number}: more cells than header columns")
        fields = {k: (v or "") for k, v in raw.items() if k is not None}
        rows.append(operator_row(fields, where=f"{origin} row {number}", origin=origin))
    if not rows:
        raise InterestError(f"{origin}: no data rows")
    return rows
