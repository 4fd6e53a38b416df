"""The bound on e-invoice import, end to end (SQLite and PostgreSQL): a document past it is an error, nothing is
written; one at the bound imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cobro.app.cli import app
from tests.unit.cashapp.einvoice.test_ubl import _ubl

runner = CliRunner()
PAYABLE = b'<cbc:PayableAmount currencyID="EUR">1000.00</cbc:PayableAmount>'


def _doc(tmp: Path, amount: str) -> Path:
    path = tmp / f"inv-{amount}.xml"
    path.write_bytes(_ubl("").replace(PAYABLE, f'<cbc:PayableAmount currencyID="EUR">{amount}</cbc:PayableAmount>'
                                      .encode()))
    return path


def _invoices() -> object:
    result = runner.invoke(app, ["ledger", "summary", "--json"])
    assert result.exit_code == 0, result.stdout
    return json.loads(result.stdout)["invoices"]


@pytest.mark.usefixtures("cli_env")
def test_a_document_past_the_bound_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "einvoice", str(_doc(tmp_path, "1000000000.01")), "--json"])
    assert result.exit_code == 2, result.stdout
    (error,) = json.loads(result.stdout)["errors"]
    assert "largest amount" in error["message"] and error["file"] == "inv-1000000000.01.xml"
    assert _invoices() == 0
    ok = runner.invoke(app, ["import", "einvoice", str(_doc(tmp_path, "1000000000.00")), "--json"])
    assert ok.exit_code == 0, ok.stdout
    assert _invoices() == 1


@pytest.mark.usefixtures("cli_env")
def test_a_payment_complement_past_the_bound_is_refused(tmp_path: Path) -> None:
    from tests.conftest import SHARED

    source = SHARED / "fixtures" / "cfdi" / "satcfdi-pago20-for-ingreso.xml"
    if not source.exists():
        pytest.skip("shared CFDI fixtures not present")
    pago = tmp_path / "pago.xml"
    pago.write_bytes(source.read_bytes().replace(b'ImpPagado="17852.75"', b'ImpPagado="5000000000.00"'))
    result = runner.invoke(app, ["import", "einvoice", str(pago), "--json"])
    assert result.exit_code == 2, result.stdout
    errors = json.loads(result.stdout)["errors"]
    assert any("largest amount" in e["message"] and "DoctoRelacionado[1]" in e["column"] for e in errors), errors
    summary = json.loads(runner.invoke(app, ["ledger", "summary", "--json"]).stdout)
    # nothing written: no customer from the complement, no unapplied cash
    assert (summary["customers"], summary["unapplied_credit"]) == (0, {})
