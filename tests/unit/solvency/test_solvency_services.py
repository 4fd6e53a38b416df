"""The solvency services on a FakeUnitOfWork: the statement import's rules and the assessments risk reads."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from tests.fakes import FakeUnitOfWork, InMemorySolvencyRepository, statement

from cobro.ledger.service.imports import ImportReport
from cobro.solvency.domain import Zone
from cobro.solvency.repository import SOLVENCY
from cobro.solvency.schemas import AssessmentSource, SaveOutcome, StatementCustomer
from cobro.solvency.service.financials import import_financials, usual_currencies
from cobro.solvency.service.solvency import assess_all, details, stored

HEADER = "customer,year,total_assets,current_assets,current_liabilities,equity,retained_earnings,sales,ebit\n"
ROWS = ("C1,2024,1000,600,300,400,200,1500,90\n"
        "B12345674,2025,1100,650,320,420,230,1600,100\n"
        "Acme Dos SA,2025,500,200,400,20,-50,700,-30\n")


def _repo() -> InMemorySolvencyRepository:
    return InMemorySolvencyRepository(known=[StatementCustomer(1, "C1", "B-12345674", "Acme Uno SL"),
                                             StatementCustomer(2, "C2", "", "Acme Dos SA")],
                                      currencies={2: "CLP"})


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accounts.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_finds_customers_by_code_tax_id_or_name_and_stores_minor_units(tmp_path: Path) -> None:
    repo = _repo()
    uow = FakeUnitOfWork({SOLVENCY: repo})
    report = import_financials(uow, _file(tmp_path, HEADER + ROWS))
    assert report.errors == [] and (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert [(cid, year, cur) for cid, year, cur, _ in repo.saved] == [(1, 2024, "EUR"), (1, 2025, "EUR"),
                                                                       (2, 2025, "CLP")]
    assert repo.saved[0][3]["total_assets"] == 100_000 and repo.saved[2][3]["total_assets"] == 500  # CLP: 0 decimals
    assert report.extra == {"customers": 2}
    assert uow.flushes == 1 and not uow.committed  # services flush; the entrypoint commits

    again = import_financials(uow, _file(tmp_path, HEADER + ROWS.replace("1100,", "1200,")))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)


def test_any_error_writes_nothing(tmp_path: Path) -> None:
    repo = _repo()
    uow = FakeUnitOfWork({SOLVENCY: repo})
    report = import_financials(uow, _file(tmp_path, HEADER + ROWS + "C9,2025,1,1,1,1,1,1,1\nC1,2024,2,2,2,2,2,2,2\n"))
    assert {(e.row, e.code) for e in report.errors} == {(5, "unknown_customer"), (6, "duplicate")}
    assert repo.saved == [] and uow.flushes == 0


def test_usual_currencies_come_from_the_repository() -> None:
    assert usual_currencies(FakeUnitOfWork({SOLVENCY: _repo()})) == {2: "CLP"}


def test_stored_accounts_up_to_the_as_of_year_and_a_file_wins() -> None:
    repo = InMemorySolvencyRepository(stored={"C1": [
        statement("C1", 2026, total_assets=900.0, current_assets=300.0, current_liabilities=600.0, equity=50.0,
                  retained_earnings=-100.0, ebit=-80.0),
        statement("C1", 2024, total_assets=1000.0, current_assets=600.0, current_liabilities=300.0, equity=400.0,
                  retained_earnings=200.0, ebit=90.0),
        statement("C1", 2025, total_assets=1000.0, current_assets=500.0, current_liabilities=450.0, equity=300.0,
                  retained_earnings=100.0, ebit=20.0)]})
    mine = stored(FakeUnitOfWork({SOLVENCY: repo}), dt.date(2025, 12, 31))
    assert [s.year for s in mine["C1"]] == [2024, 2025]  # 2026 is not known at the end of 2025

    given = {"C2": [statement("C2", 2025, total_assets=100.0, equity=50.0).statement]}
    found = assess_all(mine, given)
    assert (found["C1"].source, found["C2"].source) == (AssessmentSource.STORED, AssessmentSource.FILE)
    assert found["C1"].solvency.year == 2025 and "no bankruptcy model" in found["C1"].solvency.model_note
    assert found["C1"].solvency.worsened  # current ratio, equity ... fell from 2024 to 2025

    shown = details(found["C1"])
    assert [y.year for y in shown.years] == [2024, 2025]
    assert shown.years[1].ratios["current_ratio"] == pytest.approx(500 / 450, abs=1e-3)
    assert shown.years[0].zone == Zone.SAFE and shown.p_default is None
    assert shown.as_json()["source"] == "stored" and shown.as_json()["years"][0]["zone"] == "safe"
    with pytest.raises(dataclasses.FrozenInstanceError):
        shown.p_default = 0.5  # type: ignore[misc]


def test_save_outcomes_name_the_report_counters() -> None:
    report = ImportReport("financials", "f.csv")
    assert all(getattr(report, outcome) == 0 for outcome in SaveOutcome)
