"""Report use cases: ageing, KPIs (with a monthly trend), IFRS 9 provision matrix, cost of delinquency.

The repository (``uow.repo(REPORTS)``, `cobro.reporting.repository`) hands back aggregates in minor units; the
formulas are the ones of `cobro.reporting.domain` (aging, kpis, provision, costs).  Results are the frozen values
of `cobro.reporting.schemas`: amounts are `Money` on the currency's grid (rounded half-up), day counts and ratios
unrounded Decimals; their `as_json()` is what `cobro report` prints.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from cobro.kernel.errors import InvalidInputError
from cobro.kernel.money import ZERO, Money, exponent, quantum
from cobro.platform.uow import Uow
from cobro.reporting import repository as repo
from cobro.reporting.domain import costs, kpis, provision
from cobro.reporting.domain.aging import BucketSpec, parse_bucket_spec
from cobro.reporting.repository import REPORTS
from cobro.reporting.schemas import (
    AgeBasis,
    Ageing,
    Breakdown,
    BucketTotal,
    CostBy,
    CostReport,
    CostRow,
    CostTotal,
    CurrencyAgeing,
    CurrencyCost,
    CurrencyKpis,
    CurrencyProvision,
    GroupAgeing,
    KpiReport,
    KpiTrendPoint,
    Provision,
    ProvisionRow,
    RollRate,
)

PROVISION_SPEC = "0,30,60,90,120"


def _major(value: Decimal, currency: str) -> Money:
    """A Decimal amount in major units, rounded half-up to the currency's grid."""
    return Money(value.quantize(quantum(currency), ROUND_HALF_UP), currency)


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else numerator / denominator


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_ends_before(as_of: dt.date, count: int) -> list[dt.date]:
    """The last `count` month-ends on or before `as_of`, oldest first."""
    ends: list[dt.date] = []
    cursor = as_of if month_end(as_of) == as_of else as_of.replace(day=1) - dt.timedelta(days=1)
    while len(ends) < count:
        ends.append(cursor)
        cursor = cursor.replace(day=1) - dt.timedelta(days=1)
    return list(reversed(ends))


# --- ageing ------------------------------------------------------------------------------------------------------

def _buckets(spec: BucketSpec, values: dict[int, tuple[int, int]], cur: str) -> tuple[BucketTotal, ...]:
    return tuple(BucketTotal(b.label, b.lower, b.upper, Money.from_minor(values.get(b.index, (0, 0))[0], cur),
                             values.get(b.index, (0, 0))[1]) for b in spec.buckets)


def ageing_report(uow: Uow, as_of: dt.date, spec: BucketSpec, by: repo.GroupBy = None) -> Ageing:
    """Open receivables by age bucket per currency (and by customer or segment when asked).

    `total` is the gross open receivables (the buckets), equal to the ledger's open amount; credit notes and
    unapplied cash are listed apart and only netted in `net`.
    """
    rows = uow.repo(REPORTS).ageing(as_of, spec, by)
    currencies = sorted(set(rows.buckets) | set(rows.credit_notes) | set(rows.unapplied_cash))
    out: list[CurrencyAgeing] = []
    for cur in currencies:
        values = rows.buckets.get(cur, {})
        total = sum(a for a, _ in values.values())
        notes, cash = rows.credit_notes.get(cur, (0, 0)), rows.unapplied_cash.get(cur, (0, 0))
        groups = None
        if by:
            ordered = sorted(rows.groups.get(cur, {}).items(), key=lambda kv: -sum(a for a, _ in kv[1].values()))
            groups = tuple(GroupAgeing(key, _buckets(spec, g, cur), Money.from_minor(sum(a for a, _ in g.values()), cur))
                           for key, g in ordered)
        out.append(CurrencyAgeing(cur, _buckets(spec, values, cur), Money.from_minor(total, cur),
                                  sum(n for _, n in values.values()), Money.from_minor(-notes[0], cur),
                                  Money.from_minor(-cash[0], cur), Money.from_minor(total - notes[0] - cash[0], cur),
                                  groups))
    return Ageing(as_of, AgeBasis(spec.basis), Breakdown(by) if by else None, tuple(out))


