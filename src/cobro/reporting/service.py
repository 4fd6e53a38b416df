"""Report use cases: ageing, KPIs (with a monthly trend), IFRS 9 provision matrix, cost of delinquency.

The repository (`db.repositories.reports`) hands back aggregates in minor units; the formulas are the ones of
`cobro.domain` (aging, kpis, provision, costs).  Results are JSON-ready dicts: amounts are decimal strings on the
currency's grid, day counts and percentages are strings with one decimal (None when undefined).
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from cobro.kernel.errors import InvalidInputError
from cobro.kernel.money import ZERO, Money, exponent
from cobro.ledger.repository import parties
from cobro.reporting import repository as repo
from cobro.reporting.domain import costs, kpis, provision
from cobro.reporting.domain.aging import BucketSpec, parse_bucket_spec

PROVISION_SPEC = "0,30,60,90,120"


def money(minor: int, currency: str) -> str:
    return Money.from_minor(minor, currency).format_plain()


def dec(value: Decimal, currency: str) -> str:
    """A Decimal amount in major units, rounded half-up to the currency's grid for display."""
    return f"{value.quantize(Decimal(1).scaleb(-exponent(currency)), ROUND_HALF_UP):f}"


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else numerator / denominator


def one(value: Decimal | None, places: int = 1) -> str | None:
    return None if value is None else f"{value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):f}"


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

def _bucket_rows(spec: BucketSpec, values: dict[int, tuple[int, int]], cur: str) -> list[dict[str, Any]]:
    return [{"label": b.label, "from": b.lower, "to": b.upper, "amount": money(values.get(b.index, (0, 0))[0], cur),
             "count": values.get(b.index, (0, 0))[1]} for b in spec.buckets]


def ageing_report(session: Session, tenant_code: str, as_of: dt.date, spec: BucketSpec,
                  by: repo.GroupBy = None) -> dict[str, Any]:
    """``{"as_of", "basis", "currency": {CUR: {"buckets": [...], "total", ...}}}``.

    `total` is the gross open receivables (the buckets), equal to the ledger's open amount; credit notes and
    unapplied cash are listed apart and only netted in `net`.
    """
    tenant = parties.tenant_id(session, tenant_code)
    rows = repo.ageing(session, tenant, as_of, spec, by)
    currencies = sorted(set(rows.buckets) | set(rows.credit_notes) | set(rows.unapplied_cash))
    out: dict[str, Any] = {"as_of": as_of.isoformat(), "basis": spec.basis, "currency": {}}
    if by:
        out["by"] = by
    for cur in currencies:
        values = rows.buckets.get(cur, {})
        total = sum(a for a, _ in values.values())
        notes, cash = rows.credit_notes.get(cur, (0, 0)), rows.unapplied_cash.get(cur, (0, 0))
        entry: dict[str, Any] = {
            "buckets": _bucket_rows(spec, values, cur), "total": money(total, cur),
            "count": sum(n for _, n in values.values()),
            "credit_notes": money(-notes[0], cur), "unapplied_cash": money(-cash[0], cur),
            "net": money(total - notes[0] - cash[0], cur),
        }
        if by:
            groups = rows.groups.get(cur, {})
            ordered = sorted(groups.items(), key=lambda kv: -sum(a for a, _ in kv[1].values()))
            entry["groups"] = [{"key": key, "buckets": _bucket_rows(spec, g, cur),
                                "total": money(sum(a for a, _ in g.values()), cur)} for key, g in ordered]
        out["currency"][cur] = entry
    return out


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
               window_days: int, currency: str) -> dict[str, Any]:
    """Every KPI of one currency from the per-month and open aggregates (minor units in, display strings out)."""
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
    return {
        "window_days": window_days,
        "sales": dec(sales * scale, currency), "ar_begin": dec(ar_begin * scale, currency),
        "ar_end": dec(ar_end * scale, currency), "ar_current": dec(ar_current * scale, currency),
        "ar_over_90": dec(ar_90 * scale, currency),
        "dso": one(d),
        "countback_dso": one(kpis.countback_dso(ar_end, _countback_months(by_month, as_of)) if ar_end else None),
        "true_dso_oracle": one(oracle),
        "true_dso_amount_weighted": one(_ratio(Decimal(total["open_x_age"]), ar_end)),
        "bpdso": one(b),
        "add": one(None if d is None or b is None else kpis.average_days_delinquent(d, b)),
        "add_direct": one(_ratio(Decimal(opened.past_due_x_days), Decimal(opened.past_due))),
        "avg_days_beyond_terms": one(_ratio(Decimal(timing.paid_x_beyond), paid) if timing else None),
        "avg_days_beyond_terms_late_only": one(
            _ratio(Decimal(timing.paid_x_beyond_clipped), paid) if timing else None),
        "avg_days_to_pay": one(_ratio(Decimal(timing.paid_x_to_pay), paid) if timing else None),
        "cei": one(kpis.cei(ar_begin, sales, ar_end, ar_current)),
        "turnover": one(turnover, 2),
        "avg_collection_period": one(kpis.average_collection_period(turnover) if turnover else None),
        "percent_current": one(kpis.percent_of(ar_current, ar_end)),
        "percent_over_90": one(kpis.percent_of(ar_90, ar_end)),
        "open_count": opened.open_count,
    }


