"""The ASGI application: the JSON API under /api and the dashboard pages, built from settings.

`create_app(settings)` builds nothing at import time; the lifespan builds the container once (engine, sessions,
clock) and detects the optional features.  Tests may pass a ready `container` instead.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from cobro import __version__
from cobro.audit import api as audit_api
from cobro.cashapp import api as cashapp_api
from cobro.collections.api import agency as collections_agency
from cobro.collections.api import cycles as collections_cycles
from cobro.collections.api import escalation as collections_escalation
from cobro.collections.api import exceptions as collections_exceptions
from cobro.collections.api import performance as collections_performance
from cobro.collections.api import policies as collections_policies
from cobro.collections.api import suspensions as collections_suspensions
from cobro.collections.api import tasks as collections_tasks
from cobro.comments import api as comments_api
from cobro.forecasting import api as forecasting_api
from cobro.identity import api as identity_api
from cobro.identity import web as identity_web
from cobro.jobs import api as jobs_api
from cobro.ledger.api import customers, customers_v1, invoices, ledger, payments
from cobro.ledger.api import imports as ledger_imports
from cobro.operations import api as operations_api
from cobro.platform.container import Container, build
from cobro.platform.db.features import detect_features, has_module
from cobro.platform.http import health
from cobro.platform.http.auth import authenticate_request
from cobro.platform.http.errors import install_error_handlers
from cobro.platform.http.idempotency import IdempotencyMiddleware
from cobro.platform.http.observe import ObserveMiddleware
from cobro.platform.http.openapi import OPENAPI_URL, install_openapi
from cobro.platform.http.ratelimit import install_rate_limits
from cobro.platform.http.security import install_security
from cobro.platform.settings import Settings, load_settings
from cobro.webhooks import api as webhooks_api


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> FastAPI:
    from cobro.workspace.web import mount, render_error

    settings = settings or (container.settings if container else load_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if container is not None:  # owned by the caller (tests), already on app.state
            yield
            return
        built = build(settings)
        app.state.container, app.state.features = built, detect_features(built.engine)
        try:
            yield
        finally:
            built.close()

    app = FastAPI(title="cobro", version=__version__, summary="B2B receivables: ledger, customers, reports",
                  lifespan=lifespan, openapi_url=OPENAPI_URL, docs_url=None, redoc_url=None,
                  dependencies=[Depends(authenticate_request)])  # every route needs a principal unless @public
    # identity answers "who is this?"; without a configured key tokens are signed with one that dies with the process
    app.state.authenticator, app.state.signing_key = identity_api.authenticate, signing_key(settings)
    app.state.worker_readiness = jobs_api.worker_readiness  # the heartbeat part of /api/ready
    if container is not None:
        app.state.container, app.state.features = container, detect_features(container.engine)
    api = APIRouter(prefix="/api")
    api.include_router(health.router)
    api.include_router(ledger.router)
    api.include_router(customers.router)
    api.include_router(customers_v1.router)
    api.include_router(invoices.router)
    api.include_router(invoices.notes)
    api.include_router(payments.router)
    api.include_router(ledger_imports.router)
    api.include_router(identity_api.router)
    api.include_router(collections_policies.router)
    api.include_router(collections_cycles.router)
    api.include_router(collections_tasks.router)
    api.include_router(collections_suspensions.hold_router)
    api.include_router(collections_suspensions.dispute_router)
    api.include_router(collections_suspensions.promise_router)
    api.include_router(collections_suspensions.plan_router)
    api.include_router(collections_exceptions.router)
    api.include_router(collections_escalation.router)
    api.include_router(collections_escalation.credit_router)
    api.include_router(collections_escalation.terms_router)
    api.include_router(collections_agency.router)
    api.include_router(collections_performance.router)
    api.include_router(comments_api.router)
    api.include_router(forecasting_api.router)
    api.include_router(cashapp_api.router)
    api.include_router(audit_api.router)
    api.include_router(webhooks_api.router)
    if has_module("cobro.reporting.service"):
        from cobro.reporting import api as reports

        api.include_router(reports.router)
        api.include_router(reports.v1)
    if has_module("cobro.risk.service"):
        from cobro.risk import api as risk_api

        api.include_router(risk_api.router)
    app.include_router(api)
    app.include_router(identity_web.router)
    app.include_router(operations_api.router)  # /metrics, outside /api: for a scraper, not for clients
    mount(app)
    install_error_handlers(app, html=render_error)
    install_openapi(app)  # security schemes, public operations, one tag per feature
    app.add_middleware(IdempotencyMiddleware)  # inside the body limit: a retried POST replays, never acts twice
    install_rate_limits(app, settings)  # before any route; inside the security headers, so a 429 carries them
    install_security(app, settings)  # headers, body limit, CORS; the docs pages from local assets
    app.add_middleware(ObserveMiddleware)  # outermost: request id, latency per route, one access log line
    return app


def signing_key(settings: Settings) -> bytes:
    """The key that signs access and session tokens: the settings' secret key, else a random one per process
    (a local dashboard; `cobro serve` on a network refuses to start without a configured key)."""
    configured = settings.secret_key.get_secret_value()
    if not configured and settings.environment != "local":  # an ASGI server started without `cobro serve`
        raise ValueError(f"COBRO_SECRET_KEY must be set outside environment=local "
                         f"(environment is {settings.environment!r})")
    return configured.encode("utf-8") if configured else secrets.token_bytes(32)
