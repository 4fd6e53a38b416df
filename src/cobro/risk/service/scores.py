"""Risk use cases: score every customer (stored, with alerts), classify delinquent ones, recommend an action.

Evidence comes from the ledger frame (`db.repositories.frames`, as known on the as-of date) and, when installed,
the collections tables (promises, disputes, timeline, actions).  The rules are the pure ones of
`cobro.risk.domain.risk`, `.classify` and `.decide`.  Functions flush, never commit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from cobro.interest.domain import InterestError, compute_late_interest
from cobro.kernel.errors import NotFoundError
from cobro.kernel.money import Money, exponent, quantum
from cobro.kernel.rates import RateSource
from cobro.ledger.records import CustomerRow
from cobro.ledger.repository import frames, parties
from cobro.risk import repository as repo
from cobro.risk.domain import classify as cl
from cobro.risk.domain import decide as dc
from cobro.risk.domain import risk as rk
from cobro.risk.service import tuning as risk_tuning
from cobro.solvency.domain import FinancialStatement
from cobro.solvency.service import solvency as solvency_svc

LOOKBACK_DAYS = 365
GRACE_DAYS = 7  # overdue by more than this = delinquent
_JURISDICTION = {"ES": "ES", "MX": "MX", "CL": "CL", "CO": "CO", "PE": "PE", "GB": "UK"}


@dataclass
class Profile:
    """Everything known about one customer at the as-of date."""

    row: CustomerRow
    currency: str
    risk_input: rk.RiskInput
    evidence: cl.Evidence
    cases: list[dc.Case] = field(default_factory=list)
    score: rk.RiskScore | None = None
    classification: cl.Classification | None = None
    accounts: solvency_svc.Assessment | None = None  # financial statements, when the customer has any


@dataclass
class Context:
    as_of: dt.date
    tenant: int
    thresholds: rk.RiskThresholds
    decision: dc.DecisionParameters
    profiles: list[Profile]
    broken: dict[int, list[str]]


def _d(value: object) -> Decimal:
    return Decimal(str(value))


def _claimable(rows: pl.DataFrame, country: str, as_of: dt.date, rates: RateSource) -> Decimal:
    """Statutory interest + compensation on the overdue items (0 where no rate is known)."""
    total = Decimal(0)
    jurisdiction = _JURISDICTION.get(country.upper(), "EU")
    for amount, cur, due in rows.select("open_amount", "currency", "due_date").iter_rows():
        for comp in (None, Decimal(0)):
            try:
                total += compute_late_interest(jurisdiction, Decimal(amount), cur, due, as_of, rates=rates,
                                               compensation=comp).claim
                break
            except InterestError:
                continue
    return total


def _main_currency(row: CustomerRow, open_rows: pl.DataFrame, rows: pl.DataFrame) -> str:
    if row.credit_limit_currency:
        return row.credit_limit_currency
    source = open_rows if open_rows.height else rows
    if source.height == 0:
        return ""
    counts = source.group_by("currency").agg(pl.col("amount_minor").sum()).sort("amount_minor", descending=True)
    return str(counts["currency"][0])


def _profile(row: CustomerRow, rows: pl.DataFrame, as_of: dt.date, coll: repo.Collections,
             last_paid: dt.date | None, partial: int, solvency: rk.SolvencyInput | None) -> Profile:
    since = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    settled = rows.filter(pl.col("settled_date").is_not_null()).sort("settled_date")
    recent = settled.filter(pl.col("settled_date") > since)
    delays = [(s - d).days for s, d in zip(recent["settled_date"].to_list(), recent["due_date"].to_list(), strict=True)]
    open_rows = rows.filter(pl.col("settled_date").is_null() & (pl.col("open_minor") > 0))
    cur = _main_currency(row, open_rows, rows)
    mine = open_rows.filter(pl.col("currency") == cur)
    overdue = mine.filter(pl.col("due_date") < as_of)
    exposure = sum((Decimal(v) for v in mine["open_amount"].to_list()), Decimal(0))
    over_amt = sum((Decimal(v) for v in overdue["open_amount"].to_list()), Decimal(0))
    dpd = _weighted_dpd(overdue, as_of)
    disputed = sum((Decimal(v) for v in mine.filter(pl.col("disputed"))["open_amount"].to_list()), Decimal(0))
    limit = (None if row.credit_limit_minor is None or not row.credit_limit_currency
             else Money.from_minor(row.credit_limit_minor, row.credit_limit_currency).amount)
    broken = coll.promises_broken.get(row.id, [])
    over90 = sum((Decimal(v) for v in overdue.filter(pl.col("due_date") < as_of - dt.timedelta(days=90))
                  ["open_amount"].to_list()), Decimal(0))
    quiet = None if last_paid is None else (as_of - last_paid).days
    inp = rk.RiskInput(row.code, delays, exposure, over_amt, dpd, over90, quiet, limit, cur,
                       coll.promises_kept.get(row.id, 0), len(broken), coll.disputes_unfounded.get(row.id, 0),
                       disputed, solvency)
    all_delays = [(s - d).days for s, d in zip(settled["settled_date"].to_list(), settled["due_date"].to_list(),
                                               strict=True)]
    trend = None
    if len(all_delays) >= rk.RECENT_N + 2:
        trend = sum(all_delays[-rk.RECENT_N:]) / rk.RECENT_N - sum(all_delays[:-rk.RECENT_N]) / (
            len(all_delays) - rk.RECENT_N)
    first = rows["issue_date"].min() if rows.height else None
    disputed_overdue = sum((Decimal(v) for v in overdue.filter(pl.col("disputed"))["open_amount"].to_list()),
                           Decimal(0))
    ev = cl.Evidence(
        row.code, over_amt, dpd, cur, settled_items=settled.height,
        customer_days=(as_of - first).days if isinstance(first, dt.date) else 0,
        mean_delay=sum(delays) / len(delays) if delays else None, delay_trend=trend,
        days_since_last_payment=quiet,
        partial_payments_90d=partial, contact_recent=coll.contact_recent.get(row.id) if coll.installed else None,
        promises_kept=coll.promises_kept.get(row.id, 0), promises_broken=len(broken),
        disputes_unfounded=coll.disputes_unfounded.get(row.id, 0), disputed_overdue=disputed_overdue,
        p_default=solvency.p_default if solvency else None, z2_zone=solvency.zone if solvency else None,
        solvency_worsened=solvency.worsened if solvency else ())
    return Profile(row, cur, inp, ev)


def _weighted_dpd(overdue: pl.DataFrame, as_of: dt.date) -> float:
    if overdue.height == 0:
        return 0.0
    w = overdue["open_minor"].cast(pl.Float64).to_numpy()
    days = [(as_of - d).days for d in overdue["due_date"].to_list()]
    return float(sum(x * y for x, y in zip(w, days, strict=True)) / max(w.sum(), 1.0))


def build(session: Session, tenant_code: str, as_of: dt.date, *, rates: RateSource, policy_yaml: str | None = None,
          financials: Mapping[str, Sequence[FinancialStatement]] | None = None,
          solvency_model: Path | None = None) -> Context:
    """Score and classify every customer; build the delinquent cases (recommend with `recommend`).

    Solvency evidence: the stored financial statements, replaced per customer by `financials` (a file given on
    the command line); P(default) from the bankruptcy model at `solvency_model` when that file exists.  The
    claimable statutory interest of each case uses `rates` (the container's rate book).
    """
    tenant = parties.tenant_id(session, tenant_code)
    text = policy_yaml if policy_yaml is not None else repo.default_policy_yaml(session, tenant)
    thresholds, decision = risk_tuning.from_yaml(text)
    frame = frames.ledger_frame(session, tenant, as_of)
    by_customer = {k[0]: g for k, g in frame.group_by("customer_id")} if frame.height else {}
    coll = repo.collections(session, tenant, as_of)
    last = repo.last_payments(session, tenant, as_of)
    partial = repo.partial_payments(session, tenant, as_of)
    empty = frame.clear()
    accounts = solvency_svc.assess_all(solvency_svc.stored(session, tenant, as_of), financials,
                                       model_file=solvency_model)
    profiles = []
    for row in repo.customers(session, tenant):
        rows = by_customer.get(row.id, empty)
        acc = accounts.get(row.code)
        prof = _profile(row, rows, as_of, coll, last.get(row.id), partial.get(row.id, 0),
                        acc.solvency if acc else None)
        prof.accounts = acc
        prof.score = rk.score_customer(prof.risk_input)
        if prof.evidence.overdue > 0 and prof.evidence.overdue_days_weighted > GRACE_DAYS:
            prof.classification = cl.classify(prof.evidence)
        prof.cases = _cases(prof, rows, as_of, coll, rates)
        profiles.append(prof)
    return Context(as_of, tenant, thresholds, decision, profiles, coll.promises_broken)


def _cases(prof: Profile, rows: pl.DataFrame, as_of: dt.date, coll: repo.Collections,
           rates: RateSource) -> list[dc.Case]:
    if prof.classification is None or prof.score is None:
        return []
    overdue = rows.filter(pl.col("settled_date").is_null() & (pl.col("open_minor") > 0)
                          & (pl.col("due_date") < as_of))
    out = []
    for (cur,), g in overdue.group_by("currency"):
        amount = sum((Decimal(v) for v in g["open_amount"].to_list()), Decimal(0))
        q = Decimal(1).scaleb(-exponent(str(cur)))
        out.append(dc.Case(prof.row.code, str(cur), amount, _weighted_dpd(g, as_of),
                           _claimable(g, prof.row.country, as_of, rates).quantize(q), prof.score.score,
                           prof.classification.label, prof.classification.nature,
                           tried=coll.tried.get((prof.row.id, str(cur)), {})))
    return sorted(out, key=lambda c: c.currency)


def with_wait_days(ctx: Context, predictions: pl.DataFrame, book: pl.DataFrame) -> None:
    """Give each case the model's expected days until its overdue items are paid (amount-weighted)."""
    joined = book.join(predictions.select("invoice_number", "d50"), on="invoice_number", how="inner")
    waits: dict[tuple[str, str], tuple[float, float]] = {}
    for code, cur, due, d50, amount in joined.select("customer_code", "currency", "due_date", "d50",
                                                     "open_minor").iter_rows():
        if due >= ctx.as_of:
            continue
        wait = max(7.0, (due - ctx.as_of).days + float(d50))
        s, w = waits.get((code, cur), (0.0, 0.0))
        waits[(code, cur)] = (s + wait * amount, w + amount)
    for prof in ctx.profiles:
        prof.cases = [dc.Case(**{**{f: getattr(c, f) for f in c.__dataclass_fields__},
                                 "expected_wait_days": waits[(c.customer, c.currency)][0]
                                 / max(waits[(c.customer, c.currency)][1], 1.0)})
                      if (c.customer, c.currency) in waits else c for c in prof.cases]


# --- use cases ---------------------------------------------------------------------------------------------------

def _recipients(row: CustomerRow) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r for r in (row.collector, row.account_owner) if r))


