"""Tables of the identity feature: users, their memberships of tenants, API keys, refresh tokens, dashboard
sessions, login attempts.

Secrets are never stored: passwords as argon2id hashes, API keys and refresh tokens as SHA-256 of a high-entropy
random secret (a fast hash is enough there: nobody can guess 256 random bits, unlike a password).  Users are
global (one person may work for several tenants); memberships, keys and roles are per tenant.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from cobro.platform.db.base import Base, IdType

_TS = DateTime(timezone=True)


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # normalized: lower case
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300), default="")  # "" = cannot log in with a password
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(_TS, server_default=func.now())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(_TS, nullable=True)


class MembershipRow(Base):
    """A user's role in one tenant; `is_default` marks the tenant a request gets when it names none."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "tenant_id"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(_TS, server_default=func.now())


class ApiKeyRow(Base):
    """A machine's key: scoped to one tenant and one role; `prefix` is shown in lists, `secret_hash` verifies."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(20), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(30))
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[dt.datetime] = mapped_column(_TS, server_default=func.now())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(_TS, nullable=True)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(_TS, nullable=True)


class RefreshTokenRow(Base):
    """One refresh token of a login.  Rotated on use: the old one is revoked and names its successor, so a
    replayed (stolen) token is recognised and revokes the whole family."""

    __tablename__ = "refresh_tokens"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(_TS, server_default=func.now())
    expires_at: Mapped[dt.datetime] = mapped_column(_TS)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(_TS, nullable=True)


class SessionRow(Base):
    """One dashboard login: the cookie carries a random secret, stored here as SHA-256, so logging out (or an
    administrator) revokes it on the server and a copied cookie dies with it."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(_TS, server_default=func.now())
    expires_at: Mapped[dt.datetime] = mapped_column(_TS)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(_TS, nullable=True)


class LoginAttemptRow(Base):
    """Every password login attempt, so throttling is counted in the database and several workers agree."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[dt.datetime] = mapped_column(_TS)
