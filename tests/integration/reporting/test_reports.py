"""`cobro report` end to end through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cobro.app.cli import app
from tests.conftest import IBM_CSV, IBM_MAPPING

runner = CliRunner()

CUSTOMERS = (
    "code,legal_name,country,segment\n"
    "C001,Construcciones Peña SL,ES,construcción\n"
    "C002,Distribuidora Núñez SA,ES,mayorista\n"
)
INVOICES = (
    "number,customer,issue_date,due_date,amount,currency\n"
    "F-1,C001,2025-01-15,2025-03-25,1234.56,EUR\n"   # 37 days past due on 2025-05-01
    "F-2,C001,2025-02-20,2025-04-21,12100.00,EUR\n"  # 10 days past due
    "F-3,C002,2025-03-01,2025-05-30,99.90,EUR\n"     # not due
    "F-4,C002,2024-10-01,2024-12-01,500.00,EUR\n"    # 151 days past due
    "F-5,C002,2025-06-01,2025-07-01,777.00,EUR\n"    # issued after the as-of date
)


def cobro(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout + (result.stderr if result.stderr_bytes else "")


def as_json(*args: str) -> dict:
    code, out = cobro(*args)
    assert code == 0, out
    return json.loads(out)


@pytest.fixture
def small_ledger(cli_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "i.csv").write_text(INVOICES, encoding="utf-8")
    assert cobro("import", "customers", str(tmp_path / "c.csv"))[0] == 0
    code, out = cobro("import", "invoices", str(tmp_path / "i.csv"))
    assert code == 0, out


@pytest.fixture
def ibm_ledger(cli_env: dict[str, str]) -> None:
    if not IBM_CSV.exists():
        pytest.skip("shared IBM data (../shared/data/ibm-ar) not present")
    code, out = cobro("import", "invoices", str(IBM_CSV), "--mapping", str(IBM_MAPPING))
    assert code == 0, out


def test_ageing_json_shape_and_totals_equal_open_balance(small_ledger: None) -> None:
    data = as_json("report", "ageing", "--as-of", "2025-05-01", "--format", "json")
    assert set(data) == {"as_of", "basis", "currency"}
    assert (data["as_of"], data["basis"]) == ("2025-05-01", "due")
    eur = data["currency"]["EUR"]
    assert [b["label"] for b in eur["buckets"]] == ["Not due", "1–30", "31–60", "61–90", "91–120", ">120"]
    assert set(eur["buckets"][1]) == {"label", "from", "to", "amount", "count"}
    assert eur["buckets"][1] == {"label": "1–30", "from": 1, "to": 30, "amount": "12100.00", "count": 1}
    amounts = [b["amount"] for b in eur["buckets"]]
    assert amounts == ["99.90", "12100.00", "1234.56", "0.00", "0.00", "500.00"]
    assert sum(Decimal(a) for a in amounts) == Decimal(eur["total"]) == Decimal("13934.46")
    summary = as_json("ledger", "summary", "--as-of", "2025-05-01", "--json")
    assert summary["open_amount"]["EUR"] == eur["total"]


def test_ageing_by_customer_invoice_basis_and_csv(small_ledger: None, tmp_path: Path) -> None:
    data = as_json("report", "ageing", "--as-of", "2025-05-01", "--by", "customer", "--basis", "invoice",
                   "--buckets", "30,60,90", "--format", "json")
    eur = data["currency"]["EUR"]
    assert data["basis"] == "invoice" and eur["buckets"][0]["label"] == "0–30"
    groups = {g["key"]: g["total"] for g in eur["groups"]}
    assert groups == {"C001": "13334.56", "C002": "599.90"}
    seg = as_json("report", "ageing", "--as-of", "2025-05-01", "--by", "segment", "--format", "json")
    assert {g["key"] for g in seg["currency"]["EUR"]["groups"]} == {"construcción", "mayorista"}
    out = tmp_path / "ageing.xlsx"
    code, text = cobro("report", "ageing", "--as-of", "2025-05-01", "--format", "xlsx", "--out", str(out))
    assert code == 0, text
    ws = load_workbook(out).active
    assert ws["A1"].value == "currency"
    code, text = cobro("report", "ageing", "--as-of", "2025-05-01", "--format", "csv")
    assert code == 0 and "Not due" in text


def test_ibm_as_of_2013_03_31(ibm_ledger: None) -> None:
    data = as_json("report", "ageing", "--as-of", "2013-03-31", "--format", "json")
    usd = data["currency"]["USD"]
    summary = as_json("ledger", "summary", "--as-of", "2013-03-31", "--json")
    assert usd["total"] == summary["open_amount"]["USD"] == "5903.74"
    assert sum(b["count"] for b in usd["buckets"]) == summary["open_invoices"] == 94
    # everything in the file is settled: nothing is open at the end of the history
    later = as_json("report", "ageing", "--as-of", "2014-12-31", "--format", "json")
    assert later["currency"] == {}


def test_ibm_kpis_provision_cost(ibm_ledger: None) -> None:
    data = as_json("report", "kpis", "--as-of", "2013-03-31", "--trend", "3", "--format", "json")
    usd = data["currency"]["USD"]
    assert usd["ar_end"] == "5903.74"
    for key in ("dso", "countback_dso", "true_dso_oracle", "true_dso_amount_weighted", "bpdso", "add", "cei",
                "avg_days_beyond_terms", "avg_days_to_pay", "turnover", "percent_current", "percent_over_90"):
        assert usd[key] is not None, key
    assert Decimal(usd["add"]) == Decimal(usd["dso"]) - Decimal(usd["bpdso"])
    assert [t["month_end"] for t in data["trend"]] == ["2013-01-31", "2013-02-28", "2013-03-31"]
    assert data["trend"][-1]["currency"]["USD"]["dso"] == usd["dso"]
    code, out = cobro("report", "kpis", "--as-of", "2013-03-31")
    assert code == 0 and "DSO (countback)" in out
    prov = as_json("report", "provision", "--as-of", "2013-06-30", "--format", "json")
    p = prov["currency"]["USD"]
    assert len(prov["snapshots"]) == 13 and len(p["roll_rates"]) == 5
    assert sum(Decimal(ln["balance"]) for ln in p["lines"]) == Decimal(p["total_balance"])
    cost = as_json("report", "cost", "--as-of", "2013-03-31", "--by", "invoice", "--format", "json")
    total = cost["currency"]["USD"]["total"]
    assert total["count"] == 94 and total["nominal_at_risk"] == "5903.74"


def test_empty_ledger_reports(cli_env: dict[str, str]) -> None:
    assert as_json("report", "ageing", "--format", "json")["currency"] == {}
    assert as_json("report", "kpis", "--format", "json")["currency"] == {}
    assert as_json("report", "provision", "--format", "json")["currency"] == {}
    assert as_json("report", "cost", "--format", "json")["currency"] == {}
    code, out = cobro("report", "ageing", "--buckets", "30,x")
    assert code == 2 and "whole days" in out
