"""Risk use cases: score every customer (stored, with alerts), classify delinquent ones, recommend an action.

Evidence comes from the risk repository (``uow.repo(RISK)``): the ledger frame as known on the as-of date and,
when installed, the collections tables (promises, disputes, timeline, actions).  The rules are the pure ones of
`cobro.risk.domain.risk`, `.classify` and `.decide`.  Results are the frozen values of `cobro.risk.schemas`.
Functions flush, never commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from cobro.interest.domain import InterestError, compute_late_interest
from cobro.interest.domain.law import debt_jurisdiction
from cobro.kernel.errors import NotFoundError
from cobro.kernel.money import Money, exponent
from cobro.kernel.rates import RateSource
from cobro.platform.uow import Uow
from cobro.risk.domain import classify as cl
from cobro.risk.domain import decide as dc
from cobro.risk.domain import risk as rk
from cobro.risk.repository import RISK, Collections
from cobro.risk.schemas import (
    AlertKind,
    ClassifiedCustomer,
    Context,
    Customer,
    CustomerRisk,
    CustomerScore,
    Profile,
    RaisedAlert,
    RecommendedAction,
    ScoreRun,
    StoredAlert,
    StoredScore,
)
from cobro.risk.service import tuning as risk_tuning
from cobro.solvency.domain import FinancialStatement
from cobro.solvency.service import solvency as solvency_svc
from cobro.webhooks import service as webhooks

LOOKBACK_DAYS = 365
GRACE_DAYS = 7  # overdue by more than this = delinquent


def _claimable(rows: pl.DataFrame, country: str, as_of: dt.date, rates: RateSource) -> Decimal:
    """Statutory interest + compensation on the overdue items (0 where no rate is known)."""
    total = Decimal(0)
    jurisdiction = debt_jurisdiction(country, fallback="EU")  # the letters' rule (docs/interest.md)
    for amount, cur, due in rows.select("open_amount", "currency", "due_date").iter_rows():
        for comp in (None, Decimal(0)):
            try:
                total += compute_late_interest(jurisdiction, Decimal(amount), cur, due, as_of, rates=rates,
                                               compensation=comp).claim
                break
            except InterestError:
                continue
    return total


def _main_currency(customer: Customer, open_rows: pl.DataFrame, rows: pl.DataFrame) -> str:
    if customer.credit_limit_currency:
        return customer.credit_limit_currency
    source = open_rows if open_rows.height else rows
    if source.height == 0:
        return ""
    counts = source.group_by("currency").agg(pl.col("amount_minor").sum()).sort("amount_minor", descending=True)
    return str(counts["currency"][0])


def _evidence(customer: Customer, rows: pl.DataFrame, as_of: dt.date, coll: Collections, last_paid: dt.date | None,
              partial: int, solvency: rk.SolvencyInput | None) -> tuple[str, rk.RiskInput, cl.Evidence]:
    """The customer's main currency, the score's input and the classification's evidence."""
    since = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    settled = rows.filter(pl.col("settled_date").is_not_null()).sort("settled_date")
    recent = settled.filter(pl.col("settled_date") > since)
    delays = [(s - d).days for s, d in zip(recent["settled_date"].to_list(), recent["due_date"].to_list(), strict=True)]
    open_rows = rows.filter(pl.col("settled_date").is_null() & (pl.col("open_minor") > 0))
    cur = _main_currency(customer, open_rows, rows)
    mine = open_rows.filter(pl.col("currency") == cur)
    overdue = mine.filter(pl.col("due_date") < as_of)
    exposure = sum((Decimal(v) for v in mine["open_amount"].to_list()), Decimal(0))
    over_amt = sum((Decimal(v) for v in overdue["open_amount"].to_list()), Decimal(0))
    dpd = _weighted_dpd(overdue, as_of)
    disputed = sum((Decimal(v) for v in mine.filter(pl.col("disputed"))["open_amount"].to_list()), Decimal(0))
    limit = None if customer.credit_limit is None else customer.credit_limit.amount
    broken = coll.promises_broken.get(customer.id, [])
    over90 = sum((Decimal(v) for v in overdue.filter(pl.col("due_date") < as_of - dt.timedelta(days=90))
                  ["open_amount"].to_list()), Decimal(0))
    quiet = None if last_paid is None else (as_of - last_paid).days
    inp = rk.RiskInput(customer.code, delays, exposure, over_amt, dpd, over90, quiet, limit, cur,
                       coll.promises_kept.get(customer.id, 0), len(broken),
                       coll.disputes_unfounded.get(customer.id, 0), disputed, solvency)
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
        customer.code, over_amt, dpd, cur, settled_items=settled.height,
        customer_days=(as_of - first).days if isinstance(first, dt.date) else 0,
        mean_delay=sum(delays) / len(delays) if delays else None, delay_trend=trend,
        days_since_last_payment=quiet,
        partial_payments_90d=partial,
        contact_recent=coll.contact_recent.get(customer.id) if coll.installed else None,
        promises_kept=coll.promises_kept.get(customer.id, 0), promises_broken=len(broken),
        disputes_unfounded=coll.disputes_unfounded.get(customer.id, 0), disputed_overdue=disputed_overdue,
        p_default=solvency.p_default if solvency else None, z2_zone=solvency.zone if solvency else None,
        solvency_worsened=solvency.worsened if solvency else ())
    return cur, inp, ev


