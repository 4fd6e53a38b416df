"""Tenants: the creditor whose ledger a unit of work reads and writes.

Every row in every feature carries a `tenant_id`; the unit of work resolves the tenant once (`uow.tenant`), so
services never look it up again and never take a tenant code in some functions and an id in others.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from cobro.kernel.errors import NotFoundError
from cobro.platform.db.base import Base, IdType


class TenantRow(Base):
    __tablename__ = "tenants"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")


@dataclass(frozen=True, slots=True)
class Tenant:
    """A resolved tenant: its id (for SQL), its code (for humans and URLs) and its display name."""

    id: int
    code: str
    name: str


def find_tenant(session: Session, code: str) -> Tenant | None:
    row = session.execute(select(TenantRow.id, TenantRow.code, TenantRow.name).where(TenantRow.code == code)).first()
    return None if row is None else Tenant(int(row.id), str(row.code), str(row.name or ""))


def resolve_tenant(session: Session, code: str, *, create: bool = False) -> Tenant:
    """The tenant with this code; with `create`, it is added (named after its code) when missing."""
    found = find_tenant(session, code)
    if found is not None:
        return found
    if not create:
        raise NotFoundError(f"tenant {code!r} does not exist (create it with `cobro tenant create {code} --name ...`, or `cobro init --tenant {code}`)")
    row = TenantRow(code=code, name=code)
    session.add(row)
    session.flush()
    return Tenant(int(row.id), code, code)