def score_all(session: Session, tenant_code: str, as_of: dt.date, *, store: bool = True,
              ctx: Context | None = None, **kw: Any) -> dict[str, Any]:
    """Scores of every customer (worst first); stores them and raises alerts against the previous scores."""
    ctx = ctx or build(session, tenant_code, as_of, **kw)
    previous = repo.previous_scores(session, ctx.tenant, as_of)
    raised: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    for prof in ctx.profiles:
        assert prof.score is not None
        s = prof.score
        prev_row = previous.get(prof.row.id)
        prev = None if prev_row is None else _from_row(prev_row, prof)
        old_broken = prev_row.broken_promises if prev_row is not None else 0
        new_broken = ctx.broken.get(prof.row.id, [])[old_broken:]
        drafts = rk.alerts(prev, s, as_of, thresholds=ctx.thresholds, recipients=_recipients(prof.row),
                           new_broken_promises=new_broken)
        item: dict[str, Any] = {"customer_name": prof.row.legal_name, **s.as_dict(), "collector": prof.row.collector,
                "account_owner": prof.row.account_owner}
        out.append(item)
        if not store:
            raised += [{"customer": s.customer, "kind": a.kind, "message": a.message} for a in drafts]
            continue
        q = exponent(prof.currency) if prof.currency else 2
        repo.save_score(session, ctx.tenant, prof.row.id, as_of, score=s.score, grade=s.grade,
                        days_beyond_terms=round(s.days_beyond_terms),
                        exposure_minor=int(s.exposure.scaleb(q)), currency=prof.currency,
                        broken_promises=s.promises_broken, reasons_json=json.dumps(s.reasons_shown()))
        for a in drafts:
            if repo.add_alert(session, ctx.tenant, prof.row.id, kind=a.kind, key=a.key, as_of=as_of,
                              message=a.message, recipients=",".join(a.recipients)) is not None:
                raised.append({"customer": s.customer, "kind": a.kind, "message": a.message,
                               "recipients": list(a.recipients)})
    session.flush()
    out.sort(key=lambda r: (-int(r["score"]), str(r["customer"])))
    return {"as_of": as_of.isoformat(), "scores": out, "alerts": raised}