def kpis_at(session: Session, tenant: int, as_of: dt.date, window_days: int) -> dict[str, dict[str, Any]]:
    begin = as_of - dt.timedelta(days=window_days)
    months = repo.kpi_months(session, tenant, as_of, begin)
    timing = repo.payment_timing(session, tenant, begin, as_of)
    return {cur: kpi_values(rows, timing.get(cur), as_of, window_days, cur) for cur, rows in sorted(months.items())}


def kpi_report(session: Session, tenant_code: str, as_of: dt.date, window_days: int = 90,
               trend_months: int = 0) -> dict[str, Any]:
    if window_days <= 0:
        raise InvalidInputError("--window-days must be positive")
    tenant = parties.tenant_id(session, tenant_code)
    out: dict[str, Any] = {"as_of": as_of.isoformat(), "window_days": window_days,
                           "currency": kpis_at(session, tenant, as_of, window_days)}
    if trend_months > 0:
        out["trend"] = [{"month_end": end.isoformat(), "currency": kpis_at(session, tenant, end, window_days)}
                        for end in month_ends_before(as_of, trend_months)]
    return out


# --- provision ---------------------------------------------------------------------------------------------------

def provision_report(session: Session, tenant_code: str, as_of: dt.date, *, lgd: Decimal = Decimal("0.9"),
                     overlay: Decimal = Decimal("1.0"), months: int = 12) -> dict[str, Any]:
    """IFRS 9 simplified approach: roll rates pooled over month-end snapshots rebuilt from the ledger history.

    Buckets by days past due: Not due, 1–30, 31–60, 61–90, 91–120; what rolls on past 120 days counts as
    written off (the flow column), and the >120 balance is provided at LGD × overlay (it has already defaulted).
    """
    tenant = parties.tenant_id(session, tenant_code)
    spec = parse_bucket_spec(PROVISION_SPEC, "due")
    last = spec.buckets[-2]  # 91–120: the bucket that rolls into write-off
    assert last.lower is not None and last.upper is not None
    first = repo.first_activity(session, tenant)
    ends = [e for e in month_ends_before(as_of, months + 1) if first is None or e >= month_end(first)]
    snaps: dict[str, list[list[Decimal]]] = {}
    prev: dt.date | None = None
    for end in ends:
        gap = (end - prev).days if prev else 0
        data = repo.snapshot(session, tenant, end, spec, flow_from=last.lower + gap, flow_to=last.upper + gap)
        for cur in set(data) | set(snaps):
            balances, flow = data.get(cur, ([0] * len(spec.buckets), 0))
            row = [Decimal(v) for v in balances[:-1]] + [Decimal(flow if prev else 0)]
            snaps.setdefault(cur, [[ZERO] * len(row) for _ in range(len(ends))])[ends.index(end)] = row
        prev = end
    current = repo.ageing(session, tenant, as_of, spec)
    out: dict[str, Any] = {"as_of": as_of.isoformat(), "lgd": str(lgd), "overlay": str(overlay),
                           "snapshots": [e.isoformat() for e in ends], "currency": {}}
    for cur in sorted(set(current.buckets) | set(snaps)):
        scale = Decimal(1).scaleb(-exponent(cur))
        now = [Decimal(current.buckets.get(cur, {}).get(b.index, (0, 0))[0]) * scale for b in spec.buckets]
        rows = snaps.get(cur, [])
        if len(rows) < 2:
            out["currency"][cur] = {"note": "needs at least two month-ends of history", "lines": [],
                                    "total_balance": dec(sum(now, ZERO), cur), "total_ecl": None}
            continue
        matrix = provision.roll_rate_matrix(rows, spec.labels[:-1], lgd=lgd, overlay=overlay, balances=now[:-1])
        defaulted_rate = min(lgd * overlay, Decimal(1))
        lines = [*matrix.lines, provision.ProvisionLine(spec.labels[-1], now[-1], Decimal(1), lgd, defaulted_rate,
                                                         now[-1] * defaulted_rate)]
        full = provision.ProvisionMatrix(tuple(lines), matrix.roll_rates)
        out["currency"][cur] = {
            "roll_rates": [{"from": spec.labels[k], "to": spec.labels[k + 1] if k + 2 < len(spec.labels)
                            else "written off", "rate": one(r * 100, 2)} for k, r in enumerate(matrix.roll_rates)],
            "snapshots": [[dec(v * scale, cur) for v in row] for row in rows],
            "lines": [{"bucket": ln.bucket, "balance": dec(ln.balance, cur), "chain": one(ln.chain * 100, 4),
                       "loss_rate": one(ln.loss_rate * 100, 4), "rate": one(ln.rate * 100, 4),
                       "ecl": dec(ln.ecl, cur)} for ln in lines],
            "total_balance": dec(full.balance, cur), "total_ecl": dec(full.ecl, cur),
            "coverage": one(None if full.coverage is None else full.coverage * 100, 2),
        }
    return out


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


