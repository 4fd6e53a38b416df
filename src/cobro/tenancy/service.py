"""Tenancy use cases: create a tenant with its profile, update, show, list; and what documents ask of a profile.

Documents of every feature call `letterhead(uow)` for the acting tenant's profile and `require(profile, fields,
purpose)` before they print it: a missing field is an error that names the field and the command that sets it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.delivery.service.documents import shipped_templates
from cobro.kernel.errors import ConflictError, InvalidInputError, NotFoundError, Problem
from cobro.platform.uow import Uow
from cobro.tenancy.domain import SLUG, Profile, check_profile, missing_fields, missing_message
from cobro.tenancy.repository import TENANCY, TenantKey
from cobro.tenancy.schemas import ProfileChanges, TenantList, TenantProfile


class MissingProfileError(InvalidInputError):
    """A document needs a profile field the tenant has not set (the message names it and how to set it)."""

    def __init__(self, message: str, fields: Sequence[str]) -> None:
        super().__init__(message)  # the message names every field: callers print it once
        self.fields = tuple(fields)


def create_tenant(uow: Uow, *, code: str, name: str, changes: ProfileChanges | None = None) -> TenantProfile:
    """A new tenant `code` named `name`, with its profile (the legal name defaults to `name`)."""
    repo = uow.repo(TENANCY)
    if not SLUG.fullmatch(code):
        message = f"tenant code {code!r}: use lower-case letters, digits and '-' (at most 63)"
        raise InvalidInputError(message, [Problem(message, column="code")])
    name = name.strip()
    if not name:
        raise InvalidInputError("a tenant needs a name", [Problem("a tenant needs a name", column="name")])
    if repo.find(code) is not None:
        raise ConflictError(f"tenant {code!r} already exists (change it with `cobro tenant update {code} ...`)")
    profile = _checked((changes or ProfileChanges()).applied_to(Profile(legal_name=name)))
    key = repo.add_tenant(code, name)
    repo.save_profile(key.id, profile)
    uow.flush()
    audit.record(uow, Change("tenant", code, "create", None, {"name": name, **_audited(profile)}))
    return TenantProfile(key.code, key.name, profile)


def ensure_tenant(uow: Uow, *, code: str) -> bool:
    """Create tenant `code` (named after its code, empty profile) unless it exists; True when created."""
    repo = uow.repo(TENANCY)
    if repo.find(code) is not None:
        return False
    if not SLUG.fullmatch(code):
        raise InvalidInputError(f"tenant code {code!r}: use lower-case letters, digits and '-' (at most 63)")
    repo.add_tenant(code, code)
    uow.flush()
    return True


def update_profile(uow: Uow, *, code: str, changes: ProfileChanges, name: str | None = None) -> TenantProfile:
    """Change the given fields of tenant `code`'s profile (and its display name); all checked, or nothing written."""
    repo = uow.repo(TENANCY)
    key = _find(repo.find(code), code)
    current = repo.profiles([key.id]).get(key.id, Profile())
    profile = _checked(changes.applied_to(current))
    if name is not None:
        if not name.strip():
            raise InvalidInputError("a tenant needs a name", [Problem("a tenant needs a name", column="name")])
        repo.rename(key.id, name.strip())
    repo.save_profile(key.id, profile)
    uow.flush()
    before, after = _audited(current), _audited(profile)
    changed = sorted(k for k in after if before.get(k) != after[k])
    if changed or (name is not None and name.strip() != key.name):
        audit.record(uow, Change("tenant_profile", code, "update", {k: before.get(k) for k in changed},
                                 {k: after[k] for k in changed}))
    return TenantProfile(key.code, name.strip() if name is not None else key.name, profile)


def show_tenant(uow: Uow, *, code: str) -> TenantProfile:
    repo = uow.repo(TENANCY)
    key = _find(repo.find(code), code)
    return TenantProfile(key.code, key.name, repo.profiles([key.id]).get(key.id, Profile()))


def list_tenants(uow: Uow) -> TenantList:
    repo = uow.repo(TENANCY)
    keys = repo.tenants()
    profiles = repo.profiles([k.id for k in keys])
    return TenantList(tuple(TenantProfile(k.code, k.name, profiles.get(k.id, Profile())) for k in keys))


def letterhead(uow: Uow) -> TenantProfile:
    """The acting tenant's profile: who every letter, e-mail and pack of this unit of work is from."""
    tenant = uow.tenant
    profile = uow.repo(TENANCY).profiles([tenant.id]).get(tenant.id, Profile())
    return TenantProfile(tenant.code, tenant.name, profile)


def missing(profile: TenantProfile, fields: Sequence[str]) -> list[str]:
    """The fields of `fields` this profile lacks (see `cobro.tenancy.domain` for "payment")."""
    return missing_fields(profile.profile, fields)


def missing_reason(profile: TenantProfile, fields: Sequence[str], purpose: str) -> str:
    """Why `purpose` cannot be printed from this profile, naming the command that fixes it; "" when it can."""
    lacking = missing_fields(profile.profile, fields)
    return missing_message(profile.code, lacking, purpose) if lacking else ""


def require(profile: TenantProfile, fields: Sequence[str], purpose: str) -> None:
    """Raise `MissingProfileError` naming the fields `purpose` needs and the profile lacks."""
    lacking = missing_fields(profile.profile, fields)
    if lacking:
        raise MissingProfileError(missing_message(profile.code, lacking, purpose), lacking)


def _audited(profile: Profile) -> dict[str, Any]:
    """The profile as the audit log keeps it: the logo by type, size and digest, not its bytes."""
    state = asdict(profile)
    logo = profile.logo
    state["logo"] = None if logo is None else {"media_type": logo.media_type, "bytes": len(logo.data),
                                               "sha256": hashlib.sha256(logo.data).hexdigest()[:16]}
    return state


def _find(key: TenantKey | None, code: str) -> TenantKey:
    if key is None:
        raise NotFoundError(f"tenant {code!r} does not exist (create it with `cobro tenant create {code} --name ...`)")
    return key


def _checked(profile: Profile) -> Profile:
    fixed, problems = check_profile(profile, languages=set(shipped_templates()))
    if problems:
        raise InvalidInputError("; ".join(p.message for p in problems), problems)
    return fixed
