"""Security headers and the request-body limit on every response, and CORS only for origins the operator lists.

One ASGI middleware (not Starlette's `BaseHTTPMiddleware`, which buffers the response) so the headers are on
every answer the app gives: API routes, pages, static files, error pages and problems, and the 413 it answers
itself.  A route that sets one of these headers keeps its own value.

The Content-Security-Policy allows scripts only from the app's own origin: no inline script, no `eval`
(templates load `/static/*.js`; htmx is told not to eval or inject styles by its `htmx-config` meta tag).  Style
*attributes* stay allowed (`style-src-attr`): the dashboard draws meters and stacked bars with a computed width,
and CSS in an attribute cannot run code.  The interactive API docs are the one exception for styles: Swagger UI
and ReDoc inject `<style>` elements at run time, and ReDoc starts its search worker from a `blob:` URL.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cobro.platform.http import docs
from cobro.platform.http.errors import problem
from cobro.platform.settings import Settings

_BASE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# the docs pages' bundles add <style> elements (styled-components, React) and ReDoc a blob: worker
_DOCS_POLICY = {**_BASE_POLICY, "style-src": "'self' 'unsafe-inline'", "worker-src": "'self' blob:"}
_DOCS_PATHS = frozenset({"/api/docs", "/api/redoc"})


def _policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


CONTENT_SECURITY_POLICY = _policy(_BASE_POLICY)
DOCS_CONTENT_SECURITY_POLICY = _policy(_DOCS_POLICY)
# features a receivables dashboard never uses: a framed or injected page cannot ask for them either
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
                      "payment=(), usb=()")


def security_headers(path: str, *, https: bool, hsts_seconds: int) -> dict[str, str]:
    """The headers every response to `path` carries (HSTS only over TLS: a browser ignores it on plain HTTP, and
    sending it from a local `http://127.0.0.1` would be a promise the server cannot keep)."""
    headers = {
        "Content-Security-Policy": DOCS_CONTENT_SECURITY_POLICY if path in _DOCS_PATHS else CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if https and hsts_seconds > 0:
        headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"
    return headers


class RequestTooLarge(StarletteHTTPException):
    """Raised from `receive` when a body without a (truthful) Content-Length grows past the limit; FastAPI lets
    HTTP exceptions through its body parsing, so the app's error handlers turn it into the 413 problem."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes (the server's max_request_bytes)")


class SecurityMiddleware:
    """Adds `security_headers` to every HTTP response and refuses bodies above `max_body_bytes` with 413."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, hsts_seconds: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.hsts_seconds = hsts_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope["path"], https=scope.get("scheme") == "https", hsts_seconds=self.hsts_seconds)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        declared = _declared_length(Headers(scope=scope))
        if declared is not None and declared > self.max_body_bytes:
            # refused before a byte of the body is read: the app never sees the request
            await self._too_large(scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, self._counting(receive), send_with_headers)
        except RequestTooLarge:
            if started:  # the app had answered already; nothing more can be said on this connection
                raise
            await self._too_large(scope, receive, send_with_headers)

    def _counting(self, receive: Receive) -> Receive:
        """`receive` that counts body bytes and stops at the limit (a chunked body, or a Content-Length that lies)."""
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise RequestTooLarge(self.max_body_bytes)
            return message

        return counted

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, "payload-too-large", RequestTooLarge(self.max_body_bytes).detail,
                           instance=str(scope.get("path", "")))
        response.headers["Connection"] = "close"  # the unread rest of the body must not be taken for a request
        await response(scope, receive, send)


def _declared_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None  # the server rejects a malformed Content-Length itself; counting still applies


def cors_origins(configured: Iterable[str]) -> list[str]:
    """The configured origins, stripped of blanks and trailing slashes (a browser's Origin header has neither)."""
    return [o.strip().rstrip("/") for o in configured if o.strip()]


# what a listed origin may send: the API's verbs and the headers its clients use (auth, tenant, idempotency, ETags)
CORS_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
CORS_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Cobro-Tenant"]


def install_security(app: FastAPI, settings: Settings) -> None:
    """Install the middleware (CORS inside it, so preflight answers carry the headers too) and the local docs
    pages, which replace FastAPI's CDN ones (create the app with `docs_url=None`)."""
    origins = cors_origins(settings.cors_origins)
    if origins:  # off by default: without the middleware a browser on another origin can read nothing
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=CORS_METHODS,
                           allow_headers=CORS_HEADERS, expose_headers=["ETag", "Location"], max_age=600)
    app.add_middleware(SecurityMiddleware, max_body_bytes=settings.max_request_bytes,
                       hsts_seconds=settings.hsts_seconds)
    app.include_router(docs.router)
