"""Customer search takes `%`, `_` and `\\` literally (both searching repositories, SQLite and PostgreSQL).

`search=%` used to list every customer and `_` matched any character: the text went into LIKE unescaped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cobro.ledger.service import imports
from cobro.ledger.service.summary import list_customers
from cobro.platform.container import Container
from cobro.platform.db.like import contains, escape_like
from cobro.workspace import service as dashboard

CUSTOMERS = (
    "code,legal_name,country\n"
    "C1,100% Pinturas SL,ES\n"
    "C2,ACME_IBERIA SA,ES\n"
    "C3,Acme Iberia Norte SL,ES\n"
    "C4,Barra\\Invertida SL,ES\n"
    "C5,Cien por cien SL,ES\n"
)


@pytest.fixture
def searchable(container: Container, tmp_path: Path) -> Container:
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    with container.uow() as uow:
        assert imports.import_customers(uow, tmp_path / "c.csv").ok
        uow.commit()
    return container


@pytest.mark.parametrize(("search", "codes"), [
    ("%", ["C1"]),  # not everyone
    ("0%", ["C1"]),
    ("_", ["C2"]),  # not every name with a character in it
    ("e_i", ["C2"]),  # 'Acme Iberia' has "e i", which an unescaped `_` would match
    ("\\", ["C4"]),
    ("a\\i", ["C4"]),
    ("acme", ["C2", "C3"]),  # ordinary text still matches in any case
    ("%%", []),
])
def test_search_matches_literally(searchable: Container, search: str, codes: list[str]) -> None:
    with searchable.uow() as uow:
        ledger = sorted(c.code for c in list_customers(uow, search=search))
        page = dashboard.customers(uow, search=search, per_page=50)
    assert ledger == codes, "ledger.list_customers"
    assert sorted(r.code for r in page.rows) == codes and page.total == len(codes), "workspace customer_page"


def test_escape_like() -> None:
    assert escape_like("100%_a\\b") == "100\\%\\_a\\\\b"
    assert contains("x") == "%x%"
