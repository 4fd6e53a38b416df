"""The report services on a FakeUnitOfWork: the formulas and the shape of the results over given aggregates (the
SQL that builds those aggregates, as of any date, runs in tests/integration/reporting on both databases)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from cobro.kernel.errors import InvalidInputError
from cobro.kernel.money import Money
from cobro.reporting import service as reporting
from cobro.reporting.domain.aging import parse_bucket_spec
from cobro.reporting.domain.costs import CostParameters
from cobro.reporting.repository import REPORTS, AgeingRows, KpiRows, MonthRow, OpenInvoice, OpenTotals
from cobro.reporting.schemas import AgeBasis, Ageing, Breakdown, CostBy
from tests.fakes import FakeUnitOfWork, InMemoryReportsRepository

AS_OF = dt.date(2025, 5, 1)


def _uow(repo: InMemoryReportsRepository) -> FakeUnitOfWork:
    return FakeUnitOfWork({REPORTS: repo})


def _ageing_rows() -> AgeingRows:
    rows = AgeingRows()
    rows.buckets["EUR"] = {0: (9_990, 1), 1: (1_210_000, 1), 2: (123_456, 1), 5: (50_000, 1)}
    rows.buckets["CLP"] = {3: (1_802_447, 2)}
    rows.groups["EUR"]["C002"] = {0: (9_990, 1), 5: (50_000, 1)}
    rows.groups["EUR"]["C001"] = {1: (1_210_000, 1), 2: (123_456, 1)}
    rows.credit_notes = {"EUR": (2_000, 1)}
    rows.unapplied_cash = {"EUR": (500, 1), "USD": (1_000, 1)}
    return rows


def test_ageing_is_a_frozen_value_carrying_money_with_credits_apart() -> None:
    report = reporting.ageing_report(_uow(InMemoryReportsRepository(_ageing_rows())), AS_OF, parse_bucket_spec(),
                                     "customer")
    assert isinstance(report, Ageing) and (report.basis, report.by) == (AgeBasis.DUE, Breakdown.CUSTOMER)
    assert [c.currency for c in report.currencies] == ["CLP", "EUR", "USD"]  # cash alone makes a currency
    eur = report.currencies[1]
    assert eur.total == Money.of("13934.46", "EUR") == sum((b.amount for b in eur.buckets), Money.zero("EUR"))
    assert (eur.count, eur.credit_notes, eur.unapplied_cash) == (4, Money.of("-20", "EUR"), Money.of("-5", "EUR"))
    assert eur.net == Money.of("13909.46", "EUR")
    assert eur.groups is not None and [g.key for g in eur.groups] == ["C001", "C002"]  # the largest first
    assert report.currencies[0].buckets[3].amount == Money.from_minor(1_802_447, "CLP")
    with pytest.raises(dataclasses.FrozenInstanceError):
        eur.net = Money.zero("EUR")  # type: ignore[misc]
    shown = report.as_json()
    assert list(shown) == ["as_of", "basis", "currency", "by"]  # `by` after the currencies, as always printed
    assert shown["currency"]["CLP"]["buckets"][3] == {"label": "61–90", "from": 61, "to": 90, "amount": "1802447",
                                                      "count": 2}
    assert shown["currency"]["EUR"]["groups"][0]["total"] == "13334.56"


def test_ageing_without_a_breakdown_has_no_groups() -> None:
    report = reporting.ageing_report(_uow(InMemoryReportsRepository(_ageing_rows())), AS_OF, parse_bucket_spec())
    assert report.by is None and all(c.groups is None for c in report.currencies)
    assert "by" not in report.as_json() and "groups" not in report.as_json()["currency"]["EUR"]


def _kpi_rows(open_end: int = 300_000) -> dict[str, KpiRows]:
    month = MonthRow("2025-04", sales=900_000, sales_in_window=900_000, open_end=open_end, open_begin=0,
                     open_x_age=open_end * 20)
    return {"EUR": KpiRows([month], OpenTotals(open_end=open_end, open_count=3, open_current=120_000,
                                               open_over_90=0, past_due_x_days=180_000 * 15, past_due=180_000))}


def test_kpis_from_the_aggregates() -> None:
    repo = InMemoryReportsRepository(kpis={AS_OF: _kpi_rows()})
    report = reporting.kpi_report(_uow(repo), AS_OF, 90)
    eur = report.currencies[0]
    assert eur.sales == Money.of("9000", "EUR") and eur.ar_end == Money.of("3000", "EUR")
    assert eur.dso == Decimal(30) and eur.bpdso == Decimal(12) and eur.add == Decimal(18)  # 3000/9000×90, 1200/…
    assert eur.add_direct == Decimal(15) and eur.avg_days_to_pay is None  # no payments in the window
    assert eur.percent_current == Decimal(40) and report.trend is None
    assert report.as_json()["currency"]["EUR"]["dso"] == "30.0" and "trend" not in report.as_json()


def test_the_kpi_trend_is_computed_at_each_month_end() -> None:
    ends = [dt.date(2025, 2, 28), dt.date(2025, 3, 31), dt.date(2025, 4, 30)]
    repo = InMemoryReportsRepository(kpis={AS_OF: _kpi_rows(), **{e: _kpi_rows(100_000) for e in ends}})
    report = reporting.kpi_report(_uow(repo), AS_OF, 90, trend_months=3)
    assert report.trend is not None and [t.month_end for t in report.trend] == ends
    assert [t.currencies[0].as_json()["dso"] for t in report.trend] == ["10.0"] * 3  # 1000/9000 × 90
    assert [day for query, day in repo.asked if query == "kpi_months"] == [AS_OF, *ends]


def test_the_window_is_checked_before_anything_is_read() -> None:
    repo = InMemoryReportsRepository()
    with pytest.raises(InvalidInputError, match="positive"):
        reporting.kpi_report(_uow(repo), AS_OF, 0)
    assert repo.asked == []


def _snap(not_due: int, d30: int, d60: int, d90: int, d120: int, over: int, flow: int) -> dict[str, tuple[list[int], int]]:
    return {"EUR": ([not_due, d30, d60, d90, d120, over], flow)}


def test_provision_matrix_from_month_end_snapshots() -> None:
    ends = [dt.date(2025, 2, 28), dt.date(2025, 3, 31), dt.date(2025, 4, 30)]
    rows = AgeingRows()
    rows.buckets["EUR"] = {0: (1_000_000, 5), 1: (400_000, 2), 2: (200_000, 1), 5: (100_000, 1)}
    repo = InMemoryReportsRepository(rows, first=dt.date(2025, 1, 10), snapshots={
        ends[0]: _snap(1_000_000, 500_000, 200_000, 100_000, 50_000, 0, 0),
        ends[1]: _snap(1_100_000, 400_000, 250_000, 100_000, 50_000, 0, 20_000),
        ends[2]: _snap(900_000, 450_000, 200_000, 120_000, 60_000, 0, 25_000)})
    report = reporting.provision_report(_uow(repo), AS_OF, months=2)
    assert report.snapshots == tuple(ends)
    eur = report.currencies[0]
    assert eur.note is None and [ln.bucket for ln in eur.lines][-1] == ">120"
    assert sum((ln.balance for ln in eur.lines), Money.zero("EUR")) == eur.total_balance == Money.of("17000", "EUR")
    assert eur.lines[-1].ecl == Money.of("900", "EUR")  # the defaulted bucket at LGD 0.9
    assert eur.total_ecl is not None and eur.coverage is not None  # ECL / balance, unrounded
    assert abs(eur.coverage - eur.total_ecl.amount / eur.total_balance.amount) < Decimal("0.000001")
    assert [r.to_bucket for r in eur.roll_rates][-1] == "written off"
    assert report.as_json()["currency"]["EUR"]["lines"][-1]["rate"] == "90.0000"


def test_a_provision_needs_two_month_ends() -> None:
    rows = AgeingRows()
    rows.buckets["EUR"] = {0: (1_000, 1)}
    repo = InMemoryReportsRepository(rows, first=AS_OF)
    eur = reporting.provision_report(_uow(repo), AS_OF).currencies[0]
    assert eur.note == "needs at least two month-ends of history" and eur.lines == () and eur.total_ecl is None
    assert reporting.provision_report(_uow(repo), AS_OF).as_json()["currency"]["EUR"] == {
        "note": "needs at least two month-ends of history", "lines": [], "total_balance": "10.00", "total_ecl": None}


def _costs() -> InMemoryReportsRepository:
    return InMemoryReportsRepository(
        invoices=[OpenInvoice("F-1", "C1", "EUR", dt.date(2025, 3, 1), 100_000),
                  OpenInvoice("F-2", "C2", "EUR", dt.date(2025, 4, 20), 500_000),
                  OpenInvoice("F-3", "C1", "EUR", dt.date(2025, 1, 1), 50_000)],
        actions={"C1": {"taken": {"phone": 2, "email": 1}, "planned": {"pigeon": 1}}})


def test_cost_per_customer_charges_the_staff_time_of_their_actions() -> None:
    report = reporting.cost_report(_uow(_costs()), AS_OF, "customer", CostParameters(hourly_cost=Decimal(60)))
    assert report.by is CostBy.CUSTOMER and report.actions_recorded and report.unpriced_channels == ("pigeon",)
    eur = report.currencies[0]
    c1 = next(r for r in eur.rows if r.key == "C1")
    assert c1.count == 2 and c1.staff_cost == Money.of("27", "EUR")  # 2 calls × 12 min + 1 email × 3 min at 60/h
    assert eur.total.staff_cost_taken == Money.of("27", "EUR") and eur.total.staff_cost_planned == Money.zero("EUR")
    assert [r.carrying_cost for r in eur.rows] == sorted((r.carrying_cost for r in eur.rows), reverse=True)
    assert report.as_json()["unpriced_channels"] == ["pigeon"]


def test_cost_per_invoice_keeps_staff_time_in_the_totals_only() -> None:
    report = reporting.cost_report(_uow(_costs()), AS_OF, "invoice")
    eur = report.currencies[0]
    assert sorted(r.key for r in eur.rows) == ["F-1", "F-2", "F-3"] and all(r.staff_cost.is_zero() for r in eur.rows)
    assert eur.total.staff_cost_taken.is_positive() and eur.total.nominal_at_risk == Money.of("6500", "EUR")
    with pytest.raises(InvalidInputError, match="--by"):
        reporting.cost_report(_uow(_costs()), AS_OF, "segment")
