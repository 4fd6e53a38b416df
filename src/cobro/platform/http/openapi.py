"""The OpenAPI document at `/api/v1/openapi.json`: how to authenticate, which routes need no credentials, one tag per
feature.

FastAPI only describes security it sees as a route dependency; cobro authenticates every request in one app-wide
dependency (`platform/http/auth.py`), so the schemes are added here: an OAuth2 password flow (the token endpoint),
the same bearer token or an API key in `Authorization: Bearer`, and an API key in `X-Api-Key`. Every operation
requires one of them except those marked `@public`, which carry an empty `security` list, so a client generated from
the document knows which calls need a login. `/api/openapi.json` (the first address) redirects here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import RedirectResponse
from fastapi.routing import iter_route_contexts
from starlette.requests import Request

from cobro.platform.http.auth import API_KEY_HEADER, is_public

OPENAPI_URL = "/api/v1/openapi.json"
LEGACY_OPENAPI_URL = "/api/openapi.json"
TOKEN_URL = "/api/v1/auth/token"

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "password": {
        "type": "oauth2",
        "description": "A user's e-mail and password exchanged for a short-lived access token and a refresh token.",
        "flows": {"password": {"tokenUrl": TOKEN_URL, "refreshUrl": TOKEN_URL, "scopes": {}}},
    },
    "bearer": {
        "type": "http", "scheme": "bearer",
        "description": "An access token from the token endpoint, or an API key (`cobro_<prefix>_<secret>`).",
    },
    "apiKey": {
        "type": "apiKey", "in": "header", "name": API_KEY_HEADER,
        "description": "An API key for a machine, scoped to one tenant and one role (`cobro apikey create`).",
    },
}
REQUIRED: list[dict[str, list[str]]] = [{"password": []}, {"bearer": []}, {"apiKey": []}]

# one tag per feature, in the order a reader meets them; a route's tag names the feature that owns it
TAG_DESCRIPTIONS = {
    "health": "Liveness and readiness; no credentials.",
    "identity": "Log in, tokens, who am I, users and API keys.",
    "ledger": "Customers, contacts, invoices, instalments, credit notes, payments and imports.",
    "collections": "Policies, cycle runs and their actions, tasks, holds, disputes, promises, plans, exceptions, "
                   "escalation, credit and terms.",
    "cashapp": "Bank statements, matches and their review.",
    "reporting": "Ageing, KPIs, cost, provisions, forecast.",
    "risk": "Risk, classification, recommendations, the worklist and alerts.",
    "audit": "The append-only audit log.",
    "webhooks": "Subscriptions to events and their delivery log.",
}
# tags some routers were given before the feature names settled
TAG_ALIASES = {"customers": "ledger", "reports": "reporting"}


# what any operation may answer before its route runs: no or bad credentials, a role without the permission, a
# spent rate budget (platform/http/auth.py, ratelimit.py); documented so a generated client expects them
_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
GUARD_RESPONSES = {
    "401": {"description": "No credentials, or credentials that are invalid or expired", "content": _PROBLEM},
    "403": {"description": "The caller's role in this tenant lacks the permission", "content": _PROBLEM},
}
WRITE_RESPONSES = {
    "409": {"description": "The change conflicts with the resource's state (a duplicate, a transition not allowed)",
            "content": _PROBLEM},
    "413": {"description": "The request body is larger than the server accepts", "content": _PROBLEM},
}
STALE = {"412": {"description": "If-Match does not match the resource's current ETag", "content": _PROBLEM}}
RATE_LIMITED = {"429": {"description": "Too many requests; Retry-After says when to try again",
                        "content": _PROBLEM}}


def document_problem(response: dict[str, Any]) -> None:
    """Every error may be an RFC 9457 problem (errors.py turns FastAPI's validation errors into one too); a body a
    route documents itself for an error (an import's report with its row errors) stays documented beside it."""
    content = response.setdefault("content", {})
    plain = content.get("application/json", {}).get("schema", {})
    if plain.get("$ref", "").endswith("/HTTPValidationError"):
        del content["application/json"]
    content.setdefault("application/problem+json", _PROBLEM["application/problem+json"])


def public_operations(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every documented route that needs no principal."""
    # FastAPI's own walk of the included routers (app.routes holds the routers, not their routes)
    return {(method.lower(), route.path) for route in iter_route_contexts(app.routes)
            if getattr(route, "dependant", None) is not None and route.path and is_public(route.endpoint)
            for method in route.methods or ()}


def operation_names(app: FastAPI, documented: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(method, path) → the endpoint's function name, for names that only one documented operation has:
    `create_customer` reads better in a generated client than FastAPI's `create_customer_api_v1_customers_post`."""
    named = [((method.lower(), route.path), route.name) for route in iter_route_contexts(app.routes)
             if getattr(route, "dependant", None) is not None and route.path and route.name
             for method in route.methods or () if (method.lower(), route.path) in documented]
    counts = Counter(name for _, name in named)
    return {key: name for key, name in named if counts[name] == 1}


def build_document(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes,
                           description="The cobro API. Every operation needs credentials unless its `security` "
                                       "list is empty; see docs/api.md for the flows.")
    document.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    document["security"] = REQUIRED
    documented = {(method, path) for path, ops in document.get("paths", {}).items() for method in ops}
    public, names = public_operations(app), operation_names(app, documented)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            operation["operationId"] = names.get((method, path), operation.get("operationId"))
            operation["tags"] = [TAG_ALIASES.get(tag, tag) for tag in operation.get("tags", [])]
            responses = operation.setdefault("responses", {})
            if (method, path) in public:
                operation["security"] = []
                if path.startswith("/api/v1/auth/"):  # the token endpoint refuses wrong passwords and tokens
                    responses.setdefault("401", GUARD_RESPONSES["401"])
            else:
                for status, response in GUARD_RESPONSES.items():
                    responses.setdefault(status, response)
            if method != "get":
                for status, response in WRITE_RESPONSES.items():
                    responses.setdefault(status, response)
            if any(p.get("name", "").lower() == "if-match" for p in operation.get("parameters", [])):
                for status, response in STALE.items():
                    responses.setdefault(status, response)
            if not path.startswith(("/api/health", "/api/ready")):
                for status, response in RATE_LIMITED.items():
                    responses.setdefault(status, response)
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    document_problem(response)
    used = {tag for operations in document.get("paths", {}).values() for op in operations.values()
            for tag in op.get("tags", [])}
    document["tags"] = [{"name": name, "description": text} for name, text in TAG_DESCRIPTIONS.items()
                        if name in used] + [{"name": name} for name in sorted(used - TAG_DESCRIPTIONS.keys())]
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve the document at OPENAPI_URL (set as the app's `openapi_url`) and redirect the first address to it."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    async def legacy(request: Request) -> RedirectResponse:
        return RedirectResponse(OPENAPI_URL, status_code=308)

    app.add_route(LEGACY_OPENAPI_URL, legacy, include_in_schema=False)
