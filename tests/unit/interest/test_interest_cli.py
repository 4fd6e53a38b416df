"""`cobro interest` on a root of its own (so the test does not depend on other features' commands)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cobro.interest import cli as interest

root = typer.Typer()


@root.callback()
def _root() -> None:
    """test root"""


interest.register(root)
runner = CliRunner()
ES = ["interest", "--jurisdiction", "ES", "--amount", "12100.00", "--currency", "EUR", "--due", "2024-05-15",
      "--paid", "2025-01-20"]


def test_human_output_shows_breakdown_and_total() -> None:
    result = runner.invoke(root, ES)
    assert result.exit_code == 0, result.output
    assert "1,011.76 + 40.00" in result.output
    assert "190.62" in result.output and "12.25" in result.output


def test_json_amounts_are_decimal_strings() -> None:
    result = runner.invoke(root, [*ES, "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["interest"] == "1011.76" and doc["compensation"] == "40.00" and doc["principal"] == "12100.00"
    assert [p["days"] for p in doc["periods"]] == [46, 184, 20]
    assert isinstance(doc["periods"][0]["interest"], str)


def test_uk_and_partial_payment() -> None:
    uk = runner.invoke(root, ["interest", "-j", "UK", "--amount", "5000", "--currency", "GBP", "--due",
                              "2024-01-31", "--paid", "2024-04-30", "--json"])
    assert json.loads(uk.stdout)["interest"] == "163.36"
    part = runner.invoke(root, [*ES, "--payment", "2024-06-10:6100.00", "--json"])
    assert part.exit_code == 0 and json.loads(part.stdout)["balance"] == "6000.00"


def test_errors_go_to_stderr_with_exit_2() -> None:
    for args in (
        ["interest", "-j", "XX", "--amount", "1", "--currency", "EUR", "--due", "2024-01-01", "--paid", "2024-02-01"],
        ["interest", "-j", "ES", "--amount", "1", "--currency", "EUR", "--due", "2026-05-01", "--paid", "2026-08-01"],
        ["interest", "-j", "ES", "--amount", "-1", "--currency", "EUR", "--due", "2024-01-01", "--paid", "2024-02-01"],
        ["interest", "-j", "ES", "--amount", "1", "--currency", "EUR", "--due", "2024-13-01", "--paid", "2024-02-01"],
        [*ES, "--payment", "2024-06-10"],
    ):
        result = runner.invoke(root, args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("error: ")
    assert "2026-H2" in runner.invoke(root, ["interest", "-j", "ES", "--amount", "1", "--currency", "EUR", "--due",
                                             "2026-05-01", "--paid", "2026-08-01"]).stderr


def test_operator_rates_dir_changes_the_interest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ops = tmp_path / "ops"
    ops.mkdir()
    (ops / "es_ley_3_2004_fix.csv").write_text(  # 2025 H1 corrected from 11.15 to 20.00
        "# version: ops-1\nvalid_from,valid_to,rate,source,status\n2025-01-01,2025-06-30,20.00,operator,V\n",
        encoding="utf-8")
    shipped = json.loads(runner.invoke(root, [*ES, "--json"]).stdout)
    assert shipped["periods"][-1]["rate"] == "11.15" and shipped["interest"] == "1011.76"
    # Settings.rates_dir (COBRO_RATES_DIR) reaches the command through the container's rate book ...
    monkeypatch.setenv("COBRO_RATES_DIR", str(ops))
    from_settings = json.loads(runner.invoke(root, [*ES, "--json"]).stdout)
    # 20 days at 20.00 % instead of 11.15 % on 12,100.00: 132.60 instead of 73.93
    assert from_settings["periods"][-1]["rate"] == "20.00" and from_settings["interest"] == "1070.44"
    # ... and --rates-dir names another directory for this one run
    other = tmp_path / "other"
    other.mkdir()
    given = json.loads(runner.invoke(root, [*ES, "--json", "--rates-dir", str(other)]).stdout)
    assert given["interest"] == "1011.76"
