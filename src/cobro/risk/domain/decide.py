"""Does acting make sense?  Expected value of each collection option for one delinquent case, and the best one.

For an option ``a`` (docs/decisions.md §3):

    p_base = collectability(days past due) × risk factor(score) × class factor(classification)
    p_a    = p_base + (1 − p_base) × uplift_a(nature) × ½^(times a was already tried)
    EV_a   = p_a × (overdue + interest_share_a × claimable) × DF(t_a) × (1 − fee_a)
             − staff minutes_a × hourly cost − out-of-pocket_a − cost_rate_a × overdue − holding × t_a / 30
    DF(t)  = (1 + cost of funds)^(−t / 365)

``wait`` is the option with no uplift and no staff cost; ``write_off`` stops every cost and collects nothing
(EV = 0 unless `write_off_relief` is set, e.g. a VAT refund on bad debts).  The recommendation is the option with
the highest EV (ties: the cheaper one); its `value_vs_wait` is the loss avoided by acting, what the collector
worklist ranks by.  Costs in `DecisionParameters` are in the base currency (EUR) and converted with `fx_to_base`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal
from types import MappingProxyType

from cobro.kernel.money import format_grouped, quantum

D = Decimal
ONE = D(1)
ZERO = D(0)


def _m(**kw: str) -> Mapping[str, Decimal]:
    return MappingProxyType({k: D(v) for k, v in kw.items()})


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One option.  `uplift` by nature: the share of the not-yet-recoverable probability the action wins back."""

    name: str
    minutes: int  # collector time
    days: int  # expected days until the cash arrives when it works
    uplift: Mapping[str, Decimal]
    out_of_pocket: Decimal = ZERO  # base currency: court fee, expected lawyer cost, postage
    cost_rate: Decimal = ZERO  # share of the overdue amount (variable court fee)
    fee_rate: Decimal = ZERO  # share of what is collected (agency contingency fee)
    interest_share: Decimal = ZERO  # share of the claimable interest + compensation actually collected
    label: str = ""


# Assumptions, not measurements: see docs/decisions.md §3 for where each number comes from.
DEFAULT_ACTIONS: Mapping[str, ActionSpec] = MappingProxyType({
    "wait": ActionSpec("wait", 0, 90, _m(liquidity="0", unwillingness="0", dispute="0", unknown="0"),
                       label="wait and watch"),
    "remind": ActionSpec("remind", 3, 30, _m(liquidity="0.03", unwillingness="0.10", dispute="0.02",
                                             unknown="0.08"), label="send a reminder"),
    "call": ActionSpec("call", 12, 21, _m(liquidity="0.08", unwillingness="0.20", dispute="0.20", unknown="0.15"),
                       label="call the customer"),
    "payment_plan": ActionSpec("payment_plan", 45, 120, _m(liquidity="0.35", unwillingness="0.05",
                                                           dispute="0.10", unknown="0.15"),
                               interest_share=D("0.5"), label="negotiate a payment plan"),
    "agency": ActionSpec("agency", 60, 90, _m(liquidity="0.15", unwillingness="0.40", dispute="0.05",
                                              unknown="0.30"),
                         fee_rate=D("0.15"), interest_share=D("0.5"), label="external collection mandate"),
    "monitorio": ActionSpec("monitorio", 180, 180, _m(liquidity="0.05", unwillingness="0.50", dispute="0.10",
                                                      unknown="0.35"),
                            out_of_pocket=D("350"), cost_rate=D("0.005"), interest_share=ONE,
                            label="court order for payment (proceso monitorio)"),
})

# Share of overdue receivables eventually collected by age (days past due): the figures commonly attributed to
# the US Department of Commerce / Commercial Collection Agency Association.  A rough prior: replace with yours.
DEFAULT_COLLECTABILITY: tuple[tuple[int, Decimal], ...] = (
    (0, D("0.97")), (30, D("0.93")), (60, D("0.899")), (90, D("0.696")), (180, D("0.521")), (365, D("0.228")),
    (730, D("0.136")), (1095, D("0.116")))

# Where the classification says more than its nature: a customer that stopped paying has no cash flow to fund a
# plan, and escalating early gets ahead of the other creditors; failing accounts rarely honour a plan either, and
# once insolvency proceedings open the claim is frozen, so the same race applies.
DEFAULT_LABEL_UPLIFT: Mapping[str, Mapping[str, Decimal]] = MappingProxyType({
    "stopped_paying": _m(payment_plan="0.10", agency="0.20"),
    "solvency_falling": _m(payment_plan="0.10", agency="0.20"),
})

