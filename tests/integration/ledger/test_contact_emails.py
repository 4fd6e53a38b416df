"""Contact e-mails are validated on import (SQLite and PostgreSQL): a bad address is an error naming file, row and
column, the import exits 2 and writes nothing; good addresses, internationalised ones included, are stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.db.engine import normalize_url

runner = CliRunner()
BAD = ["maria@", "@pena.example", "maria pena@pena.example", "maria@@pena.example", "María Peña <maria@pena.example>",
       "a@pena.example; b@pena.example", "maria@pena", "maria@pena..example", "maria@-pena.example"]
GOOD = ["maria@pena.example", "cuentas.a.pagar+cobro@pena.example", "josé@peña.example", "AP@Grupo-Nunez.example"]


def contacts(db_url: str) -> list[str]:
    engine = create_engine(normalize_url(db_url))
    with engine.connect() as conn:
        found = [str(r[0]) for r in conn.execute(text("SELECT email FROM contacts ORDER BY email"))]
    engine.dispose()
    return found


@pytest.fixture
def customers(cli_env: dict[str, str], tmp_path: Path) -> Path:
    (tmp_path / "c.csv").write_text("code,legal_name,country\nC001,Construcciones Peña SL,ES\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "customers", str(tmp_path / "c.csv")])
    assert result.exit_code == 0, result.output
    return tmp_path


def test_bad_addresses_are_refused_with_row_and_column(db_url: str, customers: Path) -> None:
    rows = "".join(f"C001,Persona {i},finance,{bad}\n" for i, bad in enumerate(BAD))
    path = customers / "k.csv"
    path.write_text("customer_code,name,role,correo\nC001,Buena,finance,buena@pena.example\n" + rows,
                    encoding="utf-8")
    result = runner.invoke(app, ["import", "contacts", str(path), "--json"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert contacts(db_url) == []  # the good row is not written either: imports are atomic
    report = json.loads(result.output[result.output.index("{"):])
    errors = report["errors"]
    assert [e["row"] for e in errors] == list(range(3, 3 + len(BAD)))  # header is row 1, the good one row 2
    for error, bad in zip(errors, BAD, strict=True):
        assert error["file"] == "k.csv" and error["column"] == "correo"  # the file's own header
        assert error["message"].startswith(f"not an e-mail address: {bad!r}")


def test_good_addresses_are_stored(db_url: str, customers: Path) -> None:
    rows = "".join(f"C001,Persona {i},finance,{good}\n" for i, good in enumerate(GOOD))
    (customers / "k.csv").write_text("customer_code,name,role,email\n" + rows + "C001,Sin correo,finance,\n",
                                     encoding="utf-8")
    result = runner.invoke(app, ["import", "contacts", str(customers / "k.csv")])
    assert result.exit_code == 0, result.output
    assert contacts(db_url) == sorted([*GOOD, ""])  # an empty address is allowed: the contact is reached otherwise