def _weighted_dpd(overdue: pl.DataFrame, as_of: dt.date) -> float:
    if overdue.height == 0:
        return 0.0
    w = overdue["open_minor"].cast(pl.Float64).to_numpy()
    days = [(as_of - d).days for d in overdue["due_date"].to_list()]
    return float(sum(x * y for x, y in zip(w, days, strict=True)) / max(w.sum(), 1.0))


def build(uow: Uow, as_of: dt.date, *, rates: RateSource, policy_yaml: str | None = None,
          financials: Mapping[str, Sequence[FinancialStatement]] | None = None,
          solvency_model: Path | None = None) -> Context:
    """Score and classify every customer; build the delinquent cases (recommend with `recommend`).

    Solvency evidence: the stored financial statements, replaced per customer by `financials` (a file given on
    the command line); P(default) from the bankruptcy model at `solvency_model` when that file exists.  The
    claimable statutory interest of each case uses `rates` (the container's rate book).
    """
    repo = uow.repo(RISK)
    text = policy_yaml if policy_yaml is not None else repo.default_policy_yaml()
    thresholds, decision = risk_tuning.from_yaml(text)
    frame = repo.ledger_frame(as_of)
    by_customer = {k[0]: g for k, g in frame.group_by("customer_id")} if frame.height else {}
    coll = repo.collections(as_of)
    last = repo.last_payments(as_of)
    partial = repo.partial_payments(as_of)
    empty = frame.clear()
    accounts = solvency_svc.assess_all(solvency_svc.stored(uow, as_of), financials, model_file=solvency_model)
    profiles = []
    for customer in repo.customers():
        rows = by_customer.get(customer.id, empty)
        acc = accounts.get(customer.code)
        cur, inp, ev = _evidence(customer, rows, as_of, coll, last.get(customer.id), partial.get(customer.id, 0),
                                 acc.solvency if acc else None)
        score = rk.score_customer(inp)
        classification = (cl.classify(ev) if ev.overdue > 0 and ev.overdue_days_weighted > GRACE_DAYS else None)
        cases = _cases(customer, score, classification, rows, as_of, coll, rates)
        profiles.append(Profile(customer, cur, inp, ev, score, classification, cases, acc))
    return Context(as_of, thresholds, decision, tuple(profiles), coll.promises_broken)


def _cases(customer: Customer, score: rk.RiskScore, classification: cl.Classification | None, rows: pl.DataFrame,
           as_of: dt.date, coll: Collections, rates: RateSource) -> tuple[dc.Case, ...]:
    if classification is None:
        return ()
    overdue = rows.filter(pl.col("settled_date").is_null() & (pl.col("open_minor") > 0)
                          & (pl.col("due_date") < as_of))
    out = []
    for (cur,), g in overdue.group_by("currency"):
        amount = sum((Decimal(v) for v in g["open_amount"].to_list()), Decimal(0))
        q = Decimal(1).scaleb(-exponent(str(cur)))
        out.append(dc.Case(customer.code, str(cur), amount, _weighted_dpd(g, as_of),
                           _claimable(g, customer.country, as_of, rates).quantize(q), score.score,
                           classification.label, classification.nature,
                           tried=coll.tried.get((customer.id, str(cur)), {})))
    return tuple(sorted(out, key=lambda c: c.currency))


