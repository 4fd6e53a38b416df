"""The one place that turns errors into HTTP status codes: `CobroError` family → RFC 9457 problem JSON.

Pages (anything outside /api) get the same status with an HTML body when the web layer registered a renderer.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from cobro.kernel.errors import (
    AuthenticationError,
    CobroError,
    ConflictError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
# most specific first: the first matching class decides
STATUS: tuple[tuple[type[CobroError], int, str], ...] = (
    (NotFoundError, 404, "not-found"),
    (InvalidInputError, 422, "invalid-input"),
    (ConflictError, 409, "conflict"),
    (InvalidTransitionError, 409, "invalid-transition"),
    (AuthenticationError, 401, "unauthenticated"),
    (PermissionDeniedError, 403, "forbidden"),
    (ThrottledError, 429, "throttled"),
)
TITLES = {400: "Bad request", 401: "Authentication required", 403: "Forbidden", 429: "Too many requests",
          404: "Not found", 405: "Method not allowed", 409: "Conflict",
          413: "Payload too large", 422: "Invalid input", 500: "Internal error"}

HtmlRenderer = Callable[[Request, int, str, str], Response]  # (request, status, title, detail)


def status_of(exc: CobroError) -> tuple[int, str]:
    for cls, status, slug in STATUS:
        if isinstance(exc, cls):
            return status, slug
    return 400, "cobro-error"


def problem(status: int, slug: str, detail: str, *, instance: str = "",
            errors: list[dict[str, object]] | None = None) -> JSONResponse:
    body: dict[str, object] = {"type": f"https://cobro.dev/problems/{slug}", "title": TITLES.get(status, "Error"),
                               "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def install_error_handlers(app: FastAPI, html: HtmlRenderer | None = None) -> None:
    def respond(request: Request, status: int, slug: str, detail: str,
                errors: list[dict[str, object]] | None = None) -> Response:
        # pages answer with a page; the API and a metrics scraper (/metrics) with a problem document
        if html is not None and not request.url.path.startswith(("/api", "/metrics")):
            return html(request, status, TITLES.get(status, "Error"), detail)
        return problem(status, slug, detail, instance=request.url.path, errors=errors)

    async def on_cobro_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, CobroError)
        status, slug = status_of(exc)
        problems = getattr(exc, "problems", None)
        response = respond(request, status, slug, str(exc), [p.as_dict() for p in problems] if problems else None)
        if isinstance(exc, AuthenticationError):  # RFC 6750: say which scheme is expected
            response.headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, ThrottledError) and exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        located = [(".".join(str(p) for p in e.get("loc", ())), str(e.get("msg", ""))) for e in exc.errors()]
        errors: list[dict[str, object]] = [{"loc": loc.split("."), "message": msg} for loc, msg in located]
        detail = "; ".join(f"{loc}: {msg}" for loc, msg in located)
        return respond(request, 422, "invalid-input", detail or "invalid request", errors)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return respond(request, exc.status_code, "http", str(exc.detail))

    app.add_exception_handler(CobroError, on_cobro_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
