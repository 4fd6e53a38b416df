"""Which optional features this installation and this database have, detected once at start-up.

A feature counts when its module can be imported and the tables it needs exist, so a dashboard panel or an API
route whose feature is missing is hidden instead of failing.  Modules are looked up by name (never imported here):
the platform knows no feature's code.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

COLLECTIONS_TABLES = frozenset({"tasks", "promises", "disputes", "timeline_events"})
RISK_TABLES = frozenset({"risk_scores"})


def has_module(name: str) -> bool:
    """True when `name` can be imported (checked without importing it)."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a missing parent package
        return False


@dataclass(frozen=True, slots=True)
class Features:
    """Which optional panels the dashboard can show."""

    reporting: bool = False
    collections: bool = False
    risk: bool = False


def table_names(engine: Engine) -> set[str]:
    """The tables the database actually has."""
    return set(inspect(engine).get_table_names())


def detect_features(engine: Engine) -> Features:
    tables = table_names(engine)
    return Features(
        reporting=has_module("cobro.reporting.service"),
        collections=has_module("cobro.collections.service.tasks") and tables >= COLLECTIONS_TABLES,
        risk=has_module("cobro.risk.records") and tables >= RISK_TABLES,  # stored scores, read as they are
    )


def database_ok(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True
