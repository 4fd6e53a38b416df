"""`cobro backup` / `cobro restore` round-trip a populated ledger on SQLite and PostgreSQL, and refuse what they
must: a database that already has tables (without --force), a missing file, a file that is not a backup, a backup
of the other database kind."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.db.backup import BackupFormat, detect_format
from cobro.platform.db.engine import normalize_url

runner = CliRunner()


def fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Per table: row count and a digest of every row (sorted), so any lost or changed value shows."""
    engine = create_engine(normalize_url(url))
    found: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            rows = sorted(repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{table}"')))
            found[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    engine.dispose()
    return found


@pytest.fixture
def target_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind to restore into."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    server, name = db_url.rsplit("/", 1)
    admin = create_engine(normalize_url(f"{server}/{name}"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}_restored"'))
        conn.execute(text(f'CREATE DATABASE "{name}_restored"'))
    yield f"{server}/{name}_restored"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}_restored" WITH (FORCE)'))
    admin.dispose()


def cobro(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COBRO_DATABASE_URL": url})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_backup_restore_round_trip(db_url: str, target_url: str, tmp_path: Path) -> None:
    code, out = cobro(db_url, "demo", "generate", "--debtors", "12", "--invoices", "150", "--seed", "5",
                      "--as-of", "2026-06-30")
    assert code == 0, out
    before = fingerprint(db_url)
    assert before["invoices"][0] > 100 and before["customers"][0] == 12 and before["payments"][0] > 0

    backup = tmp_path / "cobro.backup"
    code, out = cobro(db_url, "backup", "--out", str(backup))
    assert code == 0, out
    assert detect_format(backup) is (BackupFormat.SQLITE if db_url.startswith("sqlite") else BackupFormat.PG_CUSTOM)
    assert not backup.with_name(backup.name + ".partial").exists()

    code, out = cobro(target_url, "restore", str(backup))
    assert code == 0, out
    assert fingerprint(target_url) == before

    # the target has tables now: a second restore needs --force, and then gives the same database again
    code, out = cobro(target_url, "restore", str(backup))
    assert code == 2 and "--force" in out
    with create_engine(normalize_url(target_url)).begin() as conn:
        conn.execute(text("DELETE FROM allocations"))
    assert fingerprint(target_url) != before
    code, out = cobro(target_url, "restore", "--force", str(backup))
    assert code == 0, out
    assert fingerprint(target_url) == before


def test_restore_refuses_bad_files_without_traceback(db_url: str, target_url: str, tmp_path: Path) -> None:
    missing = tmp_path / "nope.backup"
    code, out = cobro(target_url, "restore", str(missing))
    assert code == 2 and "nope.backup: no such file" in out and "Traceback" not in out

    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a backup\n", encoding="utf-8")
    code, out = cobro(target_url, "restore", str(text_file))
    assert code == 2 and "not a cobro backup" in out

    # a backup of the other kind: a SQLite file into PostgreSQL, a pg_dump archive into SQLite
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP\x01\x0e" if db_url.startswith("sqlite") else b"SQLite format 3\x00" + bytes(100))
    code, out = cobro(target_url, "restore", str(other))
    assert code == 2 and "cannot be restored into" in out

    code, out = cobro(db_url, "backup", "--out", str(tmp_path / "no-such-dir" / "x.backup"))
    assert code == 2 and "no such directory" in out
    if db_url.startswith("sqlite"):  # a backup over the database file itself would destroy it
        code, out = cobro(db_url, "backup", "--out", db_url.removeprefix("sqlite:///"))
        assert code == 2 and "is the database itself" in out
    assert fingerprint(target_url) == {}  # the refusals wrote nothing