def _from_row(row: Any, prof: Profile) -> rk.RiskScore:
    exposure = Decimal(int(row.exposure_minor)).scaleb(-exponent(row.currency)) if row.currency else Decimal(0)
    return rk.RiskScore(prof.row.code, int(row.score), str(row.grade), float(row.days_beyond_terms), (),
                        exposure, prof.risk_input.credit_limit, row.currency, int(row.broken_promises))


def _grid(amount: Decimal, currency: str) -> str:
    return f"{amount.quantize(quantum(currency)):f}" if currency else f"{amount:f}"


def classify_all(session: Session, tenant_code: str, as_of: dt.date, *, ctx: Context | None = None,
                 **kw: Any) -> list[dict[str, Any]]:
    ctx = ctx or build(session, tenant_code, as_of, **kw)
    out = [{**p.classification.as_dict(), "overdue": _grid(p.evidence.overdue, p.currency), "currency": p.currency,
            "days_past_due": round(p.evidence.overdue_days_weighted), "collector": p.row.collector}
           for p in ctx.profiles if p.classification is not None]
    return sorted(out, key=lambda r: (str(r["nature"]), str(r["customer"])))


def recommend_all(session: Session, tenant_code: str, as_of: dt.date, *, customer: str = "",
                  model_dir: Path | None = None, ctx: Context | None = None, **kw: Any) -> list[dict[str, Any]]:
    """One recommendation per delinquent customer × currency, best value-vs-wait first."""
    ctx = ctx or build(session, tenant_code, as_of, **kw)
    if customer and not any(p.row.code == customer for p in ctx.profiles):
        raise NotFoundError(f"no customer {customer!r}")
    if model_dir is not None:
        from cobro.forecasting.service import model_path, predict_open

        if model_path(model_dir, tenant_code).exists():
            op = predict_open(session, tenant_code, as_of, model_dir)
            with_wait_days(ctx, op.predictions, op.book)
    recs: list[dict[str, Any]] = []
    for prof in ctx.profiles:
        if customer and prof.row.code != customer:
            continue
        for case in prof.cases:
            rec = dc.recommend(case, ctx.decision)
            recs.append({**rec.as_dict(), "label": case.label, "nature": case.nature, "overdue": _grid(case.overdue, case.currency),
                         "days_past_due": round(case.days_past_due), "claimable": _grid(case.claimable, case.currency),
                         "collector": prof.row.collector, "_rank": float(rec.value_vs_wait)
                         / float(ctx.decision.fx_to_base.get(case.currency, Decimal(1)))})
    recs.sort(key=lambda r: -float(r["_rank"]))
    for r in recs:
        r["value_vs_wait_base"] = round(float(r.pop("_rank")), 2)
    return recs


