"""Contact points known not to work: a hard bounce marks an e-mail address (or a phone, for SMS and WhatsApp)
invalid, a call whose outcome is "wrong number" marks the phone invalid.  The cycle reads them (through its own
repository's join) to pick the next contact or fallback channel; `cobro report contacts` lists them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cobro.delivery.repository import OutboxRepository
from cobro.delivery.schemas import InvalidPoint
from cobro.kernel.errors import InvalidInputError
from cobro.platform.uow import UnitOfWork

KINDS = ("email", "phone")


def _session(where: Session | UnitOfWork) -> Session:
    return where.session if isinstance(where, UnitOfWork) else where


def mark_invalid(where: Session | UnitOfWork, tenant_id: int, *, kind: str, address: str, reason: str,
                 source: str) -> bool:
    """Record `address` as not working (`kind` email or phone); False when it was known already."""
    if kind not in KINDS:
        raise InvalidInputError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    if not address.strip():
        raise InvalidInputError("address: empty")
    return OutboxRepository(_session(where)).mark_invalid(tenant_id, kind, address, reason=reason, source=source)


def invalid_points(where: Session | UnitOfWork, tenant_id: int) -> list[InvalidPoint]:
    return [InvalidPoint(k, a, s, r) for k, a, s, r in OutboxRepository(_session(where)).invalid_points(tenant_id)]
