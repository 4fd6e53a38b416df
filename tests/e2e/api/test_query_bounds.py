"""Query parameters the API and the pages refuse or take literally (SQLite and PostgreSQL): dates out of range or
not ISO are 422 problems naming `as_of`; `%` and `_` in a search are characters, not wildcards."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

BAD_DAYS = ("0", "1700000000", "20250630", "1969-12-31", "1989-12-31", "2101-01-01", "0001-01-01", "2025-02-30")
DATED = ("/api/ledger/summary", "/api/customers/C001", "/api/reports/ageing")


@pytest.mark.parametrize("day", BAD_DAYS)
def test_out_of_range_or_non_iso_dates_are_422_problems(client: TestClient, day: str) -> None:
    for path in DATED:
        r = client.get(path, params={"as_of": day})
        assert r.status_code == 422, (path, day, r.text[:200])
        assert r.headers["content-type"].startswith("application/problem+json")
        problem = r.json()
        assert problem["errors"][0]["loc"][-1] == "as_of" and "as_of" in problem["detail"]
    page = client.get("/", params={"as_of": day}, headers={"Accept-Language": "en"})
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "as_of" in page.text


def test_dates_in_range_are_read(client: TestClient) -> None:
    for day in ("1990-01-01", "2025-06-30", "2100-12-31"):
        for path in DATED:
            assert client.get(path, params={"as_of": day}).status_code == 200, (path, day)
    # before any invoice was issued nothing is open
    assert client.get("/api/ledger/summary", params={"as_of": "1990-01-01"}).json()["open_invoices"] == 0


def test_the_schema_states_the_range(client: TestClient) -> None:
    params = client.get("/api/v1/openapi.json").json()["paths"]["/api/ledger/summary"]["get"]["parameters"]
    as_of = next(p for p in params if p["name"] == "as_of")
    day = next(s for s in as_of["schema"].get("anyOf", [as_of["schema"]]) if s.get("type") == "string")
    assert day["format"] == "date" and day["pattern"].startswith("^(199")


@pytest.mark.parametrize("search", ["%", "_", "%%", "C_0"])
def test_search_wildcards_are_literal(client: TestClient, search: str) -> None:
    r = client.get("/api/customers", params={"search": search})
    assert r.status_code == 200 and r.json()["total"] == 0, search  # no customer has these characters
    html = client.get("/fragments/search", params={"q": search}).text
    assert "/customers/C00" not in html
    assert client.get("/api/customers", params={"search": "C00"}).json()["total"] == 3
