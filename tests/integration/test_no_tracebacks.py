"""Each hostile input of issue 14 fed to the CLI: exit code 2, one message naming the file (and row where there is
one), no traceback, nothing written — on SQLite and PostgreSQL.

The files are generated (tests/hostile.py) against the default limits.  Text commands are checked for exactly one
`error:` line; import reports with a problem are checked through `--json`, whose `errors` list is the message.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner, Result

from cobro.app.cli import app
from cobro.kernel.errors import ConflictError
from cobro.platform.container import Container, build
from cobro.platform.db.engine import normalize_url
from cobro.platform.settings import Settings
from tests import hostile

runner = CliRunner()


def _counts(db_url: str) -> dict[str, int]:
    """Rows per table: "nothing written" means this is the same before and after."""
    engine = create_engine(normalize_url(db_url))
    try:
        with engine.connect() as conn:
            names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
            return {n: conn.execute(text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one() for n in names}
    finally:
        engine.dispose()


def _invoke(args: list[str]) -> Result:
    result = runner.invoke(app, args)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
        f"{type(result.exception).__name__}: {result.exception}"
    assert "Traceback" not in result.output
    return result


def _one_error_line(result: Result, *needles: str) -> str:
    lines = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, result.output[-2000:]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


INVOICE_FILES: list[tuple[str, Callable[[Path], Path], str, tuple[str, ...]]] = [
    ("xlsx bomb", hostile.xlsx_bomb, "bomb.xlsx", ("inflates to more than", "limit_xlsx_total_bytes")),
    ("xlsx shared strings", hostile.xlsx_shared_strings_bomb, "strings.xlsx", ("limit_xlsx_part_bytes",)),
    ("xlsx wide row", hostile.xlsx_wide_row, "wide.xlsx", ("limit_xlsx_columns",)),
    ("xlsx far row", hostile.xlsx_far_row, "far.xlsx", ("limit_xlsx_cells",)),
    ("50 MB line", hostile.csv_one_long_line, "long.csv", ("row 2", "limit_csv_line_bytes")),
    ("unclosed quote", hostile.csv_unclosed_quote, "quote.csv", ("row 3", "never closed")),
    ("NUL byte", hostile.csv_nul_byte, "nul.csv", ("row 2", "NUL byte")),
]


@pytest.mark.parametrize(("case", "make", "name", "needles"), INVOICE_FILES, ids=[c[0] for c in INVOICE_FILES])
def test_hostile_invoice_files(cli_env: dict[str, str], db_url: str, tmp_path: Path, case: str,
                               make: Callable[[Path], Path], name: str, needles: tuple[str, ...]) -> None:
    path = make(tmp_path / name)
    before = _counts(db_url)
    result = _invoke(["import", "invoices", str(path)])
    assert result.exit_code == 2, result.output[-2000:]
    _one_error_line(result, name, *needles)
    assert _counts(db_url) == before


def test_a_lying_statement_zip(cli_env: dict[str, str], db_url: str, tmp_path: Path) -> None:
    path = hostile.lying_zip(tmp_path / "lying.zip")
    before = _counts(db_url)
    result = _invoke(["import", "statement", str(path), "--json"])
    assert result.exit_code == 2
    [error] = json.loads(result.stdout)["errors"]
    assert error["file"] == "lying.zip" and "corrupt zip member" in error["message"]
    assert "\n" not in error["message"]
    assert _counts(db_url) == before


@pytest.mark.parametrize(("case", "content", "needle"), [
    ("alias bomb", hostile.yaml_alias_bomb(), "expands to more than"),
    ("deep", hostile.yaml_deep(), "nested deeper than 50 levels"),
    ("duplicate key", hostile.yaml_duplicate_key(), "key 'policy' appears twice"),
], ids=["alias bomb", "deep", "duplicate key"])
def test_hostile_policies(cli_env: dict[str, str], db_url: str, tmp_path: Path, case: str, content: str,
                          needle: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(content, encoding="utf-8")
    before = _counts(db_url)
    for command in ("validate", "apply"):
        result = _invoke(["policy", command, str(path)])
        assert result.exit_code == 2
        [line] = [ln for ln in result.output.splitlines() if ln.strip()]
        assert line.startswith(f"{path}: ") and needle in line
    assert _counts(db_url) == before


def test_a_hostile_mapping(cli_env: dict[str, str], db_url: str, tmp_path: Path) -> None:
    data = tmp_path / "inv.csv"
    data.write_text(hostile.INVOICE_HEADER, encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(hostile.yaml_alias_bomb(), encoding="utf-8")
    before = _counts(db_url)
    result = _invoke(["import", "invoices", str(data), "--mapping", str(mapping)])
    assert result.exit_code == 2
    _one_error_line(result, "map.yaml", "expands to more than")
    assert _counts(db_url) == before


def test_an_unknown_tenant(cli_env: dict[str, str], db_url: str) -> None:
    before = _counts(db_url)
    result = _invoke(["--tenant", "nope", "customers", "list"])
    assert result.exit_code == 2
    _one_error_line(result, "tenant 'nope' does not exist")
    assert _counts(db_url) == before


def test_mixed_encodings_are_read_as_cp1252_with_a_warning(cli_env: dict[str, str], db_url: str,
                                                          tmp_path: Path) -> None:
    path = hostile.csv_mixed_encoding(tmp_path / "mixed.csv")
    result = _invoke(["import", "invoices", str(path), "--dry-run", "--json"])
    warnings = json.loads(result.stdout)["warnings"]
    assert any(w["file"] == "mixed.csv" and "rows 2, 3" in w["message"] for w in warnings), warnings


def test_the_losing_run_of_two_concurrent_imports_of_one_file(cli_env: dict[str, str], db_url: str,
                                                               tmp_path: Path) -> None:
    """A holds the file's invoices in an open transaction while B imports the same file; then A commits.
    B either waits and finds them already imported (SQLite's one writer: exit 0, all unchanged) or loses the
    unique-key race (PostgreSQL: exit 2 and the one-line conflict message) — never a traceback, never twice."""
    from cobro.ledger.service.imports import import_invoices

    path = tmp_path / "inv.csv"
    path.write_text(hostile.INVOICE_HEADER + "".join(f"F{i},C1,Acme,2026-01-01,2026-02-01,10.00,EUR\n"
                                                     for i in range(50)), encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("options:\n  create_customers: true\n", encoding="utf-8")
    container = build(Settings(database_url=db_url))
    results: list[Result] = []
    try:
        with container.uow() as uow:
            assert import_invoices(uow, path, mapping).ok
            racer = threading.Thread(target=lambda: results.append(
                _invoke(["import", "invoices", str(path), "--mapping", str(mapping)])))
            racer.start()
            time.sleep(3)  # B is now blocked on A's rows (PostgreSQL) or on the database lock (SQLite)
            uow.commit()
        racer.join(120)
    finally:
        container.close()
    [result] = results
    if result.exit_code == 2:
        _one_error_line(result, "another import is writing the same records")
    else:
        assert result.exit_code == 0 and "0 created" in result.output, result.output
    assert _counts(db_url)["invoices"] == 50


def test_a_unique_key_clash_in_a_unit_of_work_becomes_a_conflict(container: Container) -> None:
    """What the losing concurrent import meets, made certain: the clash is rolled back and becomes one message."""
    with container.uow() as uow:
        with pytest.raises(ConflictError, match=r"^another run wrote it first$"), \
                uow.conflicts_as("another run wrote it first"):
            uow.session.execute(text("INSERT INTO tenants (code, name) VALUES ('default', 'again')"))
        assert uow.session.execute(text("SELECT COUNT(*) FROM tenants")).scalar_one() == 1  # usable afterwards
