"""All SQL of the tenancy feature: the tenants (platform's table) and their profiles.

Unlike other repositories this one is not confined to the unit of work's tenant (its key is not tenant-scoped):
creating and listing tenants is work on the installation's directory of tenants.  Profile reads and writes name
the tenant they are for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.platform.tenants import TenantRow
from cobro.platform.uow import RepositoryKey
from cobro.tenancy.domain import Logo, Profile
from cobro.tenancy.records import TenantProfileRow

_PLAIN = ("legal_name", "trade_name", "tax_id", "postal_code", "city", "country", "iban", "bic",
          "payment_reference", "payment_instructions", "sender_name", "sender_email", "reply_to", "phone", "website",
          "signature", "language", "time_zone", "currency")


@dataclass(frozen=True, slots=True)
class TenantKey:
    id: int
    code: str
    name: str


class TenancyRepository(Protocol):
    def tenants(self) -> list[TenantKey]:
        """Every tenant of the installation, by code."""
        ...

    def find(self, code: str) -> TenantKey | None: ...

    def add_tenant(self, code: str, name: str) -> TenantKey: ...

    def rename(self, tenant_id: int, name: str) -> None: ...

    def profiles(self, tenant_ids: list[int]) -> dict[int, Profile]:
        """The stored profiles of these tenants (a tenant without a row is absent)."""
        ...

    def save_profile(self, tenant_id: int, profile: Profile) -> None:
        """Insert or replace the tenant's profile."""
        ...


class SqlTenancyRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def tenants(self) -> list[TenantKey]:
        rows = self.session.execute(select(TenantRow.id, TenantRow.code, TenantRow.name).order_by(TenantRow.code))
        return [TenantKey(int(i), str(c), str(n or "")) for i, c, n in rows]

    def find(self, code: str) -> TenantKey | None:
        row = self.session.execute(select(TenantRow.id, TenantRow.code, TenantRow.name)
                                   .where(TenantRow.code == code)).first()
        return None if row is None else TenantKey(int(row[0]), str(row[1]), str(row[2] or ""))

    def add_tenant(self, code: str, name: str) -> TenantKey:
        row = TenantRow(code=code, name=name)
        self.session.add(row)
        self.session.flush()
        return TenantKey(int(row.id), code, name)

    def rename(self, tenant_id: int, name: str) -> None:
        row = self.session.get(TenantRow, tenant_id)
        if row is not None:
            row.name = name

    def profiles(self, tenant_ids: list[int]) -> dict[int, Profile]:
        if not tenant_ids:
            return {}
        rows = self.session.scalars(select(TenantProfileRow).where(TenantProfileRow.tenant_id.in_(tenant_ids)))
        return {int(r.tenant_id): _profile(r) for r in rows}

    def save_profile(self, tenant_id: int, profile: Profile) -> None:
        row = self.session.get(TenantProfileRow, tenant_id)
        if row is None:
            row = TenantProfileRow(tenant_id=tenant_id)
            self.session.add(row)
        for field in _PLAIN:
            setattr(row, field, getattr(profile, field))
        row.address_lines = "\n".join(profile.address_lines)
        row.logo = None if profile.logo is None else profile.logo.data
        row.logo_media_type = "" if profile.logo is None else profile.logo.media_type


def _profile(row: TenantProfileRow) -> Profile:
    logo = Logo(bytes(row.logo), row.logo_media_type) if row.logo is not None else None
    lines = tuple(line for line in (row.address_lines or "").split("\n") if line)
    return Profile(address_lines=lines, logo=logo, **{f: str(getattr(row, f) or "") for f in _PLAIN})


# not tenant-scoped: the directory of tenants is read and written from any unit of work, even one whose tenant
# does not exist yet (`cobro --tenant new tenant create new`, `cobro init --tenant new`)
TENANCY: RepositoryKey[TenancyRepository] = RepositoryKey("tenancy", SqlTenancyRepository, tenant_scoped=False)
