"""The portfolio report as the three renderers see it: headline figures, sections of tables, and chart series.

Tables keep both the formatted text (HTML, PDF) and the raw Decimal/int/date values (XLSX, with number formats).
Chart series are floats: plotting only, never money arithmetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cobro.kernel.money import ZERO
from cobro.reporting.portfolio.analysis import Portfolio
from cobro.reporting.portfolio.render.i18n import Fmt

Raw = Decimal | int | str | dt.date | None


@dataclass
class TableView:
    title: str
    header: list[str]
    rows: list[list[str]]
    raw: list[list[Raw]]
    kinds: list[str]  # per column: text | money | num | pct | int | date
    total: list[str] | None = None


@dataclass
class Section:
    key: str
    title: str
    intro: str = ""
    tables: list[TableView] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)  # chart keys
    facts: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ReportView:
    lang: str
    title: str
    subtitle: str
    meta: list[tuple[str, str]]
    headline: list[tuple[str, str, str]]  # label, value, sub-line
    sections: list[Section]
    charts: dict[str, dict[str, Any]]
    notes: list[str]
    empty: bool
    fmt: Fmt


def _table(f: Fmt, title: str, cols: list[tuple[str, str]], raw: list[list[Raw]]) -> TableView:
    rows = [[_cell(f, kind, v) for (_, kind), v in zip(cols, r, strict=True)] for r in raw]
    return TableView(title, [c for c, _ in cols], rows, raw, [k for _, k in cols])


def _cell(f: Fmt, kind: str, v: Raw) -> str:
    if v is None:
        return ""
    if kind == "money" and isinstance(v, Decimal):
        return f.money(v)
    if kind in ("num", "pct") and isinstance(v, Decimal):
        return f.num(v, 1) if kind == "num" else f.pct(v)
    if kind == "date" and isinstance(v, dt.date):
        return f.date(v)
    if kind == "int" and isinstance(v, int):
        return f.num(Decimal(v), 0)
    return str(v)


def _pct_of(f: Fmt, v: Decimal, total: Decimal) -> str:
    return f"{f.pct(None if total == 0 else v / total * 100)} {f.t('of_open')}"


def _fl(v: Decimal | None) -> float | None:
    return None if v is None else float(round(v, 2))


def build_view(p: Portfolio, lang: str, source: str = "") -> ReportView:
    f = Fmt(lang, p.currency)
    o = p.options
    interest_open, comp_open = p.interest_total("open")
    interest_paid, comp_paid = p.interest_total("paid late")
    claim = interest_open + comp_open + interest_paid + comp_paid
    headline = [
        (f.t("open_total"), f.money(p.open_total), (f"{p.open_count} {f.t('invoices').lower()} · {p.debtors} "
                                                     f"{f.t('debtors').lower()}")),
        (f.t("overdue"), f.money(p.overdue), _pct_of(f, p.overdue, p.open_total)),
        (f.t("over_90"), f.money(p.over_90), _pct_of(f, p.over_90, p.open_total)),
        (f.t("dso", d=o.window_days), f"{f.num(p.kpis.get('dso'))} {f.t('days')}",
         f"BPDSO {f.num(p.kpis.get('bpdso'))} · ADD {f.num(p.kpis.get('add'))}"),
        (f.t("carrying_cost"), f.money(p.cost.carrying_cost), f"{f.t('financing')} {f.money(p.cost.financing_cost)}"),
        (f.t("interest_claimable"), f.money(claim),
         (f"{p.jurisdiction}: {f.money(interest_open + comp_open)} {f.t('st_open')} + "
          f"{f.money(interest_paid + comp_paid)} {f.t('st_paid late')}")),
        (f.t("ecl"), f.money(p.ecl), _pct_of(f, p.ecl, p.open_total)),
        (f.t("recoverable"), f.money(p.open_total - p.ecl), f"{f.t('disputed')}: {f.money(p.disputed)}"),
    ]
    sections = [
        _ageing(p, f), _concentration(p, f), _dso(p, f), _cost(p, f), _interest(p, f), _provision(p, f),
        _priorities(p, f),
    ]
    notes = [f.t("note_asof"), f.t("note_currency", c=p.currency), *p.notes]
    if p.provision_note:
        notes.append(p.provision_note)
    meta = [(f.t("as_of"), f.date(p.as_of)), (f.t("currency"), p.currency)]
    if source:
        meta.insert(0, (f.t("source"), source))
    return ReportView(lang, f.t("title"), f.t("subtitle"), meta, headline, sections, _charts(p, f), notes,
                      p.empty, f)


def _ageing(p: Portfolio, f: Fmt) -> Section:
    cols = [(f.t("bucket"), "text"), (f.t("amount"), "money"), (f.t("count"), "int"), (f.t("share"), "pct")]
    tv = _table(f, f.t("ageing_basis"), cols, [[f.label(b.label), b.amount, b.count, b.share] for b in p.ageing])
    tv.total = ["Total", f.money(p.open_total), f.num(Decimal(p.open_count), 0), f.pct(Decimal(100) if p.open_count
                                                                                       else None)]
    facts = [(f.t("credit_notes"), f.money(p.credit_notes))]
    return Section("ageing", f.t("ageing"), f.t("ageing_basis"), [tv], ["ageing"], facts)


def _concentration(p: Portfolio, f: Fmt) -> Section:
    cols = [(f.t("debtor"), "text"), (f.t("open"), "money"), (f.t("overdue"), "money"), (f.t("invoices"), "int"),
            (f.t("share"), "pct"), (f.t("cumulative"), "pct")]
    tv = _table(f, f.t("top_debtors"), cols, [[d.name, d.open, d.overdue, d.invoices, d.share, d.cumulative_share]
                                               for d in p.top_debtors])
    top = p.top_debtors[-1].cumulative_share if p.top_debtors else None
    facts = [(f.t("top_share", n=len(p.top_debtors)), f.pct(top)), (f.t("debtors"), str(p.debtors))]
    return Section("concentration", f.t("concentration"), "", [tv], ["top", "pareto"], facts)


def _dso(p: Portfolio, f: Fmt) -> Section:
    k = p.kpis
    names = ["dso", "countback_dso", "true_dso_oracle", "true_dso_weighted", "bpdso", "add", "add_direct", "adbt",
             "adp", "cei", "turnover", "percent_current", "percent_over_90"]
    units = {"cei": "pct", "percent_current": "pct", "percent_over_90": "pct", "turnover": "num"}
    raw: list[list[Raw]] = [[f.t(n, d=p.options.window_days), k.get(n)] for n in names]
    tv = _table(f, f.t("kpi"), [(f.t("kpi"), "text"), (f.t("value"), "num")], raw)
    for i, n in enumerate(names):  # days, percentages and a ratio in one column
        v = k.get(n)
        tv.rows[i][1] = f.pct(v) if units.get(n) == "pct" else (f.num(v, 2) if n == "turnover" else
                                                                 f"{f.num(v)} {f.t('days')}" if v is not None
                                                                 else f.t("na"))
    cols = [(f.t("month_end"), "date"), (f.t("ar"), "money"), (f.t("overdue"), "money"), ("DSO", "num"),
            ("BPDSO", "num"), (f.t("adbt"), "num")]
    trend = _table(f, f.t("trend"), cols, [[t.month_end, t.ar, t.overdue, t.dso, t.bpdso, t.adbt] for t in p.trend])
    return Section("dso", f.t("dso_section"), "", [tv, trend], ["trend"])


def _cost(p: Portfolio, f: Fmt) -> Section:
    c = p.options.cost
    intro = f.t("cost_intro", cof=f.pct(c.cost_of_funds * 100), pd=f.pct(c.probability_of_default * 100),
                lgd=f.pct(c.lgd * 100))
    cols = [(f.t("debtor"), "text"), (f.t("nominal"), "money"), (f.t("financing"), "money"),
            (f.t("systemic"), "money"), (f.t("total_cost"), "money")]
    raw: list[list[Raw]] = [[k, s.nominal_at_risk, s.financing_cost, s.systemic_charge, s.carrying_cost]
                            for k, s in p.cost_by_debtor]
    tv = _table(f, f.t("top_debtors"), cols, raw)
    tv.total = ["Total", f.money(p.cost.nominal_at_risk), f.money(p.cost.financing_cost),
                f.money(p.cost.systemic_charge), f.money(p.cost.carrying_cost)]
    facts = [(f.t("financing"), f.money(p.cost.financing_cost)), (f.t("systemic"), f.money(p.cost.systemic_charge)),
             (f.t("staff"), f.money(p.cost.staff_cost)), (f.t("total_cost"), f.money(p.cost.carrying_cost))]
    return Section("cost", f.t("cost_section"), intro, [tv], [], facts)


def _interest(p: Portfolio, f: Fmt) -> Section:
    intro = f.t("interest_intro", j=p.jurisdiction, lb=p.options.interest_lookback_days)
    io, co = p.interest_total("open")
    ip, cp = p.interest_total("paid late")
    failed = [x for x in p.interest if x.interest is None]
    facts = [(f.t("on_open"), f"{f.money(io)} + {f.money(co)}"), (f.t("on_paid"), f"{f.money(ip)} + {f.money(cp)}")]
    if failed:
        facts.append((f.t("not_computable"), f"{len(failed)}: {failed[0].reason}"))
    cols = [(f.t("invoice"), "text"), (f.t("debtor"), "text"), (f.t("amount"), "money"), (f.t("due"), "date"),
            (f.t("until"), "date"), (f.t("days_late"), "int"), (f.t("status"), "text"), (f.t("interest"), "money"),
            (f.t("compensation"), "money")]
    raw: list[list[Raw]] = [[x.invoice, x.customer, x.amount, x.due, x.end, x.days, f.t("st_" + x.status),
                             x.interest, x.compensation] for x in p.interest[:25]]
    raw += [[x.invoice, x.customer, x.amount, x.due, x.end, x.days, f.t("not_computable"), None, None]
            for x in failed[:5] if x not in p.interest[:25]]
    return Section("interest", f.t("interest_section"), intro, [_table(f, f.t("largest_claims"), cols, raw)], [],
                   facts)


def _provision(p: Portfolio, f: Fmt) -> Section:
    o = p.options
    intro = f.t("provision_intro", n=p.provision_snapshots, lgd=f.num(o.lgd, 2), ov=f.num(o.overlay, 2))
    sec = Section("provision", f.t("provision_section"), intro, [], ["provision"])
    if p.provision is None:
        return sec
    rolls = [*p.provision.roll_rates, None]
    cols = [(f.t("bucket"), "text"), (f.t("balance"), "money"), (f.t("roll_rate"), "pct"),
            (f.t("loss_rate"), "pct"), (f.t("ecl"), "money")]
    raw: list[list[Raw]] = [[f.label(ln.bucket), ln.balance, None if r is None else r * 100, ln.rate * 100, ln.ecl]
                            for ln, r in zip(p.provision.lines, rolls, strict=True)]
    tv = _table(f, f.t("provision_section"), cols, raw)
    cov = p.provision.coverage
    tv.total = ["Total", f.money(p.provision.balance), "", f.pct(None if cov is None else cov * 100),
                f.money(p.provision.ecl)]
    sec.tables.append(tv)
    return sec


def _priorities(p: Portfolio, f: Fmt) -> Section:
    cols = [("#", "int"), (f.t("debtor"), "text"), (f.t("overdue"), "money"), (f.t("open"), "money"),
            (f.t("reason"), "text")]
    raw: list[list[Raw]] = []
    for i, x in enumerate(p.priorities, start=1):
        parts = [f.t("why", amt=f.money(x.overdue), dpd=x.max_dpd)]
        parts.append(f.t("why_late", pct=f.pct(x.late_share, 0), d=f.num(x.avg_days_late or ZERO, 0))
                     if x.late_share is not None else f.t("why_new"))
        if x.disputed:
            parts.append(f.t("why_disputed", n=x.disputed))
        raw.append([i, x.name, x.overdue, x.open, "; ".join(parts)])
    return Section("priorities", f.t("priorities"), f.t("priority_intro"), [_table(f, f.t("priorities"), cols, raw)])


def _charts(p: Portfolio, f: Fmt) -> dict[str, dict[str, Any]]:
    prov = p.provision.lines if p.provision else ()
    return {
        "ageing": {"labels": [f.label(b.label) for b in p.ageing], "values": [_fl(b.amount) for b in p.ageing],
                   "title": f.t("ageing"), "series": f.t("amount")},
        "top": {"labels": [d.name for d in p.top_debtors], "open": [_fl(d.open) for d in p.top_debtors],
                "overdue": [_fl(d.overdue) for d in p.top_debtors], "title": f.t("top_debtors"),
                "s_open": f.t("open"), "s_overdue": f.t("overdue")},
        "pareto": {"x": [_fl(a) for a, _ in p.pareto], "y": [_fl(b) for _, b in p.pareto], "title": f.t("pareto"),
                   "x_label": f.t("pct_debtors"), "y_label": f.t("pct_open")},
        "trend": {"labels": [f.month(t.month_end) for t in p.trend], "dso": [_fl(t.dso) for t in p.trend],
                  "bpdso": [_fl(t.bpdso) for t in p.trend], "ar": [_fl(t.ar) for t in p.trend],
                  "overdue": [_fl(t.overdue) for t in p.trend], "title": f.t("trend"), "s_ar": f.t("ar"),
                  "s_overdue": f.t("overdue")},
        "provision": {"labels": [f.label(ln.bucket) for ln in prov], "balance": [_fl(ln.balance) for ln in prov],
                      "ecl": [_fl(ln.ecl) for ln in prov], "title": f.t("provision_section"),
                      "s_balance": f.t("balance"), "s_ecl": f.t("ecl")},
    }
