"""All SQL of the identity feature.  Users and logins are global (a person may work for several tenants), so this
repository is not scoped to the unit of work's tenant: methods that concern one tenant take its id."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cobro.identity.domain import Role
from cobro.identity.records import (
    ApiKeyRow,
    LoginAttemptRow,
    MembershipRow,
    RefreshTokenRow,
    SessionRow,
    UserRow,
)
from cobro.identity.schemas import Membership
from cobro.platform.tenants import TenantRow, find_tenant
from cobro.platform.uow import RepositoryKey


class IdentityRepository(Protocol):
    def user_by_email(self, email: str) -> UserRow | None: ...
    def user_by_id(self, user_id: int) -> UserRow | None: ...
    def users(self) -> list[UserRow]: ...
    def user_count(self) -> int: ...
    def add_user(self, *, email: str, display_name: str, password_hash: str) -> UserRow: ...
    def set_password_hash(self, user_id: int, password_hash: str) -> None: ...
    def set_active(self, user_id: int, active: bool) -> None: ...
    def touch_login(self, user_id: int, at: dt.datetime) -> None: ...
    def tenant_id(self, code: str) -> int | None: ...
    def memberships_of(self, user_id: int) -> list[Membership]: ...
    def set_membership(self, *, user_id: int, tenant_id: int, role: Role, is_default: bool) -> None: ...
    def record_attempt(self, *, email: str, address: str, succeeded: bool, at: dt.datetime) -> None: ...
    def failures(self, *, email: str | None = None, address: str | None = None, since: dt.datetime) -> int: ...
    def add_refresh(self, *, user_id: int, token_hash: str, family: str, expires_at: dt.datetime) -> None: ...
    def refresh_by_hash(self, token_hash: str) -> RefreshTokenRow | None: ...
    def revoke_family(self, family: str, at: dt.datetime) -> None: ...
    def add_session(self, *, user_id: int, token_hash: str, expires_at: dt.datetime) -> None: ...
    def session_by_hash(self, token_hash: str) -> SessionRow | None: ...
    def revoke_session(self, token_hash: str, at: dt.datetime) -> bool: ...
    def add_api_key(self, *, tenant_id: int, prefix: str, secret_hash: str, name: str, role: Role,
                    created_by: str) -> None: ...
    def api_key(self, prefix: str) -> tuple[ApiKeyRow, str] | None: ...
    def api_keys(self, tenant_id: int) -> list[tuple[ApiKeyRow, str]]: ...
    def revoke_api_key(self, prefix: str, at: dt.datetime) -> None: ...
    def touch_api_key(self, prefix: str, at: dt.datetime) -> None: ...


class SqlIdentityRepository:
    def __init__(self, session: Session, tenant_id: int = 0) -> None:
        self.session = session  # tenant_id is unused: see the module docstring

    # --- users and memberships ---------------------------------------------------------------------------
    def user_by_email(self, email: str) -> UserRow | None:
        return self.session.scalar(select(UserRow).where(UserRow.email == email))

    def user_by_id(self, user_id: int) -> UserRow | None:
        return self.session.get(UserRow, user_id)

    def users(self) -> list[UserRow]:
        return list(self.session.scalars(select(UserRow).order_by(UserRow.email)))

    def user_count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(UserRow).where(UserRow.active)) or 0)

    def add_user(self, *, email: str, display_name: str, password_hash: str) -> UserRow:
        row = UserRow(email=email, display_name=display_name, password_hash=password_hash, active=True)
        self.session.add(row)
        self.session.flush()
        return row

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self.session.execute(update(UserRow).where(UserRow.id == user_id).values(password_hash=password_hash))

    def set_active(self, user_id: int, active: bool) -> None:
        self.session.execute(update(UserRow).where(UserRow.id == user_id).values(active=active))

    def touch_login(self, user_id: int, at: dt.datetime) -> None:
        self.session.execute(update(UserRow).where(UserRow.id == user_id).values(last_login_at=at))

    def tenant_id(self, code: str) -> int | None:
        found = find_tenant(self.session, code)
        return None if found is None else found.id

    def memberships_of(self, user_id: int) -> list[Membership]:
        rows = self.session.execute(
            select(TenantRow.code, MembershipRow.role, MembershipRow.is_default)
            .join(TenantRow, TenantRow.id == MembershipRow.tenant_id)
            .where(MembershipRow.user_id == user_id).order_by(TenantRow.code))
        return [Membership(str(code), Role(role), bool(default)) for code, role, default in rows]

    def set_membership(self, *, user_id: int, tenant_id: int, role: Role, is_default: bool) -> None:
        row = self.session.scalar(select(MembershipRow).where(MembershipRow.user_id == user_id,
                                                              MembershipRow.tenant_id == tenant_id))
        if is_default:  # one default tenant per user
            self.session.execute(update(MembershipRow).where(MembershipRow.user_id == user_id)
                                 .values(is_default=False))
        if row is None:
            self.session.add(MembershipRow(user_id=user_id, tenant_id=tenant_id, role=str(role),
                                           is_default=is_default))
        else:
            row.role, row.is_default = str(role), is_default or row.is_default
        self.session.flush()

    # --- login attempts --------------------------------------------------------------------------------------
    def record_attempt(self, *, email: str, address: str, succeeded: bool, at: dt.datetime) -> None:
        self.session.add(LoginAttemptRow(email=email, address=address, succeeded=succeeded, at=at))
        self.session.flush()

    def failures(self, *, email: str | None = None, address: str | None = None, since: dt.datetime) -> int:
        """Failed attempts for the account (or the address) after `since` and after its last success."""
        who = LoginAttemptRow.email == email if email is not None else LoginAttemptRow.address == address
        last_ok = select(func.max(LoginAttemptRow.at)).where(who, LoginAttemptRow.succeeded).scalar_subquery()
        query = select(func.count()).select_from(LoginAttemptRow).where(
            who, LoginAttemptRow.succeeded.is_(False), LoginAttemptRow.at > since,
            (last_ok.is_(None)) | (LoginAttemptRow.at > last_ok))
        return int(self.session.scalar(query) or 0)

    # --- refresh tokens -------------------------------------------------------------------------------------
    def add_refresh(self, *, user_id: int, token_hash: str, family: str, expires_at: dt.datetime) -> None:
        self.session.add(RefreshTokenRow(user_id=user_id, token_hash=token_hash, family=family,
                                         expires_at=expires_at))
        self.session.flush()

    def refresh_by_hash(self, token_hash: str) -> RefreshTokenRow | None:
        return self.session.scalar(select(RefreshTokenRow).where(RefreshTokenRow.token_hash == token_hash))

    def revoke_family(self, family: str, at: dt.datetime) -> None:
        self.session.execute(update(RefreshTokenRow).where(RefreshTokenRow.family == family,
                                                           RefreshTokenRow.revoked_at.is_(None))
                             .values(revoked_at=at))

    # --- dashboard sessions -------------------------------------------------------------------------------------
    def add_session(self, *, user_id: int, token_hash: str, expires_at: dt.datetime) -> None:
        self.session.add(SessionRow(user_id=user_id, token_hash=token_hash, expires_at=expires_at))
        self.session.flush()

    def session_by_hash(self, token_hash: str) -> SessionRow | None:
        return self.session.scalar(select(SessionRow).where(SessionRow.token_hash == token_hash))

    def revoke_session(self, token_hash: str, at: dt.datetime) -> bool:
        done = self.session.execute(update(SessionRow).where(SessionRow.token_hash == token_hash,
                                                             SessionRow.revoked_at.is_(None))
                                    .values(revoked_at=at))
        return bool(getattr(done, "rowcount", 0))

    # --- API keys ---------------------------------------------------------------------------------------------
    def add_api_key(self, *, tenant_id: int, prefix: str, secret_hash: str, name: str, role: Role,
                    created_by: str) -> None:
        self.session.add(ApiKeyRow(tenant_id=tenant_id, prefix=prefix, secret_hash=secret_hash, name=name,
                                   role=str(role), created_by=created_by))
        self.session.flush()

    def api_key(self, prefix: str) -> tuple[ApiKeyRow, str] | None:
        found = self.session.execute(select(ApiKeyRow, TenantRow.code)
                                     .join(TenantRow, TenantRow.id == ApiKeyRow.tenant_id)
                                     .where(ApiKeyRow.prefix == prefix)).first()
        return None if found is None else (found[0], str(found[1]))

    def api_keys(self, tenant_id: int) -> list[tuple[ApiKeyRow, str]]:
        rows = self.session.execute(select(ApiKeyRow, TenantRow.code)
                                    .join(TenantRow, TenantRow.id == ApiKeyRow.tenant_id)
                                    .where(ApiKeyRow.tenant_id == tenant_id).order_by(ApiKeyRow.id))
        return [(row, str(code)) for row, code in rows]

    def revoke_api_key(self, prefix: str, at: dt.datetime) -> None:
        self.session.execute(update(ApiKeyRow).where(ApiKeyRow.prefix == prefix, ApiKeyRow.revoked_at.is_(None))
                             .values(revoked_at=at))

    def touch_api_key(self, prefix: str, at: dt.datetime) -> None:
        self.session.execute(update(ApiKeyRow).where(ApiKeyRow.prefix == prefix).values(last_used_at=at))


IDENTITY: RepositoryKey[IdentityRepository] = RepositoryKey("identity", SqlIdentityRepository, tenant_scoped=False)
