"""Expected value of the collection options: hand-built cases, asserting the action and the reasons."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from cobro.risk.domain.decide import (
    Case,
    DecisionParameters,
    collectability,
    evaluate,
    recommend,
    risk_factor,
)
from cobro.risk.service.tuning import from_yaml

D = Decimal


def test_collectability_interpolates_the_age_table() -> None:
    assert collectability(0) == D("0.97")
    assert collectability(90) == D("0.696")
    assert collectability(135) == (D("0.696") + D("0.521")) / 2
    assert collectability(5000) == D("0.116")
    assert risk_factor(0) == 1 and risk_factor(100) == D("0.55")


def test_stopped_payer_with_a_large_debt_goes_to_an_agency() -> None:
    r = recommend(Case("I", "EUR", D(20000), 150, D(500), 80, "stopped_paying", "liquidity"))
    assert r.action == "agency"
    assert r.reasons[0] == ("20,000.00 EUR overdue, 150 days on average; classified stopped paying (liquidity); "
                            "risk score 80")
    assert r.reasons[1].startswith("external collection mandate: expected ")
    assert r.reasons[2].startswith("vs waiting ") and "in ~180 days" in r.reasons[2]
    assert r.value_vs_wait > 0


def test_zero_decimal_currency_has_no_cents_in_reasons_or_amounts() -> None:
    r = recommend(Case("C", "CLP", D(20000000), 150, D(500000), 80, "stopped_paying", "liquidity"))
    assert r.reasons[0].startswith("20,000,000 CLP overdue, 150 days on average")
    out = r.as_dict()
    amounts = [str(out["expected_value"]), str(out["value_vs_wait"])]
    amounts += [str(o[k]) for o in out["options"] for k in ("gross", "fees", "costs", "expected_value")]  # type: ignore[attr-defined]
    assert all(D(a).as_tuple().exponent == 0 for a in amounts), amounts


def test_small_old_debt_of_a_stopped_payer_is_written_off() -> None:
    r = recommend(Case("I", "EUR", D(60), 400, D(0), 90, "stopped_paying", "liquidity"))
    assert r.action == "write_off"
    assert r.reasons[1].startswith("no option pays for itself: waiting is worth ")


def test_chronic_late_payer_gets_a_call() -> None:
    r = recommend(Case("L", "EUR", D(3000), 40, D(30), 45, "chronic_slow", "unwillingness", expected_wait_days=30))
    assert r.action == "call"
    assert r.reasons[1].startswith("call the customer: expected 2,6")
    assert "p 88% in ~21 days" in r.reasons[1]


def test_unwilling_payer_with_broken_promises_goes_to_court() -> None:
    r = recommend(Case("B", "EUR", D(8000), 100, D(100), 60, "broken_promises", "unwillingness"))
    assert r.action == "monitorio"
    assert r.reasons[1].startswith("court order for payment (proceso monitorio): expected")
    assert r.reasons[-1] == "claimable late interest and compensation: 100.00 EUR"


def test_partial_payer_gets_a_plan_and_costs_are_converted_to_the_case_currency() -> None:
    r = recommend(Case("P", "CLP", D(3000000), 100, D(0), 60, "partial_in_contact", "liquidity"))
    assert r.action == "payment_plan"
    plan = next(o for o in r.options if o.action == "payment_plan")
    # 45 minutes at EUR 35/h plus 4 months of EUR 5 holding, in CLP at 1,000 per EUR
    assert plan.costs == D(45) * D(35) * 1000 / 60 + D(5) * 1000 * D(120) / 30


def test_repeating_an_action_halves_its_uplift() -> None:
    fresh = {o.action: o for o in evaluate(Case("R", "EUR", D(1000), 30, risk_score=40, nature="unwillingness"))}
    again = {o.action: o for o in evaluate(Case("R", "EUR", D(1000), 30, risk_score=40, nature="unwillingness",
                                                tried={"remind": 3}))}
    assert again["remind"].probability < fresh["remind"].probability
    assert again["call"].probability == fresh["call"].probability


def test_policy_decision_section_overrides_fees() -> None:
    _, params = from_yaml("decision:\n  actions:\n    agency: {fee_rate: 0.60}\n  hourly_cost: 50\n")
    assert params.actions["agency"].fee_rate == D("0.60") and params.hourly_cost == D(50)
    case = Case("I", "EUR", D(20000), 150, D(500), 80, "stopped_paying", "liquidity")
    assert recommend(case, params).action != "agency"  # a 60 % fee no longer pays
    assert recommend(case, dataclasses.replace(params, actions=DecisionParameters().actions)).action == "agency"


def test_discount_factor_is_decimal_to_28_digits() -> None:
    from decimal import Context

    from cobro.risk.domain.decide import _discount

    exact = Context(prec=28)
    # a year at 6 % is 1/1.06 and two years 1/1.06², to every one of 28 digits (a float power kept ~16)
    assert _discount(365, D("0.06")) == exact.divide(1, D("1.06"))
    assert _discount(730, D("0.06")) == exact.divide(1, exact.multiply(D("1.06"), D("1.06")))
    assert _discount(0, D("0.06")) == 1
    # the caller's decimal context does not change it
    from decimal import localcontext

    with localcontext() as ctx:
        ctx.prec = 6
        assert _discount(365, D("0.06")) == exact.divide(1, D("1.06"))
