"""Portfolio technical analysis of a raw ledger export, with no database.

Answers "how much liquidity is blocked in my receivables, how old, in whose hands, what it costs me and what can be
recovered" from the frame `cobro.ledger.imports.frame.read_ledger_frame` returns.  Everything is computed with polars on
integer minor units, then handed to the pure formulas of `cobro.domain` (kpis, costs, interest, provision); the
result is a `Portfolio` of Decimals that the renderers in `report_render` format (HTML, PDF, XLSX).

Conventions: the as-of date defaults to the latest invoice date in the file (an export's extraction date is not in
the data; for an empty file, the caller's `today`); an invoice settled after the as-of date is open at it.  The report covers one currency, the one with the
largest open balance; other currencies are named in the notes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from cobro.interest import domain as interest
from cobro.kernel.money import ZERO, exponent
from cobro.kernel.rates import RateSource
from cobro.reporting.domain import costs, provision
from cobro.reporting.domain.aging import BucketSpec, parse_bucket_spec
from cobro.reporting.portfolio import calc

PROVISION_SPEC = "0,30,60,90,120"


@dataclass(frozen=True)
class Options:
    as_of: dt.date | None = None
    currency: str | None = None  # default: the currency with the most open invoices
    jurisdiction: str = "ES"
    buckets: str = "0,30,60,90,120"
    window_days: int = 90
    trend_months: int = 12
    lgd: Decimal = Decimal("0.9")
    overlay: Decimal = Decimal("1.0")
    cost: costs.CostParameters = field(default_factory=costs.CostParameters)
    top_n: int = 10
    priorities: int = 15
    interest_lookback_days: int = 365  # invoices paid late within this window still carry a claim


@dataclass(frozen=True)
class BucketLine:
    label: str
    amount: Decimal
    count: int
    share: Decimal | None


@dataclass(frozen=True)
class Debtor:
    code: str
    name: str
    open: Decimal
    overdue: Decimal
    invoices: int
    share: Decimal
    cumulative_share: Decimal


@dataclass(frozen=True)
class TrendPoint:
    month_end: dt.date
    ar: Decimal
    overdue: Decimal
    dso: Decimal | None
    bpdso: Decimal | None
    adbt: Decimal | None


@dataclass(frozen=True)
class InterestLine:
    invoice: str
    customer: str
    amount: Decimal
    due: dt.date
    end: dt.date
    status: str  # "open" (accrued to as-of) or "paid late"
    days: int
    interest: Decimal | None
    compensation: Decimal | None
    reason: str = ""  # why it is not computable


@dataclass(frozen=True)
class Priority:
    code: str
    name: str
    overdue: Decimal
    open: Decimal
    max_dpd: int
    late_share: Decimal | None  # share of past invoices paid late, percent
    avg_days_late: Decimal | None
    disputed: int
    score: Decimal


@dataclass
class Portfolio:
    as_of: dt.date
    currency: str
    jurisdiction: str
    spec: BucketSpec
    options: Options
    notes: list[str] = field(default_factory=list)
    invoices_in_file: int = 0
    open_count: int = 0
    debtors: int = 0
    open_total: Decimal = ZERO
    overdue: Decimal = ZERO
    over_90: Decimal = ZERO
    credit_notes: Decimal = ZERO
    disputed: Decimal = ZERO
    ageing: list[BucketLine] = field(default_factory=list)
    top_debtors: list[Debtor] = field(default_factory=list)
    pareto: list[tuple[Decimal, Decimal]] = field(default_factory=list)  # (% of debtors, % of open), cumulative
    kpis: dict[str, Decimal | None] = field(default_factory=dict)
    trend: list[TrendPoint] = field(default_factory=list)
    cost: costs.CostSummary = field(default_factory=lambda: costs.summarize([]))
    cost_by_debtor: list[tuple[str, costs.CostSummary]] = field(default_factory=list)
    interest: list[InterestLine] = field(default_factory=list)
    provision: provision.ProvisionMatrix | None = None
    provision_note: str = ""
    provision_snapshots: int = 0
    priorities: list[Priority] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.open_count == 0

    def interest_total(self, status: str | None = None) -> tuple[Decimal, Decimal]:
        """(interest, compensation) over the computable lines, optionally of one status."""
        lines = [x for x in self.interest if x.interest is not None and (status is None or x.status == status)]
        return (sum((x.interest or ZERO for x in lines), ZERO), sum((x.compensation or ZERO for x in lines), ZERO))

    @property
    def ecl(self) -> Decimal:
        return self.provision.ecl if self.provision else ZERO


def _major(minor: int | Decimal, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


def default_as_of(frame: pl.DataFrame, today: dt.date) -> dt.date:
    """The latest invoice date in the frame, or `today` (the entrypoint's clock) when it has none."""
    latest = frame["issue_date"].max() if frame.height else None
    return latest if isinstance(latest, dt.date) else today


def analyze(frame: pl.DataFrame, options: Options | None = None, *, rates: RateSource,
            today: dt.date) -> Portfolio:
    """Build the portfolio analysis of a ledger frame (see module docstring); statutory interest uses `rates`
    (the container's rate book); `today` is the as-of date of a file with no invoice dates and no `as_of`."""
    opts = options or Options()
    as_of = opts.as_of or default_as_of(frame, today)
    interest.rule_for(opts.jurisdiction)  # unknown jurisdiction: fail before any work
    frame = frame.filter(pl.col("issue_date") <= as_of)
    open_all = calc.open_at(frame, as_of)
    # amounts in different currencies do not compare: the report's currency is the one with most open invoices
    by_cur = open_all.group_by("currency").agg(pl.col("amount_minor").sum().alias("s"), pl.len().alias("n")).sort(
        ["n", "currency"], descending=[True, False])
    currency = opts.currency or (str(by_cur["currency"][0]) if by_cur.height
                                 else (str(frame["currency"][0]) if frame.height else "EUR"))
    p = Portfolio(as_of, currency, opts.jurisdiction.upper(), parse_bucket_spec(opts.buckets, "due"), opts,
                  invoices_in_file=frame.height)
    for cur, s, n in by_cur.iter_rows():
        if cur != currency:
            p.notes.append(f"other currency left out: {n} open invoices, {_major(s, cur)} {cur}")
    frame = frame.filter(pl.col("currency") == currency)
    invoices = frame.filter(pl.col("kind") == "invoice")
    p.credit_notes = _major(calc.minor_sum(calc.open_at(frame.filter(pl.col("kind") == "credit_note"), as_of)),
                            currency)
    opened = calc.open_at(invoices, as_of)
    p.open_count, p.debtors = opened.height, opened["customer_code"].n_unique() if opened.height else 0
    p.open_total = _major(calc.minor_sum(opened), currency)
    p.overdue = _major(calc.minor_sum(opened, pl.col("dpd") > 0), currency)
    p.over_90 = _major(calc.minor_sum(opened, pl.col("dpd") > 90), currency)
    p.disputed = _major(calc.minor_sum(opened, pl.col("disputed").fill_null(False)), currency)
    totals = calc.bucket_totals(opened, p.spec)
    p.ageing = [BucketLine(b.label, _major(a, currency), n, _share(_major(a, currency), p.open_total))
                for b, (a, n) in zip(p.spec.buckets, totals, strict=True)]
    _concentration(p, opened)
    p.kpis = calc.kpis_at(invoices, as_of, opts.window_days) if invoices.height else {}
    for key in ("ar_end", "ar_current", "ar_over_90", "ar_begin", "sales"):  # minor units → currency units
        if p.kpis.get(key) is not None:
            p.kpis[key] = _major(p.kpis[key] or ZERO, currency)
    first = invoices["issue_date"].min() if invoices.height else None
    for end in calc.month_ends(as_of, opts.trend_months, first if isinstance(first, dt.date) else None):
        k = calc.kpis_at(invoices, end, opts.window_days)
        overdue_end = calc.minor_sum(calc.open_at(invoices, end), pl.col("dpd") > 0)
        p.trend.append(TrendPoint(end, _major(k["ar_end"] or 0, currency), _major(overdue_end, currency),
                                  k["dso"], k["bpdso"], k["adbt"]))
    _costs(p, opened)
    _interest(p, invoices, opened, rates)
    _provision(p, invoices, opened)
    _priorities(p, invoices, opened)
    return p


def _share(part: Decimal, total: Decimal) -> Decimal | None:
    return None if total == 0 else part / total * 100


def _concentration(p: Portfolio, opened: pl.DataFrame) -> None:
    if opened.height == 0:
        return
    per = opened.group_by("customer_code").agg(
        pl.col("customer_name").first(), pl.col("amount_minor").sum().alias("open"),
        pl.when(pl.col("dpd") > 0).then(pl.col("amount_minor")).otherwise(0).sum().alias("overdue"),
        pl.len().alias("n")).sort(["open", "customer_code"], descending=[True, False])
    total = sum(int(v) for v in per["open"])
    running, count = 0, per.height
    p.pareto = [(ZERO, ZERO)]
    for i, (code, name, amount, overdue, n) in enumerate(per.iter_rows(), start=1):
        running += int(amount)
        if i <= p.options.top_n:
            p.top_debtors.append(Debtor(str(code), str(name or code), _major(amount, p.currency),
                                        _major(overdue, p.currency), int(n), Decimal(int(amount)) / total * 100,
                                        Decimal(running) / total * 100))
        p.pareto.append((Decimal(i) / count * 100, Decimal(running) / total * 100))


def _costs(p: Portfolio, opened: pl.DataFrame) -> None:
    items = [costs.invoice_cost(costs.InvoiceCostInput(_major(amount, p.currency), due, key=str(code)), p.as_of,
                                p.options.cost)
             for code, due, amount in opened.select("customer_code", "due_date", "amount_minor").iter_rows()]
    p.cost = costs.summarize(items)
    by_key = costs.summarize_by_key(items)
    p.cost_by_debtor = sorted(by_key.items(), key=lambda kv: -kv[1].carrying_cost)[:p.options.top_n]


def _interest(p: Portfolio, invoices: pl.DataFrame, opened: pl.DataFrame, rates: RateSource) -> None:
    """Statutory interest per overdue open invoice (to the as-of date) and per invoice paid late recently."""
    rule = interest.rule_for(p.jurisdiction)
    compensation: Decimal | None = None
    if rule.compensation_currency and rule.compensation_currency != p.currency:
        compensation = ZERO
        p.notes.append(f"{rule.code} fixed compensation is set in {rule.compensation_currency}; the ledger is in "
                       f"{p.currency}, so it is left out (convert it and add it per invoice to claim it)")
    since = p.as_of - dt.timedelta(days=p.options.interest_lookback_days)
    late_paid = invoices.filter((pl.col("settled_date") > pl.col("due_date")) & (pl.col("settled_date") > since)
                                & (pl.col("settled_date") <= p.as_of))
    jobs = [(row, "open", p.as_of) for row in opened.filter(pl.col("dpd") > 0).iter_rows(named=True)]
    jobs += [(row, "paid late", row["settled_date"]) for row in late_paid.iter_rows(named=True)]
    for row, status, end in jobs:
        amount = _major(row["amount_minor"], p.currency)
        days = (end - row["due_date"]).days
        try:
            r = interest.compute_late_interest(p.jurisdiction, amount, p.currency, row["due_date"], end,
                                               rates=rates, compensation=compensation)
            line = InterestLine(row["invoice_number"], row["customer_code"], amount, row["due_date"], end, status,
                                days, r.interest, r.compensation)
        except interest.InterestError as exc:
            line = InterestLine(row["invoice_number"], row["customer_code"], amount, row["due_date"], end, status,
                                days, None, None, str(exc))
        p.interest.append(line)
    p.interest.sort(key=lambda x: (x.interest is None, -(x.interest or ZERO)))


def _provision(p: Portfolio, invoices: pl.DataFrame, opened: pl.DataFrame) -> None:
    spec = parse_bucket_spec(PROVISION_SPEC, "due")
    first = invoices["issue_date"].min() if invoices.height else None
    ends = calc.month_ends(p.as_of, 13, first if isinstance(first, dt.date) else None)
    p.provision_snapshots = len(ends)
    if len(ends) < 2 or opened.height == 0:
        p.provision_note = "needs an open balance and at least two month-ends of history"
        return
    rows = calc.roll_snapshots(invoices, ends, spec)
    now = [_major(a, p.currency) for a, _ in calc.bucket_totals(opened, spec)]
    lgd, overlay = p.options.lgd, p.options.overlay
    matrix = provision.roll_rate_matrix(rows, spec.labels[:-1], lgd=lgd, overlay=overlay, balances=now[:-1])
    rate = min(lgd * overlay, Decimal(1))  # >120 days: already in default
    last = provision.ProvisionLine(spec.labels[-1], now[-1], Decimal(1), lgd, rate, now[-1] * rate)
    p.provision = provision.ProvisionMatrix((*matrix.lines, last), matrix.roll_rates)
    if all(r == 0 for r in matrix.roll_rates[2:]):
        p.provision_note = "no balance in the history rolled past 60 days, so the historical loss rates are 0"


def _priorities(p: Portfolio, invoices: pl.DataFrame, opened: pl.DataFrame) -> None:
    """Debtors to act on: Σ overdue × days past due, weighted up by their history of paying late."""
    overdue = opened.filter(pl.col("dpd") > 0)
    if overdue.height == 0:
        return
    history = {r[0]: r[1:] for r in calc.payment_history(invoices, p.as_of).iter_rows()}
    per = overdue.group_by("customer_code").agg(
        pl.col("customer_name").first(), pl.col("amount_minor").sum().alias("overdue"),
        (pl.col("amount_minor") * pl.col("dpd")).sum().alias("weight"), pl.col("dpd").max().alias("max_dpd"),
        pl.col("disputed").fill_null(False).sum().alias("disputed"))
    exposure = dict(opened.group_by("customer_code").agg(pl.col("amount_minor").sum()).iter_rows())
    out = []
    for code, name, amount, weight, max_dpd, disputed in per.iter_rows():
        settled_n, late_n, lx, la = history.get(code, (0, 0, 0, 0))
        late_share = Decimal(int(late_n)) / int(settled_n) * 100 if settled_n else None
        avg_late = Decimal(int(lx)) / int(la) if la else None
        score = _major(weight, p.currency) * (1 + (late_share or ZERO) / 100)
        out.append(Priority(str(code), str(name or code), _major(amount, p.currency),
                            _major(exposure[code], p.currency), int(max_dpd), late_share, avg_late, int(disputed),
                            score))
    p.priorities = sorted(out, key=lambda x: (-x.score, x.code))[:p.options.priorities]
