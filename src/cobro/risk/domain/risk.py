"""Behavioural risk score of a customer (0 = no concern, 100 = worst) with a grade and its reasons in words.

The score is a sum of capped points, so every point can be traced to one sentence (docs/decisions.md §1):

===================  ====  ==============================================================================
component            max   points
===================  ====  ==============================================================================
lateness             30    mean days beyond terms of settled items (shrunk toward the portfolio), 60 d = max
trend                10    recent (last 5) minus earlier mean delay, +30 d = max
dispersion            5    standard deviation of the delays, 30 d = max
arrears              30    amount-weighted days past due of what is overdue now, 120 d = max
default              15    ≥ 5 % of the exposure more than 90 days past due (the Basel / IFRS 9 default marker)
payments stopped     15    overdue items and no payment for 60+ days (75+ d = max)
exposure vs limit    10    from 80 % of the limit (0) to 120 % (max)
broken promises      10    5 per broken promise, fewer when promises were kept
disputes             10    5 per dispute resolved against the customer, up to 5 for disputed open amount
solvency             20    only with financial statements, three reasons (see below)
===================  ====  ==============================================================================

Solvency, from the latest stored (or given) accounts: ``solvency`` = the Altman Z'' zone, ``solvency_pd`` = the
bankruptcy model's P(default), ``solvency_trend`` = key indicators falling since the year before.  With a model:
P(default) up to 12 (20 % = max), distress 5 / grey 2, trend 1 per falling indicator up to 3.  Without one (Altman
only, said so in the reason): distress 15 / grey 7, trend up to 5.  Either way at most 20.

Grades: A ≤ 20 < B ≤ 40 < C ≤ 60 < D ≤ 80 < E.  Alerts compare a score with the customer's previous one
(`alerts`); thresholds come from `RiskThresholds` (the policy's ``risk`` section may override them).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from cobro.kernel.money import format_grouped

GRADES = (("A", 20), ("B", 40), ("C", 60), ("D", 80), ("E", 100))
RECENT_N = 5
LIMIT_WATCH = Decimal("0.8")  # exposure above this share of the credit limit starts to cost points
LIMIT_RAMP = Decimal("0.4")  # ... reaching LIMIT_POINTS at 120 % of the limit
LIMIT_POINTS = Decimal(10)


@dataclass(frozen=True, slots=True)
class SolvencyInput:
    """What the solvency analysis knows about the customer (any field may be missing)."""

    p_default: float | None = None  # a model's probability, not money: a float is fine (only scored, never summed)
    z2: float | None = None  # Altman Z'', a dimensionless ratio of the accounts' lines
    zone: str | None = None  # distress | grey | safe
    worsened: tuple[str, ...] = ()  # key indicators that fell in the latest year, in words
    year: int | None = None  # fiscal year of the latest accounts
    model_note: str = ""  # why there is no P(default), e.g. "no bankruptcy model trained" (Altman only)
    model_features: str = ""  # e.g. "24/64": model features the accounts filled


@dataclass(frozen=True, slots=True)
class RiskInput:
    """One customer's evidence at the as-of date.

    `delays`: days beyond terms of settled items, oldest first (the lookback is the caller's choice).
    `overdue_days_weighted`: amount-weighted days past due of the items overdue at the as-of date.
    Amounts are in `currency` (the credit limit's currency when there is one).
    """

    customer: str
    delays: Sequence[int] = ()
    exposure: Decimal = Decimal(0)
    overdue: Decimal = Decimal(0)
    overdue_days_weighted: float = 0.0
    overdue_90: Decimal = Decimal(0)  # part of the exposure more than 90 days past due
    days_since_last_payment: int | None = None  # None = never paid
    credit_limit: Decimal | None = None
    currency: str = ""
    promises_kept: int = 0
    promises_broken: int = 0
    disputes_unfounded: int = 0
    disputed_open: Decimal = Decimal(0)
    solvency: SolvencyInput | None = None


@dataclass(frozen=True, slots=True)
class RiskParameters:
    prior_delay: float = 10.0  # portfolio mean days beyond terms a thin history is shrunk toward
    shrink_k: float = 3.0  # pseudo-count of the prior
    lateness_full: float = 60.0
    trend_full: float = 30.0
    dispersion_full: float = 30.0
    arrears_full: float = 120.0
    default_share: Decimal = Decimal("0.05")
    stopped_days: int = 60
    pd_full: float = 0.20
    pd_points: float = 12.0
    zone_points: tuple[float, float] = (15.0, 7.0)  # distress, grey: Altman only
    zone_points_with_pd: tuple[float, float] = (5.0, 2.0)  # distress, grey: next to a model's P(default)
    trend_points: tuple[float, float] = (5.0, 3.0)  # cap without / with a model; 1 per falling indicator


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    points: float
    text: str


@dataclass(frozen=True, slots=True)
class RiskScore:
    customer: str
    score: int
    grade: str
    days_beyond_terms: float  # the shrunk mean delay, the figure the dbt alert watches
    reasons: tuple[Reason, ...]
    exposure: Decimal = Decimal(0)
    credit_limit: Decimal | None = None
    currency: str = ""
    promises_broken: int = 0
    thin_history: bool = False

    def top_reasons(self, n: int = 3) -> list[str]:
        ranked = sorted((r for r in self.reasons if r.points > 0), key=lambda r: -r.points)
        texts = [r.text for r in ranked[:n]]
        return texts or [r.text for r in self.reasons if r.points == 0][:1]

    def reasons_shown(self) -> list[str]:
        """The top reasons plus every solvency reason: evidence from the accounts is always shown."""
        top = self.top_reasons()
        return top + [r.text for r in self.reasons if r.code.startswith("solvency") and r.text not in top]

    def as_dict(self) -> dict[str, object]:
        return {"customer": self.customer, "score": self.score, "grade": self.grade,
                "days_beyond_terms": round(self.days_beyond_terms, 1), "thin_history": self.thin_history,
                "exposure": str(self.exposure), "credit_limit": None if self.credit_limit is None
                else str(self.credit_limit), "currency": self.currency,
                "reasons": self.reasons_shown(),
                "components": {r.code: round(r.points, 1) for r in self.reasons}}


def grade_of(score: float) -> str:
    for grade, upper in GRADES:
        if score <= upper:
            return grade
    return "E"


def _ramp(value: float, full: float, cap: float) -> float:
    """0 at value ≤ 0, `cap` at value ≥ full, linear in between."""
    if full <= 0 or value <= 0:
        return 0.0
    return min(cap, cap * value / full)


def _mean(xs: Sequence[int]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def _std(xs: Sequence[int]) -> float:
    if len(xs) < 2:
        return 0.0
    m = _mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def _payment_reasons(inp: RiskInput, p: RiskParameters) -> tuple[list[Reason], float]:
    n = len(inp.delays)
    mean = (n * _mean(inp.delays) + p.shrink_k * p.prior_delay) / (n + p.shrink_k)
    reasons: list[Reason] = []
    if n == 0:
        text = f"no settled invoices yet: lateness assumed at the portfolio's {p.prior_delay:.0f} days"
    elif mean <= 0:
        text = f"pays on time: {-mean:.0f} days early on average over {n} settled items"
    else:
        text = f"pays {mean:.0f} days beyond terms on average ({n} settled items)"
    reasons.append(Reason("lateness", _ramp(mean, p.lateness_full, 30), text))
    if n >= RECENT_N + 2:
        recent, earlier = _mean(inp.delays[-RECENT_N:]), _mean(inp.delays[:-RECENT_N])
        change = recent - earlier
        if change > 0:
            reasons.append(Reason("trend", _ramp(change, p.trend_full, 10),
                                  f"getting slower: last {RECENT_N} payments {recent:.0f} days late vs "
                                  f"{earlier:.0f} before"))
    spread = _std(inp.delays)
    if spread > 5:
        reasons.append(Reason("dispersion", _ramp(spread - 5, p.dispersion_full, 5),
                              f"unpredictable: delays vary by ±{spread:.0f} days"))
    return reasons, mean


def _ledger_reasons(inp: RiskInput, p: RiskParameters) -> list[Reason]:
    cur = f" {inp.currency}" if inp.currency else ""
    reasons: list[Reason] = []
    if inp.overdue > 0:
        reasons.append(Reason("arrears", _ramp(inp.overdue_days_weighted, p.arrears_full, 30),
                              f"{format_grouped(inp.overdue, inp.currency)}{cur} overdue, on average {inp.overdue_days_weighted:.0f} days "
                              "past due"))
        if inp.exposure > 0 and inp.overdue_90 >= p.default_share * inp.exposure:
            reasons.append(Reason("default", 15.0, f"{format_grouped(inp.overdue_90, inp.currency)}{cur} more than 90 days past due "
                                                   f"({inp.overdue_90 / inp.exposure:.0%} of the exposure)"))
        quiet = inp.days_since_last_payment
        if quiet is None or quiet >= p.stopped_days:
            since = "has never paid" if quiet is None else f"no payment for {quiet} days"
            reasons.append(Reason("stopped", _ramp((quiet or 75) - 45, 30, 15), f"{since} while items are overdue"))
    if inp.credit_limit is not None and inp.credit_limit > 0:
        # a ratio of two money amounts: compared and ramped in Decimal, so 120 % of the limit is exactly the cap
        # (a float gave 9.999999999999998 points, which can round a score down); only the points are a float
        ratio = inp.exposure / inp.credit_limit
        if ratio > LIMIT_WATCH:
            reasons.append(Reason("limit", float(min(LIMIT_POINTS, LIMIT_POINTS * (ratio - LIMIT_WATCH) / LIMIT_RAMP)),
                                  f"exposure {format_grouped(inp.exposure, inp.currency)}{cur} is {ratio:.0%} of the credit limit "
                                  f"{format_grouped(inp.credit_limit, inp.currency)}{cur}"))
    if inp.promises_broken:
        pts = max(0.0, 5.0 * inp.promises_broken - 2.5 * inp.promises_kept)
        reasons.append(Reason("promises", min(10.0, pts),
                              f"broke {inp.promises_broken} promise(s) to pay (kept {inp.promises_kept})"))
    disputes = 0.0
    words: list[str] = []
    if inp.disputes_unfounded:
        disputes += 5.0 * inp.disputes_unfounded
        words.append(f"{inp.disputes_unfounded} dispute(s) resolved against the customer")
    if inp.disputed_open > 0 and inp.exposure > 0:
        share = inp.disputed_open / inp.exposure  # money over money: Decimal; the points below are a float
        disputes += float(5 * min(Decimal(1), share))
        words.append(f"{share:.0%} of the open amount disputed")
    if words:
        reasons.append(Reason("disputes", min(10.0, disputes), "; ".join(words)))
    return reasons


_ZONE_WORDS = {"distress": "distress zone, below 1.10", "grey": "grey zone, 1.10-2.60", "safe": "safe zone, above 2.60"}


def _solvency_reasons(s: SolvencyInput, p: RiskParameters) -> list[Reason]:
    """Altman zone, P(default) and falling indicators, each its own reason (at most 20 points together)."""
    has_pd = s.p_default is not None
    accounts = f"accounts {s.year}" if s.year is not None else "financial statements"
    reasons: list[Reason] = []
    if s.zone is not None:
        distress, grey = p.zone_points_with_pd if has_pd else p.zone_points
        pts = {"distress": distress, "grey": grey}.get(s.zone, 0.0)
        score = f" {s.z2:.2f}" if s.z2 is not None else ""
        text = f"{accounts}: Altman Z''{score} ({_ZONE_WORDS.get(s.zone, s.zone)})"
    else:
        pts, text = 0.0, f"{accounts} without a usable Altman Z'' (lines missing)"
    if not has_pd:
        text += f"; Altman only: {s.model_note or 'no bankruptcy model'}"
    reasons.append(Reason("solvency", pts, text))
    if s.p_default is not None:
        filled = f" ({s.model_features} model features from the accounts)" if s.model_features else ""
        reasons.append(Reason("solvency_pd", _ramp(s.p_default, p.pd_full, p.pd_points),
                              f"bankruptcy model: {s.p_default:.0%} probability of default within a year{filled}"))
    if s.worsened:
        cap = p.trend_points[1] if has_pd else p.trend_points[0]
        reasons.append(Reason("solvency_trend", min(cap, float(len(s.worsened))),
                              f"solvency indicators falling in the {accounts}: {', '.join(s.worsened[:4])}"
                              + (f" (+{len(s.worsened) - 4} more)" if len(s.worsened) > 4 else "")))
    return reasons


def score_customer(inp: RiskInput, params: RiskParameters | None = None) -> RiskScore:
    """The customer's risk score with every component's points and sentence."""
    p = params or RiskParameters()
    reasons, mean = _payment_reasons(inp, p)
    reasons += _ledger_reasons(inp, p)
    if inp.solvency is not None:
        reasons += _solvency_reasons(inp.solvency, p)
    total = min(100.0, sum(r.points for r in reasons))
    score = round(total)
    return RiskScore(inp.customer, score, grade_of(score), mean, tuple(reasons), inp.exposure, inp.credit_limit,
                     inp.currency, inp.promises_broken, len(inp.delays) < 3)


# --- alerts ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RiskThresholds:
    """When a score change raises an alert (the policy's ``risk`` section overrides these)."""

    score_jump: int = 15  # points of worsening since the previous score
    alert_grades: tuple[str, ...] = ("D", "E")  # entering one of these grades
    dbt_jump: float = 10.0  # days beyond terms gained since the previous score
    dbt_level: float = 30.0  # crossing this many days beyond terms
    limit_ratio: Decimal = Decimal(1)  # exposure above this share of the credit limit


@dataclass(frozen=True, slots=True)
class AlertDraft:
    kind: str  # score_worsened | dbt_worsened | over_limit | promise_broken
    key: str  # stable: one alert per event
    message: str
    recipients: tuple[str, ...] = field(default_factory=tuple)


def alerts(previous: RiskScore | None, current: RiskScore, as_of: dt.date, *,
           thresholds: RiskThresholds | None = None, recipients: tuple[str, ...] = (),
           new_broken_promises: Sequence[str] = ()) -> list[AlertDraft]:
    """Alerts for `current` given the customer's previous stored score (None = first score)."""
    t = thresholds or RiskThresholds()
    c, out = current.customer, []
    to = tuple(r for r in recipients if r)
    if previous is not None:
        entered = current.grade in t.alert_grades and current.grade > previous.grade
        if current.score - previous.score >= t.score_jump or entered:
            out.append(AlertDraft("score_worsened", f"score:{c}:{as_of}",
                                  f"{c}: risk score {previous.score} → {current.score} (grade {previous.grade} → "
                                  f"{current.grade}): {'; '.join(current.top_reasons(2))}", to))
        gained = current.days_beyond_terms - previous.days_beyond_terms
        crossed = previous.days_beyond_terms < t.dbt_level <= current.days_beyond_terms
        if gained >= t.dbt_jump or crossed:
            out.append(AlertDraft("dbt_worsened", f"dbt:{c}:{as_of}",
                                  f"{c}: days beyond terms {previous.days_beyond_terms:.0f} → "
                                  f"{current.days_beyond_terms:.0f}", to))
    elif current.grade in t.alert_grades:
        out.append(AlertDraft("score_worsened", f"score:{c}:{as_of}",
                              f"{c}: first risk score {current.score} (grade {current.grade}): "
                              f"{'; '.join(current.top_reasons(2))}", to))
    limit = current.credit_limit
    if limit is not None and limit > 0 and current.exposure > limit * t.limit_ratio:
        was_over = (previous is not None and previous.credit_limit is not None
                    and previous.exposure > previous.credit_limit * t.limit_ratio)
        if not was_over:
            out.append(AlertDraft("over_limit", f"limit:{c}:{as_of}",
                                  f"{c}: exposure {format_grouped(current.exposure, current.currency)} {current.currency} exceeds the credit "
                                  f"limit {format_grouped(limit, current.currency)}", to))
    for ref in new_broken_promises:
        out.append(AlertDraft("promise_broken", f"promise:{c}:{ref}", f"{c}: promise to pay {ref} was broken", to))
    return out
