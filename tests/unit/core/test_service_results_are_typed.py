"""Services hand back typed values: no public function of a feature's services returns a `dict`, `Any` or an ORM row.

A result is a frozen dataclass (or pydantic model) in the feature's `schemas.py`, carrying `Money`; the CLI and the
API turn it into JSON.  A `dict[...]` or `Any` result is an untyped bag whose keys only the callers know, and an
ORM `*Row` leaks the session out of the unit of work.  Mappings of typed values (`Mapping[str, Assessment]`) are
fine.  Checked on the source (AST), so a feature need not be importable to be checked.

To cover another feature once its services are typed, add it to `FEATURES`; the goal is every feature.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "src" / "cobro"
FEATURES = ["risk", "solvency", "forecasting", "reporting", "collections", "ledger", "workspace", "cashapp", "delivery", "tenancy",
            "identity", "jobs", "comments", "operations"]
UNTYPED = frozenset({"dict", "Dict", "DefaultDict", "OrderedDict", "Any"})


def service_modules(feature: str) -> list[Path]:
    """`<feature>/service.py` or the modules of `<feature>/service/`."""
    root = PACKAGE / feature
    return sorted([*root.glob("service.py"), *root.glob("service/*.py")])


def _names(annotation: ast.expr) -> list[str]:
    """Every name an annotation mentions (`typing.Any` gives "Any"; a string annotation is parsed first)."""
    out: list[str] = []
    for node in ast.walk(annotation):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out += _names(ast.parse(node.value, mode="eval").body)
        elif isinstance(node, ast.Name):
            out.append(node.id)
        elif isinstance(node, ast.Attribute):
            out.append(node.attr)
    return out


def offences(source: str) -> list[str]:
    """Public module-level functions whose return annotation is missing or names dict / Any / an ORM `*Row`."""
    found: list[str] = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name.startswith("_"):
            continue
        if node.returns is None:
            found.append(f"{node.name}: no return annotation")
            continue
        bad = sorted({n for n in _names(node.returns) if n in UNTYPED or (n.endswith("Row") and n != "Row")})
        if bad:
            found.append(f"{node.name}: returns {ast.unparse(node.returns)} ({', '.join(bad)})")
    return found


def test_the_check_catches_untyped_results() -> None:
    sample = '''
from typing import Any
import typing
def report(uow) -> dict[str, Any]: ...
def rows(uow) -> list[CustomerRow]: ...
def quoted(uow) -> "typing.Any": ...
def nested(uow) -> Mapping[str, list[dict[str, int]]]: ...
def bare(uow): ...
async def later(uow) -> typing.Dict[str, int]: ...
def _private(uow) -> dict[str, Any]: ...
def fine(uow) -> Mapping[str, Assessment]: ...
def also_fine(uow) -> tuple[ScoreRun, list[Problem]] | None: ...
class Report:
    def as_json(self) -> dict[str, object]: ...
'''
    assert offences(sample) == [
        "report: returns dict[str, Any] (Any, dict)",
        "rows: returns list[CustomerRow] (CustomerRow)",
        "quoted: returns 'typing.Any' (Any)",
        "nested: returns Mapping[str, list[dict[str, int]]] (dict)",
        "bare: no return annotation",
        "later: returns typing.Dict[str, int] (Dict)",
    ]


@pytest.mark.parametrize("feature", FEATURES)
def test_public_service_functions_return_typed_values(feature: str) -> None:
    modules = service_modules(feature)
    assert modules, f"{feature} has no service modules to check"
    found = {str(p.relative_to(PACKAGE)): offences(p.read_text(encoding="utf-8")) for p in modules}
    assert {k: v for k, v in found.items() if v} == {}, "return a frozen dataclass from the feature's schemas.py"