def cost_report(session: Session, tenant_code: str, as_of: dt.date, by: str = "customer",
                params: costs.CostParameters | None = None) -> dict[str, Any]:
    """Cost of delinquency per invoice or customer and in total, per currency (`cobro.reporting.domain.costs`).

    Staff cost comes from the collection actions recorded for each customer (when that table exists) and is
    charged at customer level; the invoice view shows it in the totals only.
    """
    if by not in ("invoice", "customer"):
        raise InvalidInputError("--by must be invoice or customer")
    p = params or costs.CostParameters()
    tenant = parties.tenant_id(session, tenant_code)
    invoices = repo.open_invoices(session, tenant, as_of)
    actions = repo.actions_by_customer(session, tenant, as_of)
    skipped: set[str] = set()
    out: dict[str, Any] = {"as_of": as_of.isoformat(), "by": by, "actions_recorded": bool(actions),
                           "parameters": {"cost_of_funds": str(p.cost_of_funds), "hourly_cost": str(p.hourly_cost),
                                          "probability_of_default": str(p.probability_of_default),
                                          "lgd": str(p.lgd)}, "currency": {}}
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
        groups = costs.summarize_by_key(per)
        rows: list[dict[str, Any]] = []
        order: dict[str, Decimal] = {}
        for k, s in groups.items():
            staff = staff_taken.get(k, ZERO) + staff_planned.get(k, ZERO) if by == "customer" else ZERO
            rows.append({"key": k, "count": s.count, "nominal_at_risk": dec(s.nominal_at_risk, cur),
                         "financing_cost": dec(s.financing_cost, cur), "staff_cost": dec(staff, cur),
                         "systemic_charge": dec(s.systemic_charge, cur),
                         "carrying_cost": dec(s.carrying_cost + staff, cur)})
            order[k] = s.carrying_cost + staff
        rows.sort(key=lambda r: -order[r["key"]])
        total = costs.summarize(per)
        staff_all = sum(staff_taken.values(), ZERO) + sum(staff_planned.values(), ZERO)
        out["currency"][cur] = {
            "rows": rows,
            "total": {"count": total.count, "nominal_at_risk": dec(total.nominal_at_risk, cur),
                      "financing_cost": dec(total.financing_cost, cur),
                      "staff_cost_taken": dec(sum(staff_taken.values(), ZERO), cur),
                      "staff_cost_planned": dec(sum(staff_planned.values(), ZERO), cur),
                      "systemic_charge": dec(total.systemic_charge, cur),
                      "carrying_cost": dec(total.carrying_cost + staff_all, cur),
                      "total": dec(total.total + staff_all, cur)},
        }
    if skipped:
        out["unpriced_channels"] = sorted(skipped)
    return out


def ledger_frame(session: Session, tenant_code: str) -> Any:
    """The tenant's ledger as the polars frame `cobro analyze` reads from a file (see `repo.ledger_rows`)."""
    import polars as pl

    from cobro.ledger.imports.frame import LEDGER_SCHEMA

    tenant = parties.tenant_id(session, tenant_code)
    names = [k for k in LEDGER_SCHEMA if k != "amount"]
    cols: dict[str, list[Any]] = {k: [] for k in LEDGER_SCHEMA}
    for row in repo.ledger_rows(session, tenant):
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
