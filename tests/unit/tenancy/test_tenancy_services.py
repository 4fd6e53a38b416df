"""The tenancy use cases on an in-memory repository: flush never commit, all-or-nothing updates, clear errors."""

from __future__ import annotations

import pytest

from cobro.audit.repository import AUDIT
from cobro.kernel.errors import ConflictError, InvalidInputError, NotFoundError
from cobro.tenancy.domain import LETTER_FIELDS, Profile
from cobro.tenancy.repository import TENANCY, TenantKey
from cobro.tenancy.schemas import ProfileChanges
from cobro.tenancy.service import (
    MissingProfileError,
    create_tenant,
    ensure_tenant,
    letterhead,
    list_tenants,
    require,
    show_tenant,
    update_profile,
)
from tests.fakes import FakeUnitOfWork, InMemoryAudit


class InMemoryTenancyRepository:
    """The tenancy repository over two dicts (tenants by code, profiles by tenant id)."""

    def __init__(self) -> None:
        self.keys: dict[str, TenantKey] = {"default": TenantKey(1, "default", "Default tenant")}
        self.stored: dict[int, Profile] = {}

    def tenants(self) -> list[TenantKey]:
        return sorted(self.keys.values(), key=lambda k: k.code)

    def find(self, code: str) -> TenantKey | None:
        return self.keys.get(code)

    def add_tenant(self, code: str, name: str) -> TenantKey:
        key = self.keys[code] = TenantKey(len(self.keys) + 1, code, name)
        return key

    def rename(self, tenant_id: int, name: str) -> None:
        code = next(k.code for k in self.keys.values() if k.id == tenant_id)
        self.keys[code] = TenantKey(tenant_id, code, name)

    def profiles(self, tenant_ids: list[int]) -> dict[int, Profile]:
        return {i: self.stored[i] for i in tenant_ids if i in self.stored}

    def save_profile(self, tenant_id: int, profile: Profile) -> None:
        self.stored[tenant_id] = profile


def fake() -> tuple[FakeUnitOfWork, InMemoryTenancyRepository]:
    repo = InMemoryTenancyRepository()
    return FakeUnitOfWork({TENANCY: repo}), repo


def test_create_flushes_and_defaults_the_legal_name() -> None:
    uow, _ = fake()
    made = create_tenant(uow, code="acme", name="Acme SL", changes=ProfileChanges(iban="ES91 2100 0418 4502 0005 1332"))
    assert (made.code, made.profile.legal_name, made.profile.iban) == ("acme", "Acme SL", "ES9121000418450200051332")
    assert uow.flushes >= 1 and not uow.committed
    audit_log = uow.repo(AUDIT)
    assert isinstance(audit_log, InMemoryAudit)
    [entry] = audit_log.rows  # the creation is audited (in the caller's transaction)
    assert (entry["entity"], entry["entity_id"], entry["action"]) == ("tenant", "acme", "create")
    assert [t.code for t in list_tenants(uow).tenants] == ["acme", "default"]
    with pytest.raises(ConflictError, match="already exists"):
        create_tenant(uow, code="acme", name="Again")
    with pytest.raises(InvalidInputError, match="lower-case letters"):
        create_tenant(uow, code="ACME!", name="x")


def test_a_bad_create_writes_no_tenant() -> None:
    uow, repo = fake()
    with pytest.raises(InvalidInputError) as caught:
        create_tenant(uow, code="newco", name="Newco", changes=ProfileChanges(currency="EURO", time_zone="Nowhere"))
    assert [p.column for p in caught.value.problems] == ["time_zone", "currency"]
    assert "newco" not in repo.keys and uow.flushes == 0


def test_update_changes_only_what_is_given_and_is_all_or_nothing() -> None:
    uow, repo = fake()
    update_profile(uow, code="default", changes=ProfileChanges(legal_name="Uno SL", city="Madrid"))
    with pytest.raises(InvalidInputError):
        update_profile(uow, code="default", changes=ProfileChanges(city="Bilbao", iban="nope"))
    assert repo.stored[1].city == "Madrid"
    made = update_profile(uow, code="default", changes=ProfileChanges(phone="+34 600 000 000"), name="Uno")
    assert (made.name, made.profile.legal_name, made.profile.city, made.profile.phone) == (
        "Uno", "Uno SL", "Madrid", "+34 600 000 000")
    with pytest.raises(NotFoundError, match="cobro tenant create ghost --name"):
        show_tenant(uow, code="ghost")


def test_ensure_creates_once() -> None:
    uow, repo = fake()
    assert ensure_tenant(uow, code="filial") is True
    assert ensure_tenant(uow, code="filial") is False
    assert repo.keys["filial"].name == "filial"


def test_letterhead_is_the_acting_tenant_and_require_names_what_is_missing() -> None:
    uow, _ = fake()
    update_profile(uow, code="default", changes=ProfileChanges(legal_name="Uno SL", country="ES"))
    head = letterhead(uow)
    assert (head.code, head.profile.legal_name) == ("default", "Uno SL")
    with pytest.raises(MissingProfileError) as caught:
        require(head, LETTER_FIELDS, "a letter")
    assert caught.value.fields == ("tax_id", "address_lines", "postal_code", "city")
    assert "run `cobro tenant update default --tax-id ... --address ... --postal-code ... --city ...`" in str(
        caught.value)
