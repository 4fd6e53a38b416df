"""Ageing buckets (docs/domain.md §2.1).

Two conventions, always labelled:

* ``due`` basis (collections, IFRS 9): age = days past due at the report date.  Spec ``0,30,60,90,120`` gives
  ``Not due`` (age ≤ 0), ``1–30``, ``31–60``, ``61–90``, ``91–120``, ``>120``.
* ``invoice`` basis (older reports, DSO-style): age = days since the invoice date.  The same spec gives ``0–30``,
  ``31–60``, ``61–90``, ``91–120``, ``>120`` (age ≤ 30, including a future-dated invoice, is the first bucket).

Boundaries include the upper number (31 falls in ``31–60``).  Ages are calendar days at the report date.  Credit notes
and unapplied cash are never netted into a bucket: `age` totals them separately.  `Bucket.lower/upper` (inclusive,
None = open) and `case_sql` let the database version push the same spec into SQL.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from cobro.kernel.errors import InvalidInputError
from cobro.kernel.money import ZERO

Basis = Literal["due", "invoice"]
ItemKind = Literal["invoice", "credit_note", "unapplied_cash"]
DEFAULT_SPEC = "0,30,60,90,120"


@dataclass(frozen=True, slots=True)
class Bucket:
    """One ageing bucket: ages from `lower` to `upper`, both inclusive; None means unbounded on that side."""

    index: int
    label: str
    lower: int | None
    upper: int | None

    def contains(self, days: int) -> bool:
        return (self.lower is None or days >= self.lower) and (self.upper is None or days <= self.upper)


@dataclass(frozen=True, slots=True)
class BucketSpec:
    """Parsed bucket edges (strictly increasing, starting at 0) and the buckets for one basis."""

    edges: tuple[int, ...]
    basis: Basis
    buckets: tuple[Bucket, ...]

    @property
    def labels(self) -> list[str]:
        return [b.label for b in self.buckets]

    def case_sql(self, days_expr: str) -> str:
        """A SQL ``CASE`` returning the bucket index for an integer age expression (portable SQL)."""
        whens = [f"WHEN {days_expr} <= {b.upper} THEN {b.index}" for b in self.buckets if b.upper is not None]
        return f"CASE {' '.join(whens)} ELSE {self.buckets[-1].index} END"


def parse_bucket_spec(spec: str = DEFAULT_SPEC, basis: Basis = "due") -> BucketSpec:
    """Parse ``"0,30,60,90,120"`` into buckets.

    Edges must be non-negative, strictly increasing integers; a leading 0 is added when missing.

    Raises:
        InvalidInputError: empty, non-integer, negative or non-increasing edges, or an unknown basis.
    """
    if basis not in ("due", "invoice"):
        raise InvalidInputError(f"ageing basis must be 'due' or 'invoice', got {basis!r}")
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    if not parts:
        raise InvalidInputError("bucket spec is empty: give edges like 0,30,60,90,120")
    try:
        edges = [int(p) for p in parts]
    except ValueError as exc:
        raise InvalidInputError(f"bucket spec {spec!r}: edges must be whole days") from exc
    if any(e < 0 for e in edges):
        raise InvalidInputError(f"bucket spec {spec!r}: edges must not be negative")
    if any(b <= a for a, b in itertools.pairwise(edges)):
        raise InvalidInputError(f"bucket spec {spec!r}: edges must be strictly increasing")
    if edges[0] != 0:
        edges.insert(0, 0)
    buckets: list[Bucket] = []
    if basis == "due":
        buckets.append(Bucket(0, "Not due", None, 0))
        for a, b in itertools.pairwise(edges):
            buckets.append(Bucket(len(buckets), f"{a + 1}–{b}", a + 1, b))
    else:
        if len(edges) == 1:
            raise InvalidInputError(f"bucket spec {spec!r}: the invoice basis needs at least one edge above 0")
        buckets.append(Bucket(0, f"0–{edges[1]}", None, edges[1]))
        for a, b in itertools.pairwise(edges[1:]):
            buckets.append(Bucket(len(buckets), f"{a + 1}–{b}", a + 1, b))
    buckets.append(Bucket(len(buckets), f">{edges[-1]}", edges[-1] + 1, None))
    return BucketSpec(tuple(edges), basis, tuple(buckets))


def bucket_for(days: int, spec: BucketSpec) -> Bucket:
    """The bucket for an age in days (days past due, or days since invoice, as the spec's basis says)."""
    for bucket in spec.buckets:
        if bucket.upper is None or days <= bucket.upper:
            return bucket
    return spec.buckets[-1]  # pragma: no cover - the last bucket is open-ended


@dataclass(frozen=True, slots=True)
class AgeingItem:
    """An open amount to age.  Credit notes and unapplied cash carry their (negative or positive) amount as given."""

    amount: Decimal
    invoice_date: dt.date
    due_date: dt.date
    currency: str = "EUR"
    kind: ItemKind = "invoice"
    key: str = ""  # customer or segment, for grouping by the caller


def item_age(item: AgeingItem, as_of: dt.date, basis: Basis) -> int:
    """Calendar days past due (due basis) or since the invoice date (invoice basis) at `as_of`."""
    anchor = item.due_date if basis == "due" else item.invoice_date
    return (as_of - anchor).days


@dataclass(slots=True)
class BucketTotal:
    bucket: Bucket
    amount: Decimal = ZERO
    count: int = 0


@dataclass(slots=True)
class AgeingTable:
    """Ageing of one currency: invoice buckets, plus credit notes and unapplied cash kept apart."""

    currency: str
    buckets: list[BucketTotal]
    credit_notes: Decimal = ZERO
    unapplied_cash: Decimal = ZERO
    credit_count: int = 0
    by_key: dict[str, list[Decimal]] = field(default_factory=dict)

    @property
    def invoices_total(self) -> Decimal:
        return sum((b.amount for b in self.buckets), ZERO)

    @property
    def total(self) -> Decimal:
        """Open balance: invoice buckets + credit notes + unapplied cash (as signed by the caller)."""
        return self.invoices_total + self.credit_notes + self.unapplied_cash


def age(items: Iterable[AgeingItem], as_of: dt.date, spec: BucketSpec) -> dict[str, AgeingTable]:
    """Age small in-memory lists, per currency (never mixing currencies), with per-key rows in `by_key`.

    The database version pushes the same `spec` into SQL (`BucketSpec.case_sql`); this one is the reference.
    """
    tables: dict[str, AgeingTable] = {}
    for item in items:
        table = tables.get(item.currency)
        if table is None:
            table = AgeingTable(item.currency, [BucketTotal(b) for b in spec.buckets])
            tables[item.currency] = table
        if item.kind == "credit_note":
            table.credit_notes += item.amount
            table.credit_count += 1
            continue
        if item.kind == "unapplied_cash":
            table.unapplied_cash += item.amount
            table.credit_count += 1
            continue
        bucket = bucket_for(item_age(item, as_of, spec.basis), spec)
        total = table.buckets[bucket.index]
        total.amount += item.amount
        total.count += 1
        if item.key:
            row = table.by_key.setdefault(item.key, [ZERO] * len(spec.buckets))
            row[bucket.index] += item.amount
    return tables