# --- KPIs --------------------------------------------------------------------------------------------------------

def _countback_months(months: dict[str, repo.MonthRow], as_of: dt.date, limit: int = 36) -> list[tuple[Decimal, int]]:
    """(sales, days) from the as-of month backwards; the as-of month counts only its elapsed days."""
    out: list[tuple[Decimal, int]] = []
    cursor = as_of
    for k in range(limit):
        key = f"{cursor.year:04d}-{cursor.month:02d}"
        row = months.get(key)
        days = as_of.day if k == 0 else calendar.monthrange(cursor.year, cursor.month)[1]
        out.append((Decimal(row.sales if row else 0), days))
        cursor = cursor.replace(day=1) - dt.timedelta(days=1)
    return out


def kpi_values(rows: repo.KpiRows, timing: repo.PaymentTiming | None, as_of: dt.date,
               window_days: int, currency: str) -> CurrencyKpis:
    """Every KPI of one currency from the per-month and open aggregates (minor units in)."""
    scale = Decimal(1).scaleb(-exponent(currency))
    months, opened = rows.months, rows.open
    total = {f: sum(getattr(m, f) for m in months) for f in repo.MonthRow.__dataclass_fields__ if f != "month"}
    sales, ar_end = Decimal(total["sales_in_window"]), Decimal(opened.open_end)
    ar_begin, ar_current = Decimal(total["open_begin"]), Decimal(opened.open_current)
    ar_90 = Decimal(opened.open_over_90)
    d = kpis.dso(ar_end, sales, window_days)
    b = kpis.best_possible_dso(ar_current, sales, window_days)
    by_month = {m.month: m for m in months}
    oracle = kpis.true_dso_oracle(  # per-month sums: Σ_i age_i × open_i, divided by that month's sales
        (1, Decimal(m.open_x_age), Decimal(m.sales)) for m in months if m.open_end) if ar_end else None
    turnover = kpis.receivables_turnover(sales * 365 / window_days, [ar_begin, ar_end])
    paid = Decimal(timing.paid) if timing else ZERO
    return CurrencyKpis(
        currency, window_days,
        sales=_major(sales * scale, currency), ar_begin=_major(ar_begin * scale, currency),
        ar_end=_major(ar_end * scale, currency), ar_current=_major(ar_current * scale, currency),
        ar_over_90=_major(ar_90 * scale, currency),
        dso=d,
        countback_dso=kpis.countback_dso(ar_end, _countback_months(by_month, as_of)) if ar_end else None,
        true_dso_oracle=oracle,
        true_dso_amount_weighted=_ratio(Decimal(total["open_x_age"]), ar_end),
        bpdso=b,
        add=None if d is None or b is None else kpis.average_days_delinquent(d, b),
        add_direct=_ratio(Decimal(opened.past_due_x_days), Decimal(opened.past_due)),
        avg_days_beyond_terms=_ratio(Decimal(timing.paid_x_beyond), paid) if timing else None,
        avg_days_beyond_terms_late_only=_ratio(Decimal(timing.paid_x_beyond_clipped), paid) if timing else None,
        avg_days_to_pay=_ratio(Decimal(timing.paid_x_to_pay), paid) if timing else None,
        cei=kpis.cei(ar_begin, sales, ar_end, ar_current),
        turnover=turnover,
        avg_collection_period=kpis.average_collection_period(turnover) if turnover else None,
        percent_current=kpis.percent_of(ar_current, ar_end),
        percent_over_90=kpis.percent_of(ar_90, ar_end),
        open_count=opened.open_count,
    )


def _kpis_at(reports: repo.ReportsRepository, as_of: dt.date, window_days: int) -> tuple[CurrencyKpis, ...]:
    begin = as_of - dt.timedelta(days=window_days)
    months = reports.kpi_months(as_of, begin)
    timing = reports.payment_timing(begin, as_of)
    return tuple(kpi_values(rows, timing.get(cur), as_of, window_days, cur) for cur, rows in sorted(months.items()))


