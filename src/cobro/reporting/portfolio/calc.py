"""Polars building blocks of the portfolio analysis: open-as-of, buckets, month-end history, roll-rate snapshots.

Money stays in integer minor units (Int64) inside the frames; callers turn sums into Decimal.  A row is an amount
that is open at a date when it was issued by then and not settled by then.  A file row is a whole invoice or
instalment; a database ledger (`cobro.reporting.repository.ledger_rows`) splits each instalment into one row per
allocation plus the unpaid rest, so `open_at` — which adds the rows of one instalment back up — gives the ledger's
``amount − allocations dated ≤ D`` (docs/ledger.md).
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

import polars as pl

from cobro.kernel.money import ZERO
from cobro.reporting.domain import kpis
from cobro.reporting.domain.aging import BucketSpec, bucket_for


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_ends(as_of: dt.date, count: int, first: dt.date | None = None) -> list[dt.date]:
    """The last `count` month-ends on or before `as_of` (not before `first`'s month), oldest first."""
    ends: list[dt.date] = []
    cursor = as_of if month_end(as_of) == as_of else as_of.replace(day=1) - dt.timedelta(days=1)
    while len(ends) < count and (first is None or cursor >= month_end(first)):
        ends.append(cursor)
        cursor = cursor.replace(day=1) - dt.timedelta(days=1)
    return list(reversed(ends))


# the rows of one instalment (a file's instalment, or a database instalment's allocations and unpaid rest)
ITEM = ("invoice_number", "customer_code", "due_date", "currency", "kind")


def open_at(frame: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """One row per instalment open at the end of `day`, its `amount_minor` the part still open then, with `dpd`
    (days past due) and `age` (days since invoice)."""
    opened = frame.filter(
        (pl.col("issue_date") <= day) & (pl.col("settled_date").is_null() | (pl.col("settled_date") > day)))
    rest = [c for c in frame.columns if c not in ITEM and c not in ("amount_minor", "amount", "settled_date")]
    return opened.group_by(ITEM, maintain_order=True).agg(
        pl.col("amount_minor").sum(), pl.col("amount").sum(), *(pl.col(c).first() for c in rest),
        # the day the whole instalment is paid, when every open part has a settlement date
        pl.when(pl.col("settled_date").is_null().any()).then(None).otherwise(pl.col("settled_date").max())
        .alias("settled_date"),
    ).select(frame.columns).with_columns(
        dpd=(pl.lit(day) - pl.col("due_date")).dt.total_days(),
        age=(pl.lit(day) - pl.col("issue_date")).dt.total_days(),
    )


def bucket_indices(frame: pl.DataFrame, days: str, spec: BucketSpec) -> pl.Expr:
    """The bucket index of an age column: each distinct age through `aging.bucket_for`, the reports' ageing."""
    values = [int(v) for v in frame[days].unique().to_list() if v is not None]
    return pl.col(days).replace_strict({v: bucket_for(v, spec).index for v in values}, return_dtype=pl.Int64)


def minor_sum(frame: pl.DataFrame, condition: pl.Expr | None = None) -> int:
    subset = frame if condition is None else frame.filter(condition)
    value = subset["amount_minor"].sum() if subset.height else 0
    return int(value or 0)


def bucket_totals(open_frame: pl.DataFrame, spec: BucketSpec, days: str = "dpd") -> list[tuple[int, int]]:
    """(amount minor, count) per bucket of `spec`, in bucket order."""
    out = [(0, 0)] * len(spec.buckets)
    if open_frame.height == 0:
        return out
    grouped = open_frame.with_columns(b=bucket_indices(open_frame, days, spec)).group_by("b").agg(
        pl.col("amount_minor").sum().alias("amount"), pl.len().alias("n"))
    for b, amount, n in grouped.iter_rows():
        out[int(b)] = (int(amount), int(n))
    return out


def sales_between(frame: pl.DataFrame, start: dt.date, end: dt.date) -> int:
    """Credit sales issued in (start, end]."""
    return minor_sum(frame, (pl.col("issue_date") > start) & (pl.col("issue_date") <= end))


def weighted_days(frame: pl.DataFrame, days: pl.Expr) -> Decimal | None:
    """Σ amount × days / Σ amount, exact on integers."""
    if frame.height == 0:
        return None
    row = frame.select((pl.col("amount_minor") * days).sum().alias("num"),
                       pl.col("amount_minor").sum().alias("den")).row(0)
    return None if not row[1] else Decimal(int(row[0])) / Decimal(int(row[1]))


def countback_months(frame: pl.DataFrame, as_of: dt.date, limit: int = 36) -> list[tuple[Decimal, int]]:
    """(sales, days) per calendar month from the as-of month backwards; the as-of month counts its elapsed days."""
    out: list[tuple[Decimal, int]] = []
    cursor = as_of
    for k in range(limit):
        start = cursor.replace(day=1) - dt.timedelta(days=1)
        end = as_of if k == 0 else cursor
        out.append((Decimal(sales_between(frame, start, end)), as_of.day if k == 0 else cursor.day))
        cursor = start
    return out


def kpis_at(frame: pl.DataFrame, day: dt.date, window_days: int) -> dict[str, Decimal | None]:
    """The DSO family, ADD, CEI and shares at `day` (ratios: the minor-unit scale cancels out)."""
    begin = day - dt.timedelta(days=window_days)
    opened = open_at(frame, day)
    ar_end = Decimal(minor_sum(opened))
    ar_current = Decimal(minor_sum(opened, pl.col("dpd") <= 0))
    ar_90 = Decimal(minor_sum(opened, pl.col("dpd") > 90))
    ar_begin = Decimal(minor_sum(open_at(frame, begin)))
    sales = Decimal(sales_between(frame, begin, day))
    d = kpis.dso(ar_end, sales, window_days)
    b = kpis.best_possible_dso(ar_current, sales, window_days)
    month_sales = frame.filter(pl.col("issue_date") <= day).group_by(
        pl.col("issue_date").dt.strftime("%Y-%m").alias("ym")).agg(pl.col("amount_minor").sum().alias("s"))
    per_month = dict(month_sales.iter_rows())
    oracle = kpis.true_dso_oracle(
        (int(age), Decimal(int(amount)), Decimal(int(per_month[ym])))
        for age, amount, ym in opened.select("age", "amount_minor",
                                              pl.col("issue_date").dt.strftime("%Y-%m")).iter_rows())
    settled = frame.filter((pl.col("settled_date") > begin) & (pl.col("settled_date") <= day))
    return {
        "ar_end": ar_end, "ar_current": ar_current, "ar_over_90": ar_90, "ar_begin": ar_begin, "sales": sales,
        "dso": d, "bpdso": b, "add": None if d is None or b is None else kpis.average_days_delinquent(d, b),
        "countback_dso": kpis.countback_dso(ar_end, countback_months(frame, day)) if ar_end else None,
        "true_dso_oracle": oracle if ar_end else None,
        "true_dso_weighted": weighted_days(opened, pl.col("age")),
        "add_direct": weighted_days(opened.filter(pl.col("dpd") > 0), pl.col("dpd")),
        "adbt": weighted_days(settled, (pl.col("settled_date") - pl.col("due_date")).dt.total_days()),
        "adp": weighted_days(settled, (pl.col("settled_date") - pl.col("issue_date")).dt.total_days()),
        "cei": kpis.cei(ar_begin, sales, ar_end, ar_current),
        "turnover": (t := kpis.receivables_turnover(sales * 365 / window_days, [ar_begin, ar_end])),
        "collection_period": kpis.average_collection_period(t) if t else None,
        "percent_current": kpis.percent_of(ar_current, ar_end),
        "percent_over_90": kpis.percent_of(ar_90, ar_end),
    }


def roll_snapshots(frame: pl.DataFrame, ends: list[dt.date], spec: BucketSpec) -> list[list[Decimal]]:
    """Month-end balances per bucket (all but the last, open-ended bucket) plus the written-off flow column.

    The flow of month t is what sat in the last matrix bucket at t−1 and is still unpaid at t.
    """
    last = spec.buckets[-2]
    assert last.lower is not None and last.upper is not None
    rows: list[list[Decimal]] = []
    prev: dt.date | None = None
    for end in ends:
        opened = open_at(frame, end)
        balances = [Decimal(a) for a, _ in bucket_totals(opened, spec)][:-1]
        flow = ZERO
        if prev is not None:
            gap = (end - prev).days
            flow = Decimal(minor_sum(opened, pl.col("dpd").is_between(last.lower + gap, last.upper + gap)))
        rows.append([*balances, flow])
        prev = end
    return rows


def payment_history(frame: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Per customer: invoices settled by `as_of`, how many late, and the amount-weighted days late when late."""
    settled = frame.filter(pl.col("settled_date") <= as_of).with_columns(
        late=(pl.col("settled_date") - pl.col("due_date")).dt.total_days())
    return settled.group_by("customer_code").agg(
        pl.len().alias("settled_n"),
        (pl.col("late") > 0).sum().alias("late_n"),
        (pl.when(pl.col("late") > 0).then(pl.col("late") * pl.col("amount_minor")).otherwise(0)).sum().alias("lx"),
        (pl.when(pl.col("late") > 0).then(pl.col("amount_minor")).otherwise(0)).sum().alias("la"),
    )