DEFAULT_CLASS_FACTOR: Mapping[str, Decimal] = _m(
    stopped_paying="0.4", solvency_falling="0.5", broken_promises="0.8", unfounded_disputes="0.8",
    pays_others="0.9", open_dispute="0.9", deteriorating="0.9", partial_in_contact="1", chronic_slow="1.05", too_little_history="1",
    unclear="1")

# Units of each currency per 1 EUR, rough (2025); only to price EUR costs in the case currency and to rank.
DEFAULT_FX: Mapping[str, Decimal] = _m(EUR="1", USD="1.1", GBP="0.85", MXN="19", CLP="1000", COP="4400",
                                       PEN="4.1")


@dataclass(frozen=True, slots=True)
class DecisionParameters:
    """Economic parameters (the policy's ``decision`` section overrides any of them)."""

    cost_of_funds: Decimal = Decimal("0.06")  # a year; as in domain.costs.CostParameters
    hourly_cost: Decimal = Decimal("35")  # loaded cost of a collector hour, base currency
    holding_cost_month: Decimal = Decimal("5")  # monitoring, statements, provision review per month a case stays open
    write_off_relief: Decimal = ZERO  # share of the overdue amount recovered by writing off (tax/VAT relief)
    stalled_wait_days: int = 180  # a customer that stopped paying does not resume soon
    base_currency: str = "EUR"
    actions: Mapping[str, ActionSpec] = field(default_factory=lambda: DEFAULT_ACTIONS)
    collectability: tuple[tuple[int, Decimal], ...] = DEFAULT_COLLECTABILITY
    class_factor: Mapping[str, Decimal] = field(default_factory=lambda: DEFAULT_CLASS_FACTOR)
    label_uplift: Mapping[str, Mapping[str, Decimal]] = field(default_factory=lambda: DEFAULT_LABEL_UPLIFT)
    fx_to_base: Mapping[str, Decimal] = field(default_factory=lambda: DEFAULT_FX)


@dataclass(frozen=True, slots=True)
class Case:
    customer: str
    currency: str
    overdue: Decimal
    days_past_due: float  # amount-weighted
    claimable: Decimal = ZERO  # statutory interest + fixed compensation to date (domain.interest)
    risk_score: int = 50
    label: str = "unclear"  # classification label
    nature: str = "unknown"
    expected_wait_days: float | None = None  # model: expected days until paid if nothing is done
    tried: Mapping[str, int] = field(default_factory=dict)  # action → times already done in this episode


@dataclass(frozen=True, slots=True)
class OptionValue:
    action: str
    probability: Decimal
    days: int
    gross: Decimal  # discounted expected collection
    fees: Decimal
    costs: Decimal
    value: Decimal  # EV
    minutes: int


@dataclass(frozen=True, slots=True)
class Recommendation:
    customer: str
    currency: str
    action: str
    value: Decimal
    value_vs_wait: Decimal
    minutes: int
    options: tuple[OptionValue, ...]
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        q = quantum(self.currency) if self.currency else D("0.01")  # on the currency's grid: no cents in CLP
        return {"customer": self.customer, "currency": self.currency, "action": self.action,
                "expected_value": str(self.value.quantize(q)), "value_vs_wait": str(self.value_vs_wait.quantize(q)),
                "minutes": self.minutes, "reasons": list(self.reasons),
                "options": [{"action": o.action, "probability": str(o.probability.quantize(D("0.001"))),
                             "days": o.days, "gross": str(o.gross.quantize(q)), "fees": str(o.fees.quantize(q)),
                             "costs": str(o.costs.quantize(q)), "expected_value": str(o.value.quantize(q))}
                            for o in self.options]}


def collectability(days: float, table: tuple[tuple[int, Decimal], ...] = DEFAULT_COLLECTABILITY) -> Decimal:
    """Linear interpolation in the age table (flat beyond its ends)."""
    x = D(str(max(0.0, days)))
    if x <= table[0][0]:
        return table[0][1]
    for (d0, p0), (d1, p1) in itertools.pairwise(table):
        if x <= d1:
            return p0 + (p1 - p0) * (x - d0) / (d1 - d0)
    return table[-1][1]


def risk_factor(score: int) -> Decimal:
    """1.15 at score 0 (capped at 1), 0.55 at score 100: a worse behavioural score collects less."""
    return min(ONE, D("1.15") - D("0.6") * D(max(0, min(100, score))) / 100)


