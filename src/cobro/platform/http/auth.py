"""Authentication and permissions: the one place every request is checked.

`create_app` installs `authenticate_request` as an application-wide dependency, so every route — those that exist
and those added later — requires a principal, except endpoints marked `@public` (health, the login endpoints).
Platform knows no feature: the app wires an `Authenticator` (identity's) onto `app.state.authenticator`; it turns
the request's credentials into a `Principal`, anything satisfying the protocol below.

Routes declare what they need with `dependencies=[require("ledger.read")]`; the tenant of a request is the
principal's (the `X-Cobro-Tenant` header picks one of theirs; a tenant they do not belong to is "not found").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Header, Request
from fastapi.params import Depends as DependsParam

from cobro.kernel.errors import AuthenticationError, NotFoundError, PermissionDeniedError
from cobro.platform.actor import Actor, ActorKind
from cobro.platform.container import Container
from cobro.platform.http.csrf import CSRF_HEADER, SAFE_METHODS, csrf_ok

TENANT_HEADER = "X-Cobro-Tenant"
SESSION_COOKIE = "cobro_session"
API_KEY_HEADER = "X-Api-Key"
API_KEY_MARK = "cobro_"  # API keys start with this, so one `Authorization: Bearer` header carries either kind

F = TypeVar("F", bound=Callable[..., Any])


class Principal(Protocol):
    """Who is calling (identity's `Principal` satisfies this)."""

    @property
    def kind(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def default_tenant(self) -> str | None: ...
    def role_in(self, tenant: str) -> str | None: ...
    def may(self, tenant: str, permission: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Credentials:
    """What the request presented: a bearer access token, an API key, a dashboard session cookie."""

    bearer: str | None = None
    api_key: str | None = None
    session: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.bearer or self.api_key or self.session)


class Authenticator(Protocol):
    def __call__(self, container: Container, credentials: Credentials, *, secret: bytes,
                 now: dt.datetime) -> Principal | None: ...


def public(endpoint: F) -> F:
    """Mark an endpoint that answers without credentials (health, login)."""
    endpoint.__cobro_public__ = True  # type: ignore[attr-defined]
    return endpoint


def is_public(endpoint: object) -> bool:
    return bool(getattr(endpoint, "__cobro_public__", False))


def credentials_of(request: Request) -> Credentials:
    bearer = api_key = None
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        token = value.strip()
        if token.startswith(API_KEY_MARK):
            api_key = token
        else:
            bearer = token
    api_key = request.headers.get(API_KEY_HEADER) or api_key
    return Credentials(bearer, api_key, request.cookies.get(SESSION_COOKIE) or None)


def signing_key(request: Request) -> bytes:
    key: bytes = request.app.state.signing_key
    return key


def authenticate_request(request: Request) -> Principal | None:
    """The application-wide dependency: the principal of the request (None only on public endpoints)."""
    if is_public(request.scope.get("endpoint")):
        return None
    container: Container = request.app.state.container
    credentials = credentials_of(request)
    if credentials.empty:
        raise AuthenticationError("authentication required: log in (POST /api/v1/auth/token) or send an API key")
    authenticator: Authenticator = request.app.state.authenticator
    principal = authenticator(container, credentials, secret=signing_key(request), now=container.clock.now())
    if principal is None:
        raise AuthenticationError("invalid or expired credentials")
    if (credentials.session and not (credentials.bearer or credentials.api_key)
            and request.method not in SAFE_METHODS
            and not csrf_ok(signing_key(request), credentials.session, request.headers.get(CSRF_HEADER))):
        # the cookie alone may come from another site's form: a change needs the page's CSRF token too
        raise PermissionDeniedError(f"csrf: this request needs the page's {CSRF_HEADER} header; reload the page")
    request.state.principal = principal
    return principal


def get_principal(principal: Annotated[Principal | None, Depends(authenticate_request)]) -> Principal:
    if principal is None:  # a public endpoint asked for a principal: a programming error, refused safely
        raise AuthenticationError("authentication required")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def actor_of(principal: Principal, tenant: str) -> Actor:
    kind = ActorKind.APIKEY if principal.kind == "apikey" else ActorKind.USER
    return Actor(kind, principal.id, principal.name, principal.role_in(tenant) or "")


def get_tenant(principal: PrincipalDep, x_cobro_tenant: Annotated[
        str | None, Header(alias=TENANT_HEADER, max_length=64,
                           description="Tenant code (default: the caller's default tenant)")] = None) -> str:
    """The request's tenant: the header's if the principal belongs to it, else their default tenant.  A tenant
    they do not belong to answers exactly like one that does not exist, so codes cannot be probed."""
    code = (x_cobro_tenant or "").strip() or principal.default_tenant
    if not code or principal.role_in(code) is None:
        raise NotFoundError(f"tenant {code or ''!r} does not exist")
    return code


TenantDep = Annotated[str, Depends(get_tenant)]


class Require:
    """A dependency that refuses (403) a principal whose role in the request's tenant lacks `permission`."""

    def __init__(self, permission: str) -> None:
        self.permission = permission

    def __call__(self, principal: PrincipalDep, tenant: TenantDep) -> None:
        if not principal.may(tenant, self.permission):
            raise PermissionDeniedError(f"permission {self.permission!r} is needed; your role in tenant "
                                        f"{tenant!r} is {principal.role_in(tenant)!r}")


def require(permission: str) -> DependsParam:
    """`dependencies=[require("ledger.read")]` on a route or router."""
    dependency: DependsParam = Depends(Require(permission))
    return dependency