def with_wait_days(ctx: Context, predictions: pl.DataFrame, book: pl.DataFrame) -> Context:
    """The context with each case's expected days until its overdue items are paid (the model's, amount-weighted)."""
    joined = book.join(predictions.select("invoice_number", "d50"), on="invoice_number", how="inner")
    waits: dict[tuple[str, str], tuple[float, float]] = {}
    for code, cur, due, d50, amount in joined.select("customer_code", "currency", "due_date", "d50",
                                                     "open_minor").iter_rows():
        if due >= ctx.as_of:
            continue
        wait = max(7.0, (due - ctx.as_of).days + float(d50))
        s, w = waits.get((code, cur), (0.0, 0.0))
        waits[(code, cur)] = (s + wait * amount, w + amount)

    def waited(c: dc.Case) -> dc.Case:
        if (c.customer, c.currency) not in waits:
            return c
        total, weight = waits[(c.customer, c.currency)]
        return dataclasses.replace(c, expected_wait_days=total / max(weight, 1.0))

    return dataclasses.replace(ctx, profiles=tuple(dataclasses.replace(p, cases=tuple(waited(c) for c in p.cases))
                                                   for p in ctx.profiles))


def with_stored_waits(uow: Uow, ctx: Context) -> Context:
    """The context with each case's expected wait from the stored payment-date predictions (`cobro predict
    refresh`, the latest on or before the as-of date): waiting is valued at the days until each overdue
    instalment's expected payment date, amount-weighted, instead of the action table's default.  The same object
    when none are stored."""
    from cobro.forecasting.service import predictions_for

    with_cases = [p.customer.id for p in ctx.profiles if p.cases]
    stored = predictions_for(uow, with_cases, ctx.as_of) if with_cases else []
    if not stored:
        return ctx
    book = pl.DataFrame({"invoice_number": [p.instalment for p in stored],
                         "customer_code": [p.customer for p in stored],
                         "currency": [p.open.currency for p in stored],
                         "due_date": [p.due_date for p in stored],
                         "open_minor": [int(p.open.amount.scaleb(exponent(p.open.currency))) for p in stored]},
                        schema_overrides={"due_date": pl.Date()})
    days = pl.DataFrame({"invoice_number": [p.instalment for p in stored],
                         "d50": [(p.expected_date - p.due_date).days for p in stored]})  # expected, from the due date
    return with_wait_days(ctx, days, book)


# --- use cases ---------------------------------------------------------------------------------------------------

def score_all(uow: Uow, as_of: dt.date, *, store: bool = True, ctx: Context | None = None, **kw: Any) -> ScoreRun:
    """Scores of every customer (worst first); stores them and raises alerts against the previous scores."""
    ctx = ctx or build(uow, as_of, **kw)
    repo = uow.repo(RISK)
    previous = repo.previous_scores(as_of)
    raised: list[RaisedAlert] = []
    out: list[CustomerScore] = []
    changed: list[tuple[str, dict[str, Any]]] = []  # risk.changed events: grade moved since the previous score
    for prof in ctx.profiles:
        s, who = prof.score, prof.customer
        prev_row = previous.get(who.id)
        prev = None if prev_row is None else _from_stored(prev_row, prof)
        old_broken = prev_row.broken_promises if prev_row is not None else 0
        new_broken = ctx.broken.get(who.id, [])[old_broken:]
        drafts = rk.alerts(prev, s, as_of, thresholds=ctx.thresholds, recipients=who.recipients,
                           new_broken_promises=new_broken)
        out.append(CustomerScore(
            s.customer, who.legal_name, s.score, s.grade, s.days_beyond_terms, s.thin_history,
            Money(s.exposure, s.currency), None if s.credit_limit is None else Money(s.credit_limit, s.currency),
            tuple(s.reasons_shown()), {r.code: r.points for r in s.reasons}, who.collector, who.account_owner))
        if not store:
            raised += [RaisedAlert(s.customer, AlertKind(a.kind), a.message, None) for a in drafts]
            continue
        q = exponent(prof.currency) if prof.currency else 2
        repo.save_score(who.id, as_of, StoredScore(s.score, s.grade, round(s.days_beyond_terms),
                                                   int(s.exposure.scaleb(q)), prof.currency, s.promises_broken,
                                                   tuple(s.reasons_shown())))
        if prev is not None and prev.grade != s.grade:
            changed.append((f"customer:{s.customer}", {
                "customer": s.customer, "as_of": as_of.isoformat(), "grade_before": prev.grade, "grade": s.grade,
                "score_before": prev.score, "score": s.score, "reasons": list(s.reasons_shown())}))
        for a in drafts:
            if repo.add_alert(who.id, kind=AlertKind(a.kind), key=a.key, as_of=as_of, message=a.message,
                              recipients=a.recipients):
                raised.append(RaisedAlert(s.customer, AlertKind(a.kind), a.message, a.recipients))
                webhooks.emit(uow, "alert.raised", entity=f"alert:{a.key}"[:80],
                              data={"key": a.key, "kind": a.kind, "customer": s.customer, "message": a.message,
                                    "as_of": as_of.isoformat(), "recipients": list(a.recipients)})
    webhooks.emit_many(uow, "risk.changed", events=changed)
    uow.flush()
    out.sort(key=lambda r: (-r.score, r.customer))
    return ScoreRun(as_of, tuple(out), tuple(raised))


