"""The Alembic migrations build exactly the schema the ORM records describe, on both back ends."""

from __future__ import annotations

import importlib
import pkgutil

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import cobro
from cobro.platform.db.base import Base
from cobro.platform.db.engine import normalize_url


def test_migrations_match_the_models(db_url: str) -> None:
    for module in pkgutil.walk_packages(cobro.__path__, "cobro."):
        if module.name.rsplit(".", 1)[-1] == "records":
            importlib.import_module(module.name)
    engine = create_engine(normalize_url(db_url))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
