"""E-invoice credit notes applied to the invoice they name, and Peru's RUC as the customer, on both databases.

A SUNAT UBL 2.0 invoice and its nota de crédito, which writes its reference `E001 - 170` (blanks around the
hyphen); files written here in the layout's shape (tests/unit/cashapp/einvoice/test_pe_parties.py)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.db.engine import normalize_url
from tests.unit.cashapp.einvoice.test_pe_parties import ubl20

runner = CliRunner()


def cobro_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert isinstance(data, dict)
    return data


def test_a_peruvian_credit_note_closes_its_invoice(db_url: str, cli_env: dict[str, str], tmp_path: Path) -> None:
    invoice, note = tmp_path / "E001-170.xml", tmp_path / "E001-9.xml"
    invoice.write_bytes(ubl20("Invoice", "E001-170"))
    note.write_bytes(ubl20("CreditNote", "E001-9", reference="E001 - 170"))
    first = cobro_json("import", "einvoice", str(invoice))
    assert cobro_json("ledger", "summary")["open_amount"] == {"PEN": "1180.00"}
    report = cobro_json("import", "einvoice", str(note))
    assert report["errors"] == [] and report["details"] == {"credit_notes": 1, "credit_notes_applied": 1}
    assert "credit note E001-9: reference 'E001 - 170' read as invoice E001-170 (compact match)" in [
        w["message"] for w in report["warnings"]]  # type: ignore[union-attr]
    summary = cobro_json("ledger", "summary")
    assert summary["open_amount"] == {} and summary["open_invoices"] == 0 and summary["unapplied_credit"] == {}
    engine = create_engine(normalize_url(db_url))
    with engine.connect() as conn:
        customers = conn.execute(text("SELECT code, tax_id, country FROM customers")).all()
        state = dict(conn.execute(text("SELECT number, status FROM invoices")).all())
    engine.dispose()
    assert [tuple(c) for c in customers] == [("20512345678", "20512345678", "PE")]  # the RUC, not a name slug
    assert state == {"E001-170": "paid", "E001-9": "paid"}
    assert first["details"] == {"customers_created": 1, "invoices": 1}
    # both files again: nothing new, nothing applied twice
    again = cobro_json("import", "einvoice", str(invoice), str(note))
    assert (again["created"], again.get("details")) == (0, {"unchanged": 2})
    assert cobro_json("ledger", "summary") == summary