def _from_stored(row: StoredScore, prof: Profile) -> rk.RiskScore:
    exposure = Decimal(row.exposure_minor).scaleb(-exponent(row.currency)) if row.currency else Decimal(0)
    return rk.RiskScore(prof.customer.code, row.score, row.grade, float(row.days_beyond_terms), (),
                        exposure, prof.risk_input.credit_limit, row.currency, row.broken_promises)


def classify_all(uow: Uow, as_of: dt.date, *, ctx: Context | None = None, **kw: Any) -> list[ClassifiedCustomer]:
    ctx = ctx or build(uow, as_of, **kw)
    out = [ClassifiedCustomer(p.classification, Money(p.evidence.overdue, p.currency),
                              round(p.evidence.overdue_days_weighted), p.customer.collector)
           for p in ctx.profiles if p.classification is not None]
    return sorted(out, key=lambda r: (r.classification.nature, r.classification.customer))


def recommend_all(uow: Uow, as_of: dt.date, *, customer: str = "", model_dir: Path | None = None,
                  ctx: Context | None = None, **kw: Any) -> list[RecommendedAction]:
    """One recommendation per delinquent customer × currency, best value-vs-wait first."""
    ctx = ctx or build(uow, as_of, **kw)
    if customer and not any(p.customer.code == customer for p in ctx.profiles):
        raise NotFoundError(f"no customer {customer!r}")
    stored = with_stored_waits(uow, ctx)  # the stored predictions first: what the worklist values too
    if stored is not ctx:
        ctx = stored
    elif model_dir is not None:
        from cobro.forecasting.service import model_path, predict_open

        if model_path(model_dir, uow.tenant.code).exists():
            op = predict_open(uow, as_of, model_dir)
            ctx = with_wait_days(ctx, op.predictions, op.book)
    recs: list[RecommendedAction] = []
    for prof in ctx.profiles:
        if customer and prof.customer.code != customer:
            continue
        for case in prof.cases:
            rec = dc.recommend(case, ctx.decision)
            rank = float(rec.value_vs_wait) / float(ctx.decision.fx_to_base.get(case.currency, Decimal(1)))
            recs.append(RecommendedAction(rec, case.label, case.nature, Money(case.overdue, case.currency),
                                          round(case.days_past_due), Money(case.claimable, case.currency),
                                          prof.customer.collector, rank))
    recs.sort(key=lambda r: -r.value_vs_wait_base)
    return [dataclasses.replace(r, value_vs_wait_base=round(r.value_vs_wait_base, 2)) for r in recs]


def show(uow: Uow, customer: str, as_of: dt.date, **kw: Any) -> CustomerRisk:
    ctx = build(uow, as_of, **kw)
    prof = next((p for p in ctx.profiles if p.customer.code == customer), None)
    if prof is None:
        raise NotFoundError(f"no customer {customer!r}")
    alerts = tuple(a for a in uow.repo(RISK).alerts() if a.customer == customer)
    who = prof.customer
    return CustomerRisk(customer, who.legal_name, who.collector, who.account_owner, prof.score, prof.classification,
                        solvency_svc.details(prof.accounts) if prof.accounts else None,
                        tuple(dc.recommend(c, ctx.decision) for c in prof.cases), alerts)


def list_alerts(uow: Uow, *, status: str = "", recipient: str = "") -> list[StoredAlert]:
    return uow.repo(RISK).alerts(status=status, recipient=recipient)
