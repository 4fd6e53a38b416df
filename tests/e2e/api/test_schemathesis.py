"""Schemathesis' stateless checks for every operation, run in-process against the ASGI app on the small ledger (SQLite
and PostgreSQL): GETs must accept every schema-valid request, writes must never fail on the server.

The budget is small (a few examples per operation, ~20 s per database on an idle 2-core machine); raise
COBRO_SCHEMATHESIS_EXAMPLES / COBRO_SCHEMATHESIS_WRITE_EXAMPLES for a deeper run.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, positive_data_acceptance

from cobro.app.http import create_app
from cobro.kernel.clock import FixedClock
from cobro.platform.container import build
from cobro.platform.settings import Settings
from tests.e2e.auth import add_user, bearer
from tests.e2e.ledger import AS_OF, seed

# rules the query-string schema cannot express, so schema-valid data may get 422: bucket edges must increase;
# the worklist takes either `collector` or `mine=true`, not both
SEMANTIC = {"GET /api/reports/ageing": [positive_data_acceptance],
            "GET /api/v1/reports/ageing": [positive_data_acceptance],
            "GET /api/v1/risk/worklist": [positive_data_acceptance],
            "GET /api/v1/collector-performance": [positive_data_acceptance],  # the period may not follow as_of
            # readiness answers 503 by design while no worker beats (tests/integration/jobs checks both answers)
            "GET /api/ready": [not_a_server_error]}
EXAMPLES = int(os.environ.get("COBRO_SCHEMATHESIS_EXAMPLES", "15"))


def _pages(operation: Any) -> bool:
    """A listing with `cursor`: a cursor is opaque, any string fits its schema, and only one the API issued is
    accepted (others are a 422 naming `cursor`), so schema-valid data may rightly be refused there."""
    return any(p.name == "cursor" for p in operation.query)


@pytest.fixture
def api_schema(db_url: str, tmp_path: Path) -> Iterator[tuple[schemathesis.BaseSchema, dict[str, str]]]:
    """The app's schema and the headers of a logged-in admin (the routes but health require a principal), on
    SQLite and PostgreSQL."""
    container = build(Settings(database_url=db_url), clock=FixedClock(dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.UTC)))
    seed(container, tmp_path)
    add_user(container, tenants=("default", "other"))
    app = create_app(container=container)
    with TestClient(app) as client:
        headers = bearer(client)
    yield schemathesis.openapi.from_asgi("/api/v1/openapi.json", app), headers
    container.close()


def test_get_endpoints_conform_to_the_schema(api_schema: tuple[schemathesis.BaseSchema, dict[str, str]]) -> None:
    # one Hypothesis run per operation; schemathesis' pytest `from_fixture` does not work with pytest 9
    api_schema, headers = api_schema
    checked = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, excluded_checks=SEMANTIC.get(case.operation.label, [])
                                   + ([positive_data_acceptance] if _pages(case.operation) else []))

        check()
        checked.append(operation.label)
    assert {"GET /api/health", "GET /api/customers/{code}", "GET /api/reports/ageing"} <= set(checked)


WRITE_EXAMPLES = int(os.environ.get("COBRO_SCHEMATHESIS_WRITE_EXAMPLES", "6"))


def test_write_endpoints_never_fail_on_the_server(api_schema: tuple[schemathesis.BaseSchema, dict[str, str]]) -> None:
    """POST, PUT, PATCH and DELETE with schema-generated bodies: refused or done, never a 5xx or an answer the
    document does not describe. Semantic refusals (422 for a valid-looking body that breaks a business rule, 404 for
    an id that does not exist) are expected, so `positive_data_acceptance` is not checked here."""
    api_schema, headers = api_schema
    checked = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == "GET":
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=WRITE_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        check()
        checked.append(operation.label)
    assert {"POST /api/v1/customers", "PATCH /api/v1/customers/{code}", "POST /api/v1/promises"} <= set(checked)
