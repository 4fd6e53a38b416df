"""The identity API: the OAuth2 password flow (token, refresh, logout), `GET /api/v1/me`, and the authenticator
the app installs for every request (`cobro.platform.http.auth`).

Each handler owns its transaction: a failed login is committed too, because throttling counts it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from cobro.identity import service
from cobro.identity.schemas import Principal as IdentityPrincipal
from cobro.identity.schemas import TokenPair, User
from cobro.kernel.errors import AuthenticationError, ThrottledError
from cobro.platform.container import Container
from cobro.platform.http.auth import Credentials, Principal, PrincipalDep, TenantDep, public, signing_key
from cobro.platform.http.deps import ContainerDep
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/v1", tags=["identity"], responses=PROBLEMS)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds the access token is valid", examples=[900])
    refresh_token: str


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class MembershipOut(BaseModel):
    tenant: str
    role: str
    default: bool


class MeOut(BaseModel):
    kind: str = Field(examples=["user"])
    id: str
    name: str = Field(description="The user's e-mail or the API key's name")
    tenant: str = Field(description="The tenant this request acts for")
    role: str
    memberships: list[MembershipOut]


def authenticate(container: Container, credentials: Credentials, *, secret: bytes,
                 now: dt.datetime) -> IdentityPrincipal | None:
    """The app's authenticator: an API key, else a bearer access token, else the dashboard's session cookie."""
    with container.uow() as uow:
        if credentials.api_key:
            found = service.principal_for_api_key(uow, key=credentials.api_key, now=now)
            uow.commit()  # last used
            return found
        if credentials.bearer:
            return service.principal_for_token(uow, token=credentials.bearer, secret=secret, kind="access", now=now)
        if credentials.session:
            return service.principal_for_session(uow, token=credentials.session, now=now)
    return None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def password_login(container: Container, *, email: str, password: str, address: str) -> User:
    """Check a password (committing the attempt); AuthenticationError or ThrottledError when refused."""
    now = container.clock.now()
    with container.uow() as uow:
        result = service.authenticate(uow, email=email, password=password, address=address, now=now)
        uow.commit()
    if result.locked_until is not None:
        wait = int((result.locked_until - now).total_seconds())
        raise ThrottledError(f"too many failed logins; try again in {wait // 60 + 1} minutes", retry_after=wait)
    if result.user is None:
        raise AuthenticationError("wrong e-mail or password")
    return result.user


def _token_out(pair: TokenPair) -> TokenOut:
    return TokenOut(access_token=pair.access_token, expires_in=pair.expires_in, refresh_token=pair.refresh_token)


@router.post("/auth/token", response_model=TokenOut, summary="Log in (OAuth2 password flow)")
@public
def token(request: Request, container: ContainerDep,
          form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    user = password_login(container, email=form.username, password=form.password, address=client_address(request))
    with container.uow() as uow:
        pair = service.issue_tokens(uow, user=user, secret=signing_key(request), now=container.clock.now())
        uow.commit()
    return _token_out(pair)


@router.post("/auth/refresh", response_model=TokenOut, summary="Trade a refresh token for a new pair")
@public
def refresh(request: Request, container: ContainerDep, body: RefreshIn) -> TokenOut:
    with container.uow() as uow:
        result = service.refresh(uow, refresh_token=body.refresh_token, secret=signing_key(request),
                                 now=container.clock.now())
        uow.commit()  # a reused token revoked its family: that must stick
    if result.pair is None:
        raise AuthenticationError(result.reason)
    return _token_out(result.pair)


@router.post("/auth/logout", status_code=204, summary="Revoke the login a refresh token belongs to")
def logout(container: ContainerDep, principal: PrincipalDep, body: RefreshIn) -> Response:
    with container.uow() as uow:
        service.logout(uow, refresh_token=body.refresh_token, user_id=principal.id, now=container.clock.now())
        uow.commit()
    return Response(status_code=204)


@router.get("/me", response_model=MeOut, summary="Who am I, in which tenant, with which role")
def me(principal: PrincipalDep, tenant: TenantDep) -> MeOut:
    return MeOut(kind=principal.kind, id=principal.id, name=principal.name, tenant=tenant,
                 role=principal.role_in(tenant) or "", memberships=_memberships(principal))


def _memberships(principal: Principal) -> list[MembershipOut]:
    if not isinstance(principal, IdentityPrincipal):
        return []
    return [MembershipOut(tenant=m.tenant, role=str(m.role), default=m.is_default) for m in principal.memberships]