def base_probability(case: Case, p: DecisionParameters) -> Decimal:
    prob = (collectability(case.days_past_due, p.collectability) * risk_factor(case.risk_score)
            * p.class_factor.get(case.label, ONE))
    return max(D("0.01"), min(D("0.99"), prob))


_EXACT = Context(prec=28, rounding=ROUND_HALF_EVEN)  # not the caller's context: results must not depend on it


def _discount(days: int, rate: Decimal) -> Decimal:
    """DF(t) = (1 + rate)^(−t/365), in Decimal to 28 digits (a float power carried ~16 and went through str)."""
    return _EXACT.power(ONE + rate, _EXACT.divide(D(-days), D(365)))


def evaluate(case: Case, params: DecisionParameters | None = None) -> list[OptionValue]:
    """Every option's EV in the case currency (write_off included)."""
    p = params or DecisionParameters()
    fx = p.fx_to_base.get(case.currency.upper(), ONE)
    hourly = p.hourly_cost * fx
    holding = p.holding_cost_month * fx
    p0 = base_probability(case, p)
    out: list[OptionValue] = []
    for spec in p.actions.values():
        days = spec.days
        if spec.name == "wait":
            days = round(case.expected_wait_days) if case.expected_wait_days is not None else spec.days
            if case.label in ("stopped_paying", "solvency_falling"):
                days = max(days, p.stalled_wait_days)
            days = max(days, 7)
        uplift = spec.uplift.get(case.nature, spec.uplift.get("unknown", ZERO))
        uplift = p.label_uplift.get(case.label, {}).get(spec.name, uplift)
        uplift *= D("0.5") ** case.tried.get(spec.name, 0)  # diminishing returns of repeating an action
        prob = p0 + (ONE - p0) * uplift
        collected = case.overdue + spec.interest_share * case.claimable
        gross = prob * collected * _discount(days, p.cost_of_funds)
        fees = gross * spec.fee_rate
        costs = (D(spec.minutes) * hourly / 60 + spec.out_of_pocket * fx + spec.cost_rate * case.overdue
                 + holding * D(days) / 30)
        out.append(OptionValue(spec.name, prob, days, gross, fees, costs, gross - fees - costs, spec.minutes))
    relief = p.write_off_relief * case.overdue
    out.append(OptionValue("write_off", ZERO, 0, relief, ZERO, ZERO, relief, 5))
    return out


def _money(x: Decimal, cur: str) -> str:
    return f"{x:,.0f} {cur}"


def recommend(case: Case, params: DecisionParameters | None = None) -> Recommendation:
    """The option with the highest EV, with the numbers and reasons a collector can read."""
    p = params or DecisionParameters()
    options = evaluate(case, p)
    ranked = sorted(options, key=lambda o: (-o.value, o.costs, o.minutes))
    best, wait = ranked[0], next(o for o in options if o.action == "wait")
    cur = case.currency
    labels = {k: v.label for k, v in p.actions.items()} | {"write_off": "write off"}
    reasons = [(f"{format_grouped(case.overdue, cur)} {cur} overdue, {case.days_past_due:.0f} days on average; classified "
                f"{case.label.replace('_', ' ')} ({case.nature}); risk score {case.risk_score}")]
    if best.action == "write_off":
        reasons.append(f"no option pays for itself: waiting is worth {_money(wait.value, cur)} "
                       f"(p {wait.probability:.0%}, costs {_money(wait.costs, cur)}), the best action "
                       f"{ranked[1].action} {_money(ranked[1].value, cur)}")
    else:
        reasons.append(f"{labels.get(best.action, best.action)}: expected {_money(best.value, cur)} "
                       f"(p {best.probability:.0%} in ~{best.days} days, fees {_money(best.fees, cur)}, "
                       f"costs {_money(best.costs, cur)})")
        if best.action != "wait":
            reasons.append(f"vs waiting {_money(wait.value, cur)} (p {wait.probability:.0%} in ~{wait.days} days): "
                           f"+{_money(best.value - wait.value, cur)}")
    runner = ranked[1] if ranked[1].action != best.action else ranked[2]
    reasons.append(f"next best: {labels.get(runner.action, runner.action)} {_money(runner.value, cur)}")
    if case.claimable > 0:
        reasons.append(f"claimable late interest and compensation: {format_grouped(case.claimable, cur)} {cur}")
    return Recommendation(case.customer, cur, best.action, best.value, best.value - wait.value, best.minutes,
                          tuple(options), tuple(reasons))
