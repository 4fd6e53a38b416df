"""Hostile files sent to the API (issue 14): decompression bombs, a lying zip, broken CSVs, YAML alias bombs and
deep nesting, as uploads and policy bodies. Each is refused with a problem or a report that names the file (and
the row or field where there is one), nothing is written, and the server never answers 5xx — on SQLite and
PostgreSQL. The same files are checked for bounded memory through the CLI (tests/integration/reliability)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests import hostile

UPLOADS: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "xlsx bomb": ("invoices", hostile.xlsx_bomb),
    "xlsx shared-strings bomb": ("invoices", hostile.xlsx_shared_strings_bomb),
    "xlsx wide row": ("invoices", hostile.xlsx_wide_row),
    "xlsx far row": ("invoices", hostile.xlsx_far_row),
    "csv unclosed quote": ("invoices", hostile.csv_unclosed_quote),
    "csv NUL byte": ("invoices", hostile.csv_nul_byte),
}


def _customers(client: TestClient) -> set[str]:
    return {c["code"] for c in client.get("/api/v1/customers", params={"limit": 100}).json()["items"]}


def _invoices(client: TestClient) -> int:
    return len(client.get("/api/v1/invoices", params={"limit": 100}).json()["items"])


@pytest.mark.parametrize("case", list(UPLOADS))
def test_a_hostile_ledger_upload_is_refused_naming_the_file(client: TestClient, tmp_path: Path, case: str) -> None:
    kind, make = UPLOADS[case]
    path = make(tmp_path / ("upload.xlsx" if case.startswith("xlsx") else "upload.csv"))
    before = (_customers(client), _invoices(client))
    r = client.post(f"/api/v1/imports/{kind}", files={"file": (path.name, path.read_bytes())})
    assert r.status_code == 422, (case, r.status_code, r.text[:300])
    body = r.json()
    problems = body.get("errors") or [{"file": body.get("detail", "")}]
    assert any(path.name in str(p.get("file", "")) + str(p.get("message", "")) for p in problems), body
    assert (_customers(client), _invoices(client)) == before  # nothing written


@pytest.mark.parametrize("make", [hostile.lying_zip, hostile.oversized_member_zip])
def test_a_hostile_statement_zip_is_refused(client: TestClient, tmp_path: Path, make: Callable[[Path], Path]) -> None:
    path = make(tmp_path / "statements.zip")
    r = client.post("/api/v1/statements", files={"file": (path.name, path.read_bytes())})
    assert r.status_code == 422, (r.status_code, r.text[:300])
    assert path.name in r.text
    assert client.get("/api/v1/statements").json()["items"] == []


@pytest.mark.parametrize("text", [hostile.yaml_alias_bomb(), hostile.yaml_deep(20_000), hostile.yaml_duplicate_key()],
                         ids=["alias bomb", "deep", "duplicate key"])
def test_a_hostile_policy_is_refused_with_a_problem(client: TestClient, text: str) -> None:
    versions = client.get("/api/v1/policies/versions").json()["items"]
    for route in ("/api/v1/policies/validate", "/api/v1/policies"):
        r = client.post(route, json={"yaml": text})
        assert r.status_code in (200, 413, 422), (route, r.status_code, r.text[:300])
        if r.status_code == 200:  # validate answers 200 with the problems it found
            assert r.json()["problems"], r.text[:300]
    assert client.get("/api/v1/policies/versions").json()["items"] == versions