def kpi_report(uow: Uow, as_of: dt.date, window_days: int = 90, trend_months: int = 0) -> KpiReport:
    if window_days <= 0:
        raise InvalidInputError("--window-days must be positive")
    reports = uow.repo(REPORTS)
    now = _kpis_at(reports, as_of, window_days)
    trend = (tuple(KpiTrendPoint(end, _kpis_at(reports, end, window_days))
                   for end in month_ends_before(as_of, trend_months)) if trend_months > 0 else None)
    return KpiReport(as_of, window_days, now, trend)


# --- provision ---------------------------------------------------------------------------------------------------

def provision_report(uow: Uow, as_of: dt.date, *, lgd: Decimal = Decimal("0.9"),
                     overlay: Decimal = Decimal("1.0"), months: int = 12) -> Provision:
    """IFRS 9 simplified approach: roll rates pooled over month-end snapshots rebuilt from the ledger history.

    Buckets by days past due: Not due, 1–30, 31–60, 61–90, 91–120; what rolls on past 120 days counts as
    written off (the flow column), and the >120 balance is provided at LGD × overlay (it has already defaulted).
    """
    reports = uow.repo(REPORTS)
    spec = parse_bucket_spec(PROVISION_SPEC, "due")
    last = spec.buckets[-2]  # 91–120: the bucket that rolls into write-off
    assert last.lower is not None and last.upper is not None
    first = reports.first_activity()
    ends = [e for e in month_ends_before(as_of, months + 1) if first is None or e >= month_end(first)]
    snaps: dict[str, list[list[Decimal]]] = {}
    prev: dt.date | None = None
    for end in ends:
        gap = (end - prev).days if prev else 0
        data = reports.snapshot(end, spec, flow_from=last.lower + gap, flow_to=last.upper + gap)
        for cur in set(data) | set(snaps):
            balances, flow = data.get(cur, ([0] * len(spec.buckets), 0))
            row = [Decimal(v) for v in balances[:-1]] + [Decimal(flow if prev else 0)]
            snaps.setdefault(cur, [[ZERO] * len(row) for _ in range(len(ends))])[ends.index(end)] = row
        prev = end
    current = reports.ageing(as_of, spec)
    out: list[CurrencyProvision] = []
    for cur in sorted(set(current.buckets) | set(snaps)):
        scale = Decimal(1).scaleb(-exponent(cur))
        now = [Decimal(current.buckets.get(cur, {}).get(b.index, (0, 0))[0]) * scale for b in spec.buckets]
        rows = snaps.get(cur, [])
        if len(rows) < 2:
            out.append(CurrencyProvision(cur, "needs at least two month-ends of history", (), (),
                                         (), _major(sum(now, ZERO), cur), None, None))
            continue
        matrix = provision.roll_rate_matrix(rows, spec.labels[:-1], lgd=lgd, overlay=overlay, balances=now[:-1])
        defaulted_rate = min(lgd * overlay, Decimal(1))
        lines = [*matrix.lines, provision.ProvisionLine(spec.labels[-1], now[-1], Decimal(1), lgd, defaulted_rate,
                                                         now[-1] * defaulted_rate)]
        full = provision.ProvisionMatrix(tuple(lines), matrix.roll_rates)
        out.append(CurrencyProvision(
            cur, None,
            tuple(RollRate(spec.labels[k], spec.labels[k + 1] if k + 2 < len(spec.labels) else "written off", r)
                  for k, r in enumerate(matrix.roll_rates)),
            tuple(tuple(_major(v * scale, cur) for v in row) for row in rows),
            tuple(ProvisionRow(ln.bucket, _major(ln.balance, cur), ln.chain, ln.loss_rate, ln.rate,
                               _major(ln.ecl, cur)) for ln in lines),
            _major(full.balance, cur), _major(full.ecl, cur), full.coverage))
    return Provision(as_of, lgd, overlay, tuple(ends), tuple(out))


# --- cost of delinquency -----------------------------------------------------------------------------------------

_CHANNEL_ACTION = {"phone": "call", "burofax": "letter", "mail": "letter", "post": "letter", "whatsapp": "sms"}


