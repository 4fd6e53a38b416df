"""`cobro statement parse` through Typer's CliRunner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cobro.cashapp.cli import statement

from ._fixtures import fixture_path

runner = CliRunner()


def test_json_output_is_the_documented_shape():
    result = runner.invoke(statement.app, ["parse", str(fixture_path("norma43/oca-14.0-testmulti.n43")), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"format", "accounts", "warnings"}
    assert data["format"] == "norma43" and len(data["accounts"]) == 2
    acc = data["accounts"][0]
    assert {"account", "currency", "opening_balance", "closing_balance", "transactions"} == set(acc)
    tx = acc["transactions"][1]
    assert {"booking_date", "value_date", "amount", "reference", "remittance", "counterparty_name",
            "counterparty_account"} <= set(tx)
    assert (tx["amount"], tx["booking_date"], acc["closing_balance"]) == ("-178.30", "2016-05-12", "101.96")


def test_table_output():
    result = runner.invoke(statement.app, ["parse", str(fixture_path("camt053/oca-test-camt053.001.02.xml"))])
    assert result.exit_code == 0, result.output
    assert "NL77ABNA0574908765" in result.stdout and "1405.31" in result.stdout and "AC06" in result.stdout
    assert "warning" in result.stdout


def test_bad_file_exits_2_with_the_location_on_stderr(tmp_path):
    bad = tmp_path / "cut.xml"
    bad.write_bytes(fixture_path("camt053/oca-test-camt053.001.02.xml").read_bytes()[:500])
    result = runner.invoke(statement.app, ["parse", str(bad)])
    assert result.exit_code == 2
    assert "cut.xml: line" in result.stderr and "malformed XML" in result.stderr
    assert result.stdout == ""


def test_unknown_file_exits_2(tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n")
    result = runner.invoke(statement.app, ["parse", str(junk), "--json"])
    assert result.exit_code == 2
    assert "junk.txt: line 1: unrecognised" in result.stderr
