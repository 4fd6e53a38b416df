"""Schemathesis' stateless checks for every GET endpoint, run in-process against the ASGI app (SQLite ledger).

The budget is small (a few examples per operation) so the test stays well under 30 s; raise
COBRO_SCHEMATHESIS_EXAMPLES for a deeper run.
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
from sqlalchemy import create_engine

from cobro.app.http import create_app
from cobro.kernel.clock import FixedClock
from cobro.platform.container import build
from cobro.platform.db.migrate import upgrade
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
def api_schema(tmp_path: Path) -> Iterator[tuple[schemathesis.BaseSchema, dict[str, str]]]:
    """The app's schema and the headers of a logged-in admin (the routes but health require a principal)."""
    url = f"sqlite:///{tmp_path / 'schema.db'}"
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    container = build(Settings(database_url=url), clock=FixedClock(dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.UTC)))
    seed(container, tmp_path)
    add_user(container, tenants=("default", "other"))
    app = create_app(container=container)
    with TestClient(app) as client:
        headers = bearer(client)
    yield schemathesis.openapi.from_asgi("/api/v1/openapi.json", app).include(method="GET"), headers
    container.close()


def test_get_endpoints_conform_to_the_schema(api_schema: tuple[schemathesis.BaseSchema, dict[str, str]]) -> None:
    # one Hypothesis run per operation; schemathesis' pytest `from_fixture` does not work with pytest 9
    api_schema, headers = api_schema
    checked = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, excluded_checks=SEMANTIC.get(case.operation.label, [])
                                   + ([positive_data_acceptance] if _pages(case.operation) else []))

        check()
        checked.append(operation.label)
    assert {"GET /api/health", "GET /api/customers/{code}", "GET /api/reports/ageing"} <= set(checked)