def _actions(raw: dict[str, int], params: costs.CostParameters, skipped: set[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for channel, n in raw.items():
        action = _CHANNEL_ACTION.get(channel, channel)
        if action in params.minutes_per_action:
            out[action] = out.get(action, 0) + n
        else:
            skipped.add(channel)
    return out


def cost_report(uow: Uow, as_of: dt.date, by: str = "customer", params: costs.CostParameters | None = None) -> CostReport:
    """Cost of delinquency per invoice or customer and in total, per currency (`cobro.reporting.domain.costs`).

    Staff cost comes from the collection actions recorded for each customer (when that table exists) and is
    charged at customer level; the invoice view shows it in the totals only.
    """
    if by not in ("invoice", "customer"):
        raise InvalidInputError("--by must be invoice or customer")
    p = params or costs.CostParameters()
    reports = uow.repo(REPORTS)
    invoices = reports.open_invoices(as_of)
    actions = reports.actions_by_customer(as_of)
    skipped: set[str] = set()
    out: list[CurrencyCost] = []
    for cur in sorted({i.currency for i in invoices}):
        items = [i for i in invoices if i.currency == cur]
        per = [costs.invoice_cost(costs.InvoiceCostInput(
            Money.from_minor(i.open_minor, cur).amount, i.due_date, key=i.number if by == "invoice" else i.customer),
            as_of, p) for i in items]
        customers = sorted({i.customer for i in items})
        staff_taken = {c: costs.staff_cost(_actions(actions.get(c, {}).get("taken", {}), p, skipped), p)
                       for c in customers}
        staff_planned = {c: costs.staff_cost(_actions(actions.get(c, {}).get("planned", {}), p, skipped), p)
                         for c in customers}
        rows: list[CostRow] = []
        order: dict[str, Decimal] = {}
        for k, s in costs.summarize_by_key(per).items():
            staff = staff_taken.get(k, ZERO) + staff_planned.get(k, ZERO) if by == "customer" else ZERO
            rows.append(CostRow(k, s.count, _major(s.nominal_at_risk, cur), _major(s.financing_cost, cur),
                                _major(staff, cur), _major(s.systemic_charge, cur),
                                _major(s.carrying_cost + staff, cur)))
            order[k] = s.carrying_cost + staff
        rows.sort(key=lambda r: -order[r.key])
        total = costs.summarize(per)
        staff_all = sum(staff_taken.values(), ZERO) + sum(staff_planned.values(), ZERO)
        out.append(CurrencyCost(cur, tuple(rows), CostTotal(
            total.count, _major(total.nominal_at_risk, cur), _major(total.financing_cost, cur),
            _major(sum(staff_taken.values(), ZERO), cur), _major(sum(staff_planned.values(), ZERO), cur),
            _major(total.systemic_charge, cur), _major(total.carrying_cost + staff_all, cur),
            _major(total.total + staff_all, cur))))
    return CostReport(as_of, CostBy(by), bool(actions), p, tuple(out), tuple(sorted(skipped)))


def ledger_frame(uow: Uow) -> pl.DataFrame:
    """The tenant's ledger as the polars frame `cobro analyze` reads from a file (see `repo.ledger_rows`)."""
    from cobro.ledger.imports.frame import LEDGER_SCHEMA

    names = [k for k in LEDGER_SCHEMA if k != "amount"]
    cols: dict[str, list[Any]] = {k: [] for k in LEDGER_SCHEMA}
    for row in uow.repo(REPORTS).ledger_rows():
        values: dict[str, Any] = dict(zip(names, row, strict=True))
        if values["settled_date"] is not None and not isinstance(values["settled_date"], dt.date):
            values["settled_date"] = dt.date.fromisoformat(str(values["settled_date"]))
        for key in ("issue_date", "due_date"):
            if not isinstance(values[key], dt.date):
                values[key] = dt.date.fromisoformat(str(values[key]))
        values["amount"] = Money.from_minor(int(values["amount_minor"]), str(values["currency"])).amount
        values["disputed"] = bool(values["disputed"])
        for k, column in cols.items():
            column.append(values[k])
    return pl.DataFrame(cols, schema=LEDGER_SCHEMA)
