"""The dashboard's login page, its session cookie and logout.

The cookie holds a random session secret whose hash identity stores (8 hours): HttpOnly (no script reads it),
SameSite=Lax (not sent by cross-site posts), Secure unless the dashboard is served on loopback (a local `cobro
serve` has no TLS).  Logout revokes the stored session, so a copy of the cookie stops working too; it needs the
session's CSRF token (`platform.http.csrf`), so another site cannot log a user out.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from cobro.identity import service
from cobro.identity.api import client_address, password_login
from cobro.identity.domain import Role
from cobro.identity.schemas import User
from cobro.kernel.errors import AuthenticationError, PermissionDeniedError, ThrottledError
from cobro.platform.http.auth import SESSION_COOKIE, public, signing_key
from cobro.platform.http.csrf import CSRF_FIELD, CSRF_HEADER, csrf_ok
from cobro.platform.http.deps import ContainerDep
from cobro.platform.web.i18n import LANGUAGES, Formatter, negotiate

LANG_COOKIE = "cobro_lang"  # the pages' language cookie (workspace.web.common)

TEMPLATES = Jinja2Templates(env=Environment(loader=PackageLoader("cobro.identity", "templates"),
                                            autoescape=select_autoescape()))
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def safe_next(target: str) -> str:
    """Only a path on this site (no scheme, no `//host`), so the login cannot redirect elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def landing(user: User, target: str) -> str:
    """Where a login lands: the page asked for, else a collector's Today list, else the overview."""
    if target != "/":
        return target
    home = next((m for m in user.memberships if m.is_default), user.memberships[0] if user.memberships else None)
    return "/today" if home is not None and home.role == Role.COLLECTOR else "/"


def _page(request: Request, *, status_code: int = 200, error: str = "", next_url: str = "/",
          username: str = "") -> Response:
    fmt = Formatter(negotiate(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                              request.headers.get("accept-language")))
    response = TEMPLATES.TemplateResponse(request, "login.html", {
        "error": fmt.t(error) if error else "", "next": safe_next(next_url), "username": username, "t": fmt.t,
        "lang": fmt.lang, "languages": LANGUAGES}, status_code=status_code)
    if request.query_params.get("lang") == fmt.lang:  # the pages remember the choice the same way
        response.set_cookie(LANG_COOKIE, fmt.lang, max_age=365 * 86400, samesite="lax")
    return response


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
    except ThrottledError:
        return _page(request, status_code=429, error="err_throttled", next_url=next, username=username)
    except AuthenticationError:
        return _page(request, status_code=401, error="err_login", next_url=next, username=username)
    with container.uow() as uow:
        cookie = service.open_session(uow, user=user, now=container.clock.now())
        uow.commit()
    response = RedirectResponse(landing(user, safe_next(next)), status_code=303)
    secure = request.url.scheme == "https" or (request.url.hostname or "") not in LOOPBACK
    response.set_cookie(SESSION_COOKIE, cookie, max_age=int(service.SESSION_TTL.total_seconds()), httponly=True,
                        samesite="lax", secure=secure, path="/")
    return response


@router.post("/logout")
@public  # an expired session can still clear its cookie
async def logout(request: Request, container: ContainerDep) -> Response:
    session = request.cookies.get(SESSION_COOKIE) or ""
    if session:
        form = await request.form()
        presented = request.headers.get(CSRF_HEADER) or str(form.get(CSRF_FIELD) or "")
        if not csrf_ok(signing_key(request), session, presented):
            raise PermissionDeniedError(f"csrf: logging out needs the page's {CSRF_FIELD}; reload the page")
        with container.uow() as uow:
            service.close_session(uow, token=session, now=container.clock.now())
            uow.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
