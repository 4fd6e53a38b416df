"""The dashboard's login page, its session cookie and logout.

The cookie holds a signed session token (8 hours): HttpOnly (no script reads it), SameSite=Lax (not sent by
cross-site posts), Secure unless the dashboard is served on loopback (a local `cobro serve` has no TLS).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from cobro.identity import service
from cobro.identity.api import client_address, password_login
from cobro.kernel.errors import AuthenticationError, ThrottledError
from cobro.platform.http.auth import SESSION_COOKIE, public, signing_key
from cobro.platform.http.deps import ContainerDep

TEMPLATES = Jinja2Templates(env=Environment(loader=PackageLoader("cobro.identity", "templates"),
                                            autoescape=select_autoescape()))
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def safe_next(target: str) -> str:
    """Only a path on this site (no scheme, no `//host`), so the login cannot redirect elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _page(request: Request, *, status_code: int = 200, error: str = "", next_url: str = "/",
          username: str = "") -> Response:
    return TEMPLATES.TemplateResponse(request, "login.html", {"error": error, "next": safe_next(next_url),
                                                              "username": username}, status_code=status_code)


@router.get("/login")
@public
def login_page(request: Request, next: str = "/") -> Response:
    return _page(request, next_url=next[:500])


@router.post("/login")
@public
def login(request: Request, container: ContainerDep, username: Annotated[str, Form(max_length=254)],
          password: Annotated[str, Form(max_length=256)], next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    try:
        user = password_login(container, email=username, password=password, address=client_address(request))
    except ThrottledError as exc:
        return _page(request, status_code=429, error=str(exc), next_url=next, username=username)
    except AuthenticationError as exc:
        return _page(request, status_code=401, error=str(exc), next_url=next, username=username)
    cookie = service.session_token(user=user, secret=signing_key(request), now=container.clock.now())
    response = RedirectResponse(safe_next(next), status_code=303)
    secure = request.url.scheme == "https" or (request.url.hostname or "") not in LOOPBACK
    response.set_cookie(SESSION_COOKIE, cookie, max_age=int(service.SESSION_TTL.total_seconds()), httponly=True,
                        samesite="lax", secure=secure, path="/")
    return response


@router.post("/logout")
@public
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
