"""Shared fixtures.  Database tests run on SQLite and, with COBRO_TEST_PG_URL set, on PostgreSQL too.

`db_url` is parametrized over both back ends; a test that takes `container` (or `db_url`) runs twice.  Set
COBRO_REQUIRE_PG=1 (CI does) to turn a missing PostgreSQL into a failure instead of a skip.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cobro.platform.container import Container, build
from cobro.platform.db.engine import normalize_url
from cobro.platform.db.migrate import upgrade
from cobro.platform.settings import Settings

REPO = Path(__file__).resolve().parents[1]
# the shared data and fixtures sit next to the checkout; COBRO_SHARED_DIR points elsewhere (CI on another path)
SHARED = Path(os.environ.get("COBRO_SHARED_DIR") or REPO.parent / "shared")
IBM_CSV = SHARED / "data" / "ibm-ar" / "ibm-ar-until-2013-06-30.csv"
IBM_MAPPING = REPO / "examples" / "mappings" / "ibm-ar.yaml"

_PG_MIGRATED: set[str] = set()
_PG_PRIVATE: dict[str, str] = {}


def pg_url() -> str | None:
    """A private database per test process (base name + pid), so parallel runs never share tables."""
    base = os.environ.get("COBRO_TEST_PG_URL") or None
    if base is None:
        return None
    if base not in _PG_PRIVATE:
        server, name = base.rsplit("/", 1)
        private = f"{name}_{os.getpid()}"
        admin = create_engine(normalize_url(f"{server}/{name}"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{private}"'))
            conn.execute(text(f'CREATE DATABASE "{private}"'))
        admin.dispose()
        _PG_PRIVATE[base] = f"{server}/{private}"
        atexit.register(_drop_private, f"{server}/{name}", private)
    return _PG_PRIVATE[base]


def _drop_private(admin_url: str, private: str) -> None:
    admin = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{private}" WITH (FORCE)'))
    admin.dispose()


_SQLITE_TEMPLATE: list[Path] = []


def _sqlite_template(factory: pytest.TempPathFactory) -> Path:
    """One SQLite database migrated to heads per test process; each test gets a copy (running every migration per
    test cost ~0.2 s, a few minutes over the suite)."""
    if not _SQLITE_TEMPLATE:
        template = factory.mktemp("template") / "cobro-template.db"
        engine = create_engine(f"sqlite:///{template}")
        upgrade(engine)
        engine.dispose()
        _SQLITE_TEMPLATE.append(template)
    return _SQLITE_TEMPLATE[0]


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup, not a file copy: it carries whatever sits in a write-ahead log too."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


# Empty every table that holds rows and restart every sequence that was used, in one round trip. TRUNCATE of all
# ~80 tables cost ~0.3–1 s per test (it replaces each table's files); most tests touch a handful of tables. The
# replica role skips foreign-key and trigger checks (the audit log's append-only triggers refuse DELETE).
_EMPTY_PG = """
DO $$
DECLARE r record; used boolean;
BEGIN
  SET LOCAL session_replication_role = replica;
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version' LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM public.%I)', r.tablename) INTO used;
    IF used THEN EXECUTE format('DELETE FROM public.%I', r.tablename); END IF;
  END LOOP;
  FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL LOOP
    EXECUTE format('ALTER SEQUENCE public.%I RESTART', r.sequencename);
  END LOOP;
END $$
"""


def _reset_pg(url: str) -> None:
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        if url not in _PG_MIGRATED:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    if url not in _PG_MIGRATED:
        upgrade(engine)
        _PG_MIGRATED.add(url)
    with engine.begin() as conn:
        conn.execute(text(_EMPTY_PG))
        conn.execute(text("INSERT INTO tenants (code, name) VALUES ('default', 'Default tenant')"))
    engine.dispose()


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its production cost (64 MiB, 3 passes) takes most of a second on a busy CI core; tests that
    create users and log in use the same algorithm with tiny parameters (tests/unit/identity checks the real ones)."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from cobro.identity import service

    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    monkeypatch.setattr(service, "_hasher", lambda: cheap)
    monkeypatch.setattr(service, "_dummy_hash", lambda: cheap.hash("not a password"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        target = tmp_path / "cobro-test.db"
        _copy_sqlite(_sqlite_template(tmp_path_factory), target)
        return f"sqlite:///{target}"
    url = pg_url()
    if url is None:
        if os.environ.get("COBRO_REQUIRE_PG"):
            pytest.fail("COBRO_REQUIRE_PG is set but COBRO_TEST_PG_URL is not")
        pytest.skip("PostgreSQL not configured (set COBRO_TEST_PG_URL)")
    _reset_pg(url)
    return url


@pytest.fixture
def container(db_url: str) -> Iterator[Container]:
    c = build(Settings(database_url=db_url))
    yield c
    c.close()


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for CliRunner invocations against the test database."""
    monkeypatch.setenv("COBRO_DATABASE_URL", db_url)
    return {"COBRO_DATABASE_URL": db_url}
