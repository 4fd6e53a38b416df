"""Unit of work: one session, one transaction, one tenant, owned by the entrypoint.  Services flush; callers commit.

`uow.tenant` is resolved once, on first use, from the code the entrypoint chose (`--tenant`, the API's tenant, the
settings); services take the unit of work (or its session and `uow.tenant.id`) instead of a tenant code.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from cobro.platform.tenants import Tenant, resolve_tenant


class UnitOfWork:
    def __init__(self, factory: sessionmaker[Session], tenant_code: str = "default") -> None:
        self._factory = factory
        self.tenant_code = tenant_code
        self._tenant: Tenant | None = None
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self._tenant = None
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:
            self.session.rollback()
        self.session.close()

    @property
    def tenant(self) -> Tenant:
        """The tenant this unit of work acts for (raises NotFoundError, naming it, if it does not exist)."""
        if self._tenant is None:
            self._tenant = resolve_tenant(self.session, self.tenant_code)
        return self._tenant

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
