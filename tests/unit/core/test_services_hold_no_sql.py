"""Services hold no SQL: every query lives in the feature's `repository` (docs/architecture.md).

A service may name SQLAlchemy's `Session`/`sessionmaker`/`Engine` (type hints, units of work) but may not import
query builders (`select`, `text`, `func`, `inspect`, …) or run statements on a session itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "src" / "cobro"
# every feature's use cases: `<feature>/service.py` or the modules of `<feature>/service/`
SERVICE_MODULES = sorted([*PACKAGE.glob("*/service.py"), *PACKAGE.glob("*/service/*.py")])
ALLOWED_NAMES = frozenset({"Session", "sessionmaker", "Engine"})
STATEMENT_METHODS = frozenset({"execute", "scalar", "scalars", "query"})


def violations(source: str) -> list[str]:
    """What in this module's source builds or runs SQL: one line per offence (`line: what`)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names
                      if a.name == "sqlalchemy" or a.name.startswith("sqlalchemy.")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sqlalchemy":
            found += [f"{node.lineno}: from {node.module} import {a.name}" for a in node.names
                      if a.name not in ALLOWED_NAMES]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in STATEMENT_METHODS and "session" in ast.unparse(node.func.value).lower()):
            found.append(f"{node.lineno}: {ast.unparse(node.func)}(...)")
    return found


def test_the_check_catches_queries() -> None:
    sample = ("from sqlalchemy import select, text\nfrom sqlalchemy.orm import Session\nimport sqlalchemy as sa\n"
              "def f(session: Session, run):\n    session.execute(text('SELECT 1'))\n"
              "    return run.session.scalar(select(1))\n")
    assert violations(sample) == ["1: from sqlalchemy import select", "1: from sqlalchemy import text",
                                  "3: import sqlalchemy", "5: session.execute(...)", "6: run.session.scalar(...)"]
    assert violations("from sqlalchemy.orm import Session, sessionmaker\nfrom sqlalchemy import Engine\n") == []


@pytest.mark.parametrize("path", SERVICE_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_service_modules_hold_no_sql(path: Path) -> None:
    assert violations(path.read_text(encoding="utf-8")) == [], "move these queries into the feature's repository"


def test_every_feature_has_services_to_check() -> None:
    assert len(SERVICE_MODULES) > 20
