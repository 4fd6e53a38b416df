"""A command run against a database that `cobro init` never prepared says so in one line (exit 2), on SQLite and
PostgreSQL, instead of a "no such table" traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.db.engine import normalize_url
from tests.conftest import pg_url


def _empty_pg() -> str:
    base = pg_url()
    if base is None:
        pytest.skip("PostgreSQL not configured (set COBRO_TEST_PG_URL)")
    server, name = base.rsplit("/", 1)
    empty = f"{name}_uninitialised"
    admin = create_engine(normalize_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)'))  # the last test's CLI may hold it
        conn.execute(text(f'CREATE DATABASE "{empty}"'))
    admin.dispose()
    return f"{server}/{empty}"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("args", [["customers", "list"], ["ledger", "summary"], ["audit", "show"], ["jobs", "list"],
                                  ["alerts", "list"], ["comment", "list", "C001"]])
def test_an_uninitialised_database_is_named_not_a_traceback(backend: str, args: list[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'never-initialised.db'}" if backend == "sqlite" else _empty_pg()
    result = CliRunner().invoke(app, ["--db", url, *args])
    assert result.exit_code == 2, result.output
    assert "run `cobro init`" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_database_older_than_this_cobro_is_named_not_a_traceback(backend: str, tmp_path: Path) -> None:
    """A table a newer migration adds is missing (the operator upgraded cobro but not the database): any command
    that reaches it says to run `cobro init`, whichever table it hits first."""
    url = f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite" else _empty_pg()
    runner = CliRunner()
    assert runner.invoke(app, ["--db", url, "init"]).exit_code == 0
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE job_runs"))  # as if the jobs migration had not run yet
    engine.dispose()
    result = runner.invoke(app, ["--db", url, "jobs", "status"])
    assert result.exit_code == 2, result.output
    assert "no job_runs table" in result.output and "run `cobro init`" in result.output
    assert "Traceback" not in result.output
