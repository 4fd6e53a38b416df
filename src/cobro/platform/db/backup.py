"""Whole-database backup and restore: SQLite's online backup API, PostgreSQL's `pg_dump -Fc` / `pg_restore`.

A backup is one file in the database's own format, so the usual tools read it too: a SQLite backup is a SQLite
database (`sqlite3 FILE .tables`), a PostgreSQL backup is a custom-format archive (`pg_restore --list FILE`).
Which one a file is comes from its first bytes, never from its name.  Restoring refuses to overwrite a database
that already has tables unless told to (`force`); every refusal is a `BackupError` whose message names the file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from cobro.platform.db.engine import make_engine, normalize_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
# pg_dump/pg_restore never run longer than this: a stuck server must not hang a scheduled backup for ever
TOOL_TIMEOUT_S = 6 * 3600


class BackupError(Exception):
    """A backup or restore that cannot be done, said in one line (the CLI prints it and exits 2)."""


class BackupFormat(StrEnum):
    SQLITE = "sqlite"
    PG_CUSTOM = "postgresql-custom"


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    format: BackupFormat
    bytes: int

    def as_json(self) -> dict[str, object]:
        return {"file": str(self.path), "format": self.format.value, "bytes": self.bytes}


def backup(database_url: str, out: Path) -> BackupResult:
    """Write a consistent copy of the database at `database_url` to `out` (replaced if it exists)."""
    url = make_url(normalize_url(database_url))
    if out.is_dir():
        raise BackupError(f"{out}: is a directory; give the backup's file name")
    if not out.parent.exists():
        raise BackupError(f"{out.parent}: no such directory")
    # written next to `out` and renamed when complete: a failed backup never leaves a truncated file under its name
    partial = out.with_name(out.name + ".partial")
    try:
        if url.get_backend_name() == "sqlite":
            source = _sqlite_path(url)
            if not source.is_file():
                raise BackupError(f"{source}: no such database file")
            if out.exists() and out.resolve() == source.resolve():
                raise BackupError(f"{out}: is the database itself; write the backup to another file")
            partial.unlink(missing_ok=True)
            _sqlite_copy(source, partial)
            kind = BackupFormat.SQLITE
        elif url.get_backend_name() == "postgresql":
            _run_tool("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"], url)
            kind = BackupFormat.PG_CUSTOM
        else:
            raise BackupError(f"backups of {url.get_backend_name()} databases are not supported (SQLite, PostgreSQL)")
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(out, kind, out.stat().st_size)


def restore(database_url: str, source: Path, *, force: bool = False) -> BackupFormat:
    """Replace the database at `database_url` with the backup in `source`."""
    kind = detect_format(source)
    url = make_url(normalize_url(database_url))
    backend = url.get_backend_name()
    wanted = {"sqlite": BackupFormat.SQLITE, "postgresql": BackupFormat.PG_CUSTOM}.get(backend)
    if wanted is None:
        raise BackupError(f"restoring into {backend} databases is not supported (SQLite, PostgreSQL)")
    if kind is not wanted:
        raise BackupError(f"{source}: a {kind.value} backup cannot be restored into a {backend} database")
    tables = existing_tables(database_url)
    if tables and not force:
        raise BackupError(f"the database already has {len(tables)} tables ({', '.join(sorted(tables)[:3])}, ...); "
                          "restore replaces all of it: pass --force to overwrite it")
    if kind is BackupFormat.SQLITE:
        _sqlite_copy(source, _sqlite_path(url))
    else:
        # one transaction: a restore that fails half-way leaves the database as it was
        _run_tool("pg_restore", ["--no-owner", "--no-privileges", "--clean", "--if-exists", "--single-transaction",
                                 "--exit-on-error", str(source)], url)
    return kind


def detect_format(path: Path) -> BackupFormat:
    """What kind of backup `path` holds, from its first bytes."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BackupError(f"{path}: is a directory, not a backup file") from None
    except OSError as exc:
        raise BackupError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if head.startswith(SQLITE_MAGIC):
        return BackupFormat.SQLITE
    if head.startswith(PG_CUSTOM_MAGIC):
        return BackupFormat.PG_CUSTOM
    raise BackupError(f"{path}: not a cobro backup (neither a SQLite database nor a pg_dump custom-format archive)")


def existing_tables(database_url: str) -> set[str]:
    """The tables of the database (empty for a SQLite file that does not exist yet)."""
    url = make_url(normalize_url(database_url))
    if url.get_backend_name() == "sqlite" and not _sqlite_path(url).exists():
        return set()
    engine = make_engine(database_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while others write, including what sits in the WAL."""
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source}: {exc}") from None


def _run_tool(tool: str, args: list[str], url: URL) -> None:
    """Run pg_dump or pg_restore against `url`; the password goes in the environment, never on the command line."""
    binary = shutil.which(tool)
    if binary is None:
        raise BackupError(f"{tool} not found: install the PostgreSQL client (apt-get install postgresql-client)")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    sslmode = url.query.get("sslmode")
    if isinstance(sslmode, str):
        env["PGSSLMODE"] = sslmode
    conn = [f"--dbname={url.database or ''}"]
    if url.host:
        conn.append(f"--host={url.host}")
    if url.port:
        conn.append(f"--port={url.port}")
    if url.username:
        conn.append(f"--username={url.username}")
    try:
        done = subprocess.run([binary, *conn, "--no-password", *args], env=env, capture_output=True, text=True,
                              timeout=TOOL_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{tool} did not finish within {TOOL_TIMEOUT_S // 3600} h") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(f"{tool} failed: {lines[0] if lines else f'exit code {done.returncode}'}")
