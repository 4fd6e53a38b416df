"""A zero-amount invoice is settled on arrival, with a warning (SQLite and PostgreSQL).

The decision: a credit manager chases money; an invoice of 0 (a free replacement, a fully discounted order, a
corrected document) has nothing to collect, so it must never be `open`, aged or reminded.  Refusing it would
block the whole file (imports are atomic) for a row that harms nobody, so it is stored as `paid` — the ledger's
one status rule (`status_for(0)`) — and the report warns, naming file, row and column.  E-invoices follow the
same rule (they used to be stored `open`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.db.engine import normalize_url
from tests.conftest import SHARED

runner = CliRunner()
UBL = SHARED / "fixtures" / "ubl-peppol" / "examples" / "base-example.xml"


def cobro_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert isinstance(data, dict)
    return data


def statuses(db_url: str) -> dict[str, tuple[int, int, str]]:
    engine = create_engine(normalize_url(db_url))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT number, amount_minor, open_minor, status FROM invoices"))
        found = {str(n): (int(a), int(o), str(s)) for n, a, o, s in rows}
    engine.dispose()
    return found


def test_a_zero_invoice_is_settled_with_a_warning(db_url: str, cli_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("code,legal_name,country\nC1,Uno SL,ES\n", encoding="utf-8")
    (tmp_path / "i.csv").write_text("factura,customer_code,issue_date,due_date,importe,currency\n"
                                    "F-1,C1,2025-01-10,2025-02-10,10.00,EUR\n"
                                    "F-0,C1,2025-01-10,2025-02-10,0.00,EUR\n"
                                    "F-2,C1,2025-01-10,2025-02-10,0,EUR\n", encoding="utf-8")
    (tmp_path / "m.yaml").write_text("columns:\n  invoice_number: factura\n  amount: importe\n", encoding="utf-8")
    cobro_json("import", "customers", str(tmp_path / "c.csv"))
    report = cobro_json("import", "invoices", str(tmp_path / "i.csv"), "--mapping", str(tmp_path / "m.yaml"))
    assert report["errors"] == [] and report["created"] == 3
    warnings = report["warnings"]
    assert isinstance(warnings, list)
    assert [(w["row"], w["column"]) for w in warnings] == [(3, "importe"), (4, "importe")]
    assert all("stored as settled" in w["message"] for w in warnings)
    assert statuses(db_url) == {"F-1": (1000, 1000, "open"), "F-0": (0, 0, "paid"), "F-2": (0, 0, "paid")}
    summary = cobro_json("ledger", "summary", "--as-of", "2025-06-30")
    assert summary["open_invoices"] == 1 and summary["open_amount"] == {"EUR": "10.00"}


@pytest.mark.skipif(not UBL.exists(), reason="shared fixtures not present")
def test_a_zero_einvoice_is_settled_too(db_url: str, cli_env: dict[str, str], tmp_path: Path) -> None:
    zero = re.sub(r"(<cbc:[A-Za-z]*Amount[^>]*>)-?[0-9.]+(</cbc:)", r"\g<1>0.00\2", UBL.read_text(encoding="utf-8"))
    (tmp_path / "zero.xml").write_text(zero, encoding="utf-8")
    report = cobro_json("import", "einvoice", str(tmp_path / "zero.xml"))
    assert report["errors"] == [] and report["created"] == 1
    assert any("amount is 0: stored as settled" in str(w) for w in report["warnings"])  # type: ignore[union-attr]
    assert [s for _, _, s in statuses(db_url).values()] == ["paid"]
