"""Risk score, grade, reasons and alerts on hand-built customers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cobro.risk.domain.risk import RiskInput, RiskThresholds, SolvencyInput, alerts, grade_of, score_customer

D = Decimal
AS_OF = dt.date(2026, 6, 30)


def test_punctual_customer_scores_a_with_its_reason() -> None:
    s = score_customer(RiskInput("P", delays=[-2, 0, 1, -1, 0, 2, -3, 0], exposure=D(1000), credit_limit=D(5000),
                                 days_since_last_payment=10))
    assert s.grade == "A" and s.score <= 5
    assert s.top_reasons() == ["pays 2 days beyond terms on average (8 settled items)"]  # (8·−0.4 + 3·10)/11


def test_chronic_late_payer_is_flagged_by_lateness() -> None:
    s = score_customer(RiskInput("L", delays=[55, 60, 48, 62, 58, 50, 57, 61], exposure=D(4000), overdue=D(2000),
                                 overdue_days_weighted=30, days_since_last_payment=20))
    assert s.grade in ("B", "C")
    # mean 56.4 d over 8 items, shrunk toward the 10-day prior with k = 3: (8·56.4 + 3·10) / 11 = 43.7
    assert s.top_reasons()[0] == "pays 44 days beyond terms on average (8 settled items)"
    assert {r.code: r.points for r in s.reasons}["lateness"] == pytest.approx(43.73 / 60 * 30, abs=0.01)


def test_stopped_payer_in_default_is_graded_worst() -> None:
    s = score_customer(RiskInput("I", delays=[10, 15, 20, 25, 30, 40, 50], exposure=D(30000), overdue=D(30000),
                                 overdue_days_weighted=200, overdue_90=D(30000), days_since_last_payment=250))
    assert s.grade in ("D", "E") and s.score >= 70
    reasons = s.top_reasons(3)
    assert "30,000.00 overdue, on average 200 days past due" in reasons[0]
    assert any("more than 90 days past due (100% of the exposure)" in r for r in reasons)
    assert any("no payment for 250 days" in r for r in reasons)


def test_limit_promises_disputes_and_solvency_have_their_own_reasons() -> None:
    s = score_customer(RiskInput("X", delays=[5] * 10, exposure=D(12000), credit_limit=D(10000), currency="EUR",
                                 promises_broken=2, disputes_unfounded=1, days_since_last_payment=5,
                                 solvency=SolvencyInput(z2=0.4, zone="distress", worsened=("current_ratio",))))
    parts = {r.code: r for r in s.reasons}
    assert parts["limit"].points == pytest.approx(10.0) and "120% of the credit limit" in parts["limit"].text
    assert parts["promises"].points == 10.0 and parts["promises"].text == "broke 2 promise(s) to pay (kept 0)"
    assert parts["disputes"].text == "1 dispute(s) resolved against the customer"
    assert parts["solvency"].points == 15.0 and "distress zone" in parts["solvency"].text
    assert "Altman only" in parts["solvency"].text
    assert parts["solvency_trend"].points == 1.0 and "current_ratio" in parts["solvency_trend"].text


def test_solvency_with_a_model_probability_is_three_reasons_within_20_points() -> None:
    sol = SolvencyInput(p_default=0.35, z2=0.4, zone="distress", year=2025, model_features="20/64",
                        worsened=("current ratio 1.40 → 0.80", "ROA 2.0% → -6.0%", "equity -40%", "sales -20%"))
    s = score_customer(RiskInput("X", delays=[0] * 10, days_since_last_payment=5, solvency=sol))
    parts = {r.code: r for r in s.reasons}
    assert parts["solvency_pd"].points == 12.0 and "35% probability of default" in parts["solvency_pd"].text
    assert parts["solvency"].points == 5.0 and "accounts 2025: Altman Z'' 0.40" in parts["solvency"].text
    assert parts["solvency_trend"].points == 3.0 and "current ratio 1.40 → 0.80" in parts["solvency_trend"].text
    assert sum(r.points for r in s.reasons if r.code.startswith("solvency")) == 20.0
    assert all(r.text in s.as_dict()["reasons"] for r in s.reasons if r.code.startswith("solvency"))  # type: ignore[operator]


def test_thin_history_is_shrunk_to_the_portfolio_prior() -> None:
    s = score_customer(RiskInput("N", delays=[], days_since_last_payment=None))
    assert s.thin_history and s.days_beyond_terms == 10.0
    assert s.reasons[0].text.startswith("no settled invoices yet")


def test_grades() -> None:
    assert [grade_of(x) for x in (0, 20, 21, 40, 60, 61, 80, 81, 100)] == ["A", "A", "B", "B", "C", "D", "D", "E", "E"]


def test_alerts_on_worsening_limit_and_broken_promise() -> None:
    before = score_customer(RiskInput("C", delays=[0] * 8, exposure=D(100), credit_limit=D(1000),
                                      days_since_last_payment=5))
    after = score_customer(RiskInput("C", delays=[0] * 4 + [40] * 5, exposure=D(1500), credit_limit=D(1000),
                                     overdue=D(1500), overdue_days_weighted=60, days_since_last_payment=5))
    out = alerts(before, after, AS_OF, recipients=("ana", "luis"), new_broken_promises=["#3"])
    kinds = {a.kind: a for a in out}
    assert set(kinds) == {"score_worsened", "dbt_worsened", "over_limit", "promise_broken"}
    assert kinds["score_worsened"].recipients == ("ana", "luis")
    assert kinds["promise_broken"].key == "promise:C:#3"
    assert "exceeds the credit limit 1,000.00" in kinds["over_limit"].message
    # a higher threshold silences the score alert; staying over the limit does not re-alert
    quiet = alerts(before, after, AS_OF, thresholds=RiskThresholds(score_jump=90, alert_grades=()))
    assert "score_worsened" not in {a.kind for a in quiet}
    assert not [a for a in alerts(after, after, AS_OF) if a.kind == "over_limit"]


def test_limit_ratio_is_exact_money_arithmetic() -> None:
    # 120 % of the limit is the cap exactly: 1.5 lateness points (7 on-time payments shrunk toward 10 days) plus
    # 10 limit points is 11.5, which rounds to 12; the float ratio gave 9.999999999999996 points and a score of 11
    s = score_customer(RiskInput("L", delays=[0] * 7, exposure=D(120), credit_limit=D(100), currency="EUR"))
    parts = {r.code: r for r in s.reasons}
    assert parts["limit"].points == 10.0 and parts["lateness"].points == 1.5
    assert s.score == 12
    # 80 % exactly is not above the watch line; a cent more is
    assert "limit" not in {r.code for r in score_customer(RiskInput("L", exposure=D("800.00"),
                                                                    credit_limit=D(1000))).reasons}
    assert "limit" in {r.code for r in score_customer(RiskInput("L", exposure=D("800.01"),
                                                                credit_limit=D(1000))).reasons}