def show(session: Session, tenant_code: str, customer: str, as_of: dt.date, **kw: Any) -> dict[str, Any]:
    ctx = build(session, tenant_code, as_of, **kw)
    prof = next((p for p in ctx.profiles if p.row.code == customer), None)
    if prof is None or prof.score is None:
        raise NotFoundError(f"no customer {customer!r}")
    alerts = [{"as_of": a.as_of.isoformat(), "kind": a.kind, "message": a.message, "status": a.status}
              for a, code in repo.alerts(session, ctx.tenant) if code == customer]
    return {"customer": customer, "name": prof.row.legal_name, "collector": prof.row.collector,
            "account_owner": prof.row.account_owner, "score": prof.score.as_dict(),
            "all_reasons": [{"code": r.code, "points": round(r.points, 1), "text": r.text} for r in prof.score.reasons],
            "classification": prof.classification.as_dict() if prof.classification else None,
            "solvency": solvency_svc.details(prof.accounts) if prof.accounts else None,
            "recommendations": [dc.recommend(c, ctx.decision).as_dict() for c in prof.cases], "alerts": alerts}


def list_alerts(session: Session, tenant_code: str, *, status: str = "", recipient: str = "") -> list[dict[str, Any]]:
    tenant = parties.tenant_id(session, tenant_code)
    return [{"id": a.id, "as_of": a.as_of.isoformat(), "customer": code, "kind": a.kind, "message": a.message,
             "recipients": a.recipients, "status": a.status}
            for a, code in repo.alerts(session, tenant, status=status, recipient=recipient)]
