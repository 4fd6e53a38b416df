"""Every request: a request id (the caller's `X-Request-ID` when it is a sane one, else a new one, echoed back),
bound to every log line logged while it runs; its latency in the route-template histogram; one access line.

Pure ASGI (no BaseHTTPMiddleware): it wraps the whole app, so the time includes the other middlewares, and the
route template is read from the scope once routing filled it in (`/api/v1/customers/{code}`, never the URL with
its values, which would make one series per customer).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cobro.platform import logs
from cobro.platform.metrics import observe_http

HEADER = "x-request-id"
SANE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")  # a caller's id is logged and echoed: no spaces, no markup
TENANT_HEADER = "x-cobro-tenant"

# a standard-library logger: silent at the default WARNING level until an entrypoint configures logging
_access = logging.getLogger("cobro.http")


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers") or ():
        if name == HEADER.encode():
            given = value.decode("latin-1")
            if SANE_ID.match(given):
                return str(given)
    return uuid.uuid4().hex


def route_of(scope: Scope) -> str:
    """The matched route's template (with its routers' prefixes); requests that matched no route share one label.

    A route inside an included router knows its path relative to the router (`/v1/customers/{code}`); the prefix
    is what the request path has before the part that route matched (`/api`)."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if isinstance(template, str):
        path = str(scope.get("path", ""))
        try:
            matched = template.format(**(scope.get("path_params") or {}))
        except (KeyError, IndexError, ValueError):
            matched = ""
        if matched and path.endswith(matched):
            return path[: len(path) - len(matched)] + template
        return template
    if scope.get("root_path") and scope.get("app_root_path") is not None:
        return str(scope["root_path"])  # a mounted app (static files): its mount point
    return "<unmatched>"


def tenant_of(scope: Scope) -> str:
    """The tenant a request acted for: the tenant header, else the authenticated principal's default."""
    for name, value in scope.get("headers") or ():
        if name == TENANT_HEADER.encode():
            return str(value.decode("latin-1"))[:64]
    principal = (scope.get("state") or {}).get("principal")
    return str(getattr(principal, "default_tenant", "") or "")


class ObserveMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        started = time.perf_counter()
        status = 500  # an exception before the response started is a 500 to the client
        logs.bind(request_id=request_id)

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers: list[Any] = list(message.get("headers") or [])
                headers.append((HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope)
            observe_http(method=scope["method"], route=route, status=status, seconds=seconds)
            tenant = tenant_of(scope)
            _access.info("request", extra={"method": scope["method"], "route": route, "path": scope.get("path", ""),
                                           "status": status, "duration_ms": round(seconds * 1000, 2),
                                           **({"tenant": tenant} if tenant else {})})
            logs.unbind("request_id")
