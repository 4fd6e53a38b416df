"""What every dashboard page shares: the templates, the language, the signed-in user's role and CSRF token, the
as-of date carried by links, and the error pages (an anonymous page request is sent to the login page).

`cobro.platform.http.errors` calls `render_error` for anything outside /api.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from cobro.platform.db.features import Features
from cobro.platform.http.auth import SESSION_COOKIE, signing_key
from cobro.platform.http.csrf import CSRF_FIELD, CSRF_HEADER, csrf_token
from cobro.platform.web.i18n import LANGUAGES, STRINGS, Formatter, negotiate

LANG_COOKIE = "cobro_lang"
TEMPLATES = Jinja2Templates(env=Environment(loader=PackageLoader("cobro.workspace", "templates"),
                                            autoescape=select_autoescape(), trim_blocks=True, lstrip_blocks=True))


def language(request: Request) -> Formatter:
    return Formatter(negotiate(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                               request.headers.get("accept-language")))


class Viewer:
    """The signed-in principal as templates see it: name, role and `may(permission)` in the page's tenant."""

    def __init__(self, request: Request, tenant: str | None) -> None:
        self.principal = getattr(request.state, "principal", None)
        self.tenant = tenant or (self.principal.default_tenant if self.principal is not None else None) or ""

    @property
    def name(self) -> str:
        return str(self.principal.name) if self.principal is not None else ""

    @property
    def role(self) -> str:
        return (self.principal.role_in(self.tenant) or "") if self.principal is not None else ""

    def may(self, permission: str) -> bool:
        return self.principal is not None and bool(self.principal.may(self.tenant, permission))


def page_csrf(request: Request) -> str:
    """The CSRF token of the request's session ("" without a session cookie: bearer clients need none)."""
    session = request.cookies.get(SESSION_COOKIE)
    return csrf_token(signing_key(request), session) if session else ""


def link(path: str, as_of: dt.date | str | None = None, **params: object) -> str:
    """A link that keeps the page's date: `?as_of=` plus any other non-empty parameters."""
    query = {k: str(v) for k, v in {"as_of": as_of or "", **params}.items() if v not in ("", None)}
    return path + ("?" + urlencode(query) if query else "")


def render(request: Request, template: str, *, status_code: int = 200, **context: Any) -> Response:
    fmt = language(request)
    lang = fmt.lang
    features = getattr(request.app.state, "features", Features())
    explicit_as_of = request.query_params.get("as_of", "")
    response = TEMPLATES.TemplateResponse(request, template, {
        "f": fmt, "t": fmt.t, "lang": lang, "languages": LANGUAGES, "features": features,
        "viewer": Viewer(request, context.get("tenant")), "csrf": page_csrf(request), "csrf_header": CSRF_HEADER,
        "csrf_field": CSRF_FIELD, "link": link, "as_of_param": explicit_as_of, **context,
    }, status_code=status_code)
    if request.query_params.get("lang") == lang:  # remember an explicit choice
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def login_redirect(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="")


def render_error(request: Request, status: int, title: str, detail: str) -> Response:
    if status == 401 and request.method == "GET":
        if request.headers.get("HX-Request"):  # a fragment: htmx sends the whole page to the login
            return Response(status_code=401, headers={"HX-Redirect": login_redirect(request)})
        return RedirectResponse(login_redirect(request), status_code=303)
    fmt = language(request)
    title = fmt.t(f"status_{status}") if f"status_{status}" in STRINGS else title
    return render(request, "error.html", status_code=status, status=status, title=title,
                  detail=fmt.known(detail) or detail)
