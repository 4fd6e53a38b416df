"""Typed values of the identity feature: users, memberships, API keys, token pairs and the request's principal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from cobro.identity.domain import Role, allows


class PrincipalKind(StrEnum):
    USER = "user"
    APIKEY = "apikey"


@dataclass(frozen=True, slots=True)
class Membership:
    tenant: str  # the tenant's code
    role: Role
    is_default: bool = False

    def as_json(self) -> dict[str, object]:
        return {"tenant": self.tenant, "role": str(self.role), "default": self.is_default}


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    display_name: str
    active: bool
    created_at: dt.datetime | None
    last_login_at: dt.datetime | None
    memberships: tuple[Membership, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "email": self.email, "display_name": self.display_name, "active": self.active,
                "created_at": self.created_at.isoformat() if self.created_at else None,
                "last_login_at": self.last_login_at.isoformat() if self.last_login_at else None,
                "memberships": [m.as_json() for m in self.memberships]}


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key as lists show it: never the secret."""

    prefix: str
    tenant: str
    name: str
    role: Role
    created_by: str
    created_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    def as_json(self) -> dict[str, object]:
        def iso(d: dt.datetime | None) -> str | None:
            return d.isoformat() if d else None

        return {"prefix": self.prefix, "tenant": self.tenant, "name": self.name, "role": str(self.role),
                "created_by": self.created_by, "created_at": iso(self.created_at),
                "revoked_at": iso(self.revoked_at), "last_used_at": iso(self.last_used_at)}


@dataclass(frozen=True, slots=True)
class IssuedApiKey:
    """A new key and its secret, which is shown this once and stored only as a hash."""

    key: ApiKey
    secret: str


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds the access token is valid


@dataclass(frozen=True, slots=True)
class LoginResult:
    """The outcome of a password login.  A failure is a value (not an exception) so that the entrypoint still
    commits the recorded attempt that throttling counts."""

    user: User | None
    locked_until: dt.datetime | None = None  # set when the account or the address is locked

    @property
    def ok(self) -> bool:
        return self.user is not None


@dataclass(frozen=True, slots=True)
class RefreshResult:
    pair: TokenPair | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a user (roles per tenant) or an API key (one tenant, one role)."""

    kind: PrincipalKind
    id: str  # the user's id, or the key's prefix
    name: str  # the user's e-mail, or the key's name
    memberships: tuple[Membership, ...]

    @property
    def default_tenant(self) -> str | None:
        for m in self.memberships:
            if m.is_default:
                return m.tenant
        return self.memberships[0].tenant if self.memberships else None

    def role_in(self, tenant: str) -> str | None:
        for m in self.memberships:
            if m.tenant == tenant:
                return str(m.role)
        return None

    def may(self, tenant: str, permission: str) -> bool:
        role = self.role_in(tenant)
        return role is not None and allows(role, permission)

    def as_json(self) -> dict[str, object]:
        return {"kind": str(self.kind), "id": self.id, "name": self.name,
                "memberships": [m.as_json() for m in self.memberships]}
