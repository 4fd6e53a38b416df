"""An installation of any earlier version upgrades to the latest schema with its data intact, on both databases.

Each migration file is dated and each feature has its own branch, so the schema an earlier version shipped is "every
revision up to this file" (in file-name order).  For every such earlier state the test builds a fresh database at it,
writes one row into every table with SQL that is valid at that state (values chosen from the reflected columns,
foreign keys pointing at the rows written before), runs `upgrade heads` as `cobro init` does, and checks that every
row is still there with the same values and that the result is exactly the schema the models describe.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib
import pkgutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

import cobro
from cobro.platform.db.base import Base
from cobro.platform.db.engine import make_engine, normalize_url
from cobro.platform.db.migrate import alembic_config, upgrade


def earlier_states() -> list[tuple[str, list[str]]]:
    """(last file, heads) for every earlier state: the heads of the revisions up to and including each file."""
    scripts = ScriptDirectory.from_config(alembic_config())
    revisions = sorted(scripts.walk_revisions(), key=lambda r: Path(r.path).name)
    states = []
    for k in range(1, len(revisions)):  # the full list is the latest state, not an earlier one
        shipped = revisions[:k]
        parents = {p for r in shipped for p in (r._all_down_revisions or ())}
        heads = [r.revision for r in shipped if r.revision not in parents]
        states.append((Path(shipped[-1].path).name, heads))
    return states


STATES = earlier_states()


class Databases:
    """A template database that climbs the history one state at a time, and a fresh copy of it per state (copying
    is much cheaper than running every migration again: SQLite's backup API, PostgreSQL's CREATE DATABASE ...
    TEMPLATE)."""

    def __init__(self, db_url: str, tmp_path: Path) -> None:
        self.sqlite = db_url.startswith("sqlite")
        if self.sqlite:
            self.template, self.work = (f"sqlite:///{tmp_path / 'template.db'}", f"sqlite:///{tmp_path / 'work.db'}")
            return
        server, name = db_url.rsplit("/", 1)
        self.admin = create_engine(normalize_url(db_url), isolation_level="AUTOCOMMIT")
        self.names = (f"{name}_upgrade_template", f"{name}_upgrade")
        self.template, self.work = (f"{server}/{n}" for n in self.names)
        for n in self.names:
            self._sql(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)')
        self._sql(f'CREATE DATABASE "{self.names[0]}"')

    def _sql(self, statement: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(statement))

    def climb_to(self, heads: list[str]) -> None:
        engine = make_engine(self.template)
        for head in heads:
            upgrade(engine, head)
        engine.dispose()

    def fresh_copy(self) -> str:
        if self.sqlite:
            source, target = (u.removeprefix("sqlite:///") for u in (self.template, self.work))
            Path(target).unlink(missing_ok=True)
            with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
                src.backup(dst)
            src.close()
            dst.close()
        else:
            self._sql(f'DROP DATABASE IF EXISTS "{self.names[1]}" WITH (FORCE)')
            self._sql(f'CREATE DATABASE "{self.names[1]}" TEMPLATE "{self.names[0]}"')
        return self.work

    def close(self) -> None:
        if not self.sqlite:
            for n in self.names:
                self._sql(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)')
            self.admin.dispose()


@pytest.fixture
def databases(db_url: str, tmp_path: Path) -> Iterator[Databases]:
    """Not the shared test database, which stays migrated for the other tests."""
    found = Databases(db_url, tmp_path)
    yield found
    found.close()


def _value(column: sa.Column[Any], n: int) -> object:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return True
    if isinstance(kind, sa.Integer):
        return n
    if isinstance(kind, sa.Float):
        return float(n)
    if isinstance(kind, sa.Numeric):
        return decimal.Decimal(n)
    if isinstance(kind, sa.DateTime):
        return dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC if kind.timezone else None)
    if isinstance(kind, sa.Date):
        return dt.date(2026, 1, 2)
    if isinstance(kind, sa.JSON):
        return {"n": n}
    if isinstance(kind, sa.LargeBinary):
        return b"\x00upgrade"
    if isinstance(kind, sa.Uuid):
        return uuid.UUID(int=n)
    if isinstance(kind, sa.Enum) and kind.enums:
        return kind.enums[0]
    length = getattr(kind, "length", None) or 40
    return f"u{n}-{column.name}"[:length]


# (table, column) -> a value its constraints accept, for a column the generic values do not fit
VALUE_HINTS: dict[tuple[str, str], object] = {}


def seed_every_table(url: str) -> dict[str, dict[str, object]]:
    """One row per table (parents first); returns each row as read back, by table."""
    engine = make_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    written: dict[str, dict[str, object]] = {}
    with engine.begin() as conn:
        for n, table in enumerate(meta.sorted_tables, start=1000):
            if table.name == "alembic_version":
                continue
            row: dict[str, object] = {}
            for column in table.columns:
                fks = list(column.foreign_keys)
                if fks:
                    parent = written.get(fks[0].column.table.name)
                    if parent is not None:
                        row[column.name] = parent[fks[0].column.name]
                    elif not column.nullable:
                        row[column.name] = conn.execute(sa.select(fks[0].column).limit(1)).scalar_one()
                    continue
                auto = column.primary_key and isinstance(column.type, sa.Integer) and len(table.primary_key) == 1
                if auto or (column.nullable and not column.primary_key) or column.server_default is not None:
                    continue
                row[column.name] = VALUE_HINTS.get((table.name, column.name), _value(column, n))
            try:
                key = conn.execute(table.insert().values(row)).inserted_primary_key
            except sa.exc.DBAPIError as exc:  # e.g. a CHECK constraint the generic value does not meet
                raise AssertionError(f"seeding {table.name} with {row} failed ({exc.orig}); add the column's value to "
                                     "VALUE_HINTS in tests/integration/test_upgrades.py") from None
            where = [c == v for c, v in zip(table.primary_key.columns, key, strict=True)]
            written[table.name] = dict(conn.execute(sa.select(table).where(*where)).mappings().one())
    engine.dispose()
    return written


def read_back(url: str, written: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    """The same rows after the upgrade, by primary key, limited to the columns they had before."""
    engine = make_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    found: dict[str, dict[str, object]] = {}
    with engine.connect() as conn:
        for name, before in written.items():
            table = meta.tables[name]
            where = [c == before[c.name] for c in table.primary_key.columns]
            row = conn.execute(sa.select(table).where(*where)).mappings().one_or_none()
            found[name] = {} if row is None else {k: row[k] for k in before if k in row}
    engine.dispose()
    return found


def schema_drift(url: str) -> list[Any]:
    for module in pkgutil.walk_packages(cobro.__path__, "cobro."):
        if module.name.rsplit(".", 1)[-1] == "records":
            importlib.import_module(module.name)
    engine = create_engine(normalize_url(url))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    return list(diff)


def test_there_are_earlier_states_to_upgrade_from() -> None:
    assert len(STATES) >= 10
    assert STATES[0][1] == ["0001"]  # the ledger base alone was the first version


@pytest.mark.slow
def test_every_earlier_state_upgrades_with_its_data(databases: Databases) -> None:
    failures = []
    for last_file, heads in STATES:
        databases.climb_to(heads)
        url = databases.fresh_copy()
        written = seed_every_table(url)
        assert "customers" in written and "invoices" in written

        engine = make_engine(url)
        upgrade(engine)  # what `cobro init` runs
        engine.dispose()
        after = read_back(url, written)
        if after != written:
            lost = {t: (written[t], after[t]) for t in written if after[t] != written[t]}
            failures.append(f"from {last_file}: rows changed or lost: {lost}")
        drift = schema_drift(url)
        if drift:
            failures.append(f"from {last_file}: schema differs from the models: {drift[:3]}")
    assert failures == []
