"""The stored policies as the API lists them: every version, one version, the assignments (none stored: empty
listings, where `cobro policy show` says there is nothing to show)."""

from __future__ import annotations

from cobro.collections.repository.policies import POLICIES
from cobro.collections.schemas.policies import PolicyAssignment, PolicyVersion
from cobro.kernel.errors import NotFoundError
from cobro.platform.uow import Uow


def versions(uow: Uow, *, name: str = "") -> list[PolicyVersion]:
    """Every stored version by name and version (one policy's with `name`)."""
    return [v for v in uow.repo(POLICIES).history() if not name or v.name == name]


def version(uow: Uow, name: str, number: int) -> PolicyVersion:
    found = next((v for v in versions(uow, name=name) if v.version == number), None)
    if found is None:
        raise NotFoundError(f"no version {number} of policy {name!r}")
    return found


def assignments(uow: Uow) -> list[PolicyAssignment]:
    return uow.repo(POLICIES).assignments()
