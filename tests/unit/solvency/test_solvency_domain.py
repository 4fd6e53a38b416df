"""Ratios, Altman Z'' and trend (cobro.solvency.domain)."""

from __future__ import annotations

import pytest

from cobro.solvency.domain import FinancialStatement, Zone, altman_z2, ratios, trend, worsened_latest, z2_zone

HEALTHY = FinancialStatement(
    year=2023, total_assets=1000, current_assets=500, current_liabilities=300, total_liabilities=600,
    equity=400, retained_earnings=200, ebit=100, sales=2000, net_income=60, inventory=100, receivables=250,
    cash=50, interest_expense=20, cost_of_sales=1460, payables=200,
)


def test_altman_z2_hand_computed_safe() -> None:
    z = altman_z2(HEALTHY)
    # X1 = 200/1000, X2 = 200/1000, X3 = 100/1000, X4 = 400/600
    assert z.x1 == pytest.approx(0.2)
    assert z.x2 == pytest.approx(0.2)
    assert z.x3 == pytest.approx(0.1)
    assert z.x4 == pytest.approx(2 / 3)
    # 6.56·0.2 + 3.26·0.2 + 6.72·0.1 + 1.05·0.6667 = 1.312 + 0.652 + 0.672 + 0.7 = 3.336
    assert z.score == pytest.approx(3.336)
    assert z.zone is Zone.SAFE


def test_altman_z2_distress_and_zone_edges() -> None:
    stmt = FinancialStatement(total_assets=1000, current_assets=200, current_liabilities=400,
                              total_liabilities=900, equity=100, retained_earnings=-100, ebit=-50)
    z = altman_z2(stmt)
    # −1.312 − 0.326 − 0.336 + 1.05/9
    assert z.score == pytest.approx(-1.974 + 1.05 / 9)
    assert z.zone is Zone.DISTRESS
    assert z2_zone(1.10) is Zone.GREY
    assert z2_zone(2.60) is Zone.GREY
    assert z2_zone(1.0999) is Zone.DISTRESS
    assert z2_zone(2.6001) is Zone.SAFE


def test_altman_missing_inputs_are_named() -> None:
    z = altman_z2(FinancialStatement(total_assets=1000, current_assets=500, current_liabilities=300))
    assert z.score is None and z.zone is None
    assert "retained_earnings" in z.missing and "ebit" in z.missing


def test_ratios_healthy() -> None:
    r = ratios(HEALTHY)
    assert r.current_ratio == pytest.approx(500 / 300)
    assert r.quick_ratio == pytest.approx(400 / 300)
    assert r.cash_ratio == pytest.approx(50 / 300)
    assert r.debt_to_assets == pytest.approx(0.6)
    assert r.debt_to_equity == pytest.approx(1.5)
    assert r.interest_coverage == pytest.approx(5.0)
    assert r.roa == pytest.approx(0.06)
    assert r.roe == pytest.approx(0.15)
    assert r.ebit_margin == pytest.approx(0.05)
    assert r.dso == pytest.approx(250 * 365 / 2000)
    assert r.dio == pytest.approx(25.0)
    assert r.dpo == pytest.approx(50.0)
    assert r.cash_conversion_cycle == pytest.approx(250 * 365 / 2000 + 25 - 50)


def test_ratios_missing_or_zero_denominators_are_none() -> None:
    r = ratios(FinancialStatement(current_assets=100, current_liabilities=0, net_income=5, equity=-10,
                                  ebit=10, interest_expense=0, receivables=10))
    assert r.current_ratio is None  # zero denominator
    assert r.quick_ratio is None  # inventory missing
    assert r.interest_coverage is None
    assert r.roe is None and r.negative_equity
    assert r.dso is None  # no sales
    assert r.roa is None
    assert r.cash_conversion_cycle is None


def test_derived_lines_from_identities() -> None:
    r = ratios(FinancialStatement(total_assets=1000, equity=250, current_liabilities=300,
                                  non_current_liabilities=450))
    assert r.debt_to_assets == pytest.approx(0.75)


def test_trend_reports_what_fell() -> None:
    worse = FinancialStatement(
        year=2024, total_assets=1000, current_assets=400, current_liabilities=380, total_liabilities=800,
        equity=200, retained_earnings=50, ebit=10, sales=1800, net_income=-20, inventory=120,
        receivables=300, cash=10, interest_expense=25, cost_of_sales=1400, payables=300,
    )
    changes = trend([worse, HEALTHY])  # order does not matter
    assert {c.year_from for c in changes} == {2023}
    fell = {c.indicator for c in worsened_latest([HEALTHY, worse])}
    assert {"current_ratio", "altman_z2", "debt_to_assets", "roa", "dso", "interest_coverage"} <= fell
    assert trend([HEALTHY]) == []
