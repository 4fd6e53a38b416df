"""Unit of work: one session, one transaction, one tenant, owned by the entrypoint.  Services flush; callers commit.

`uow.tenant` is resolved once, on first use, from the code the entrypoint chose (`--tenant`, the API's tenant, the
settings); services take the unit of work (or its session and `uow.tenant.id`) instead of a tenant code.

Repositories through the unit of work (how a service reads and writes without naming SQL):

* a feature's ``repository.py`` declares a `Protocol` with the methods its services use (``RiskRepository``), the
  SQL implementation (a class built from the session and the tenant id) and one key naming both::

      RISK: RepositoryKey[RiskRepository] = RepositoryKey("risk", SqlRiskRepository)

* a service takes ``uow: Uow`` (the protocol below) and asks ``uow.repo(RISK)``: the real `UnitOfWork` builds the
  SQL implementation once per unit of work, scoped to ``uow.tenant``; ``tests/fakes.py`` has a `FakeUnitOfWork`
  that hands out in-memory implementations instead, so the service's logic is tested without a database.
  mypy checks that the SQL class satisfies the protocol where the key is declared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Generic, Protocol, TypeVar, cast

from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from cobro.kernel.errors import ConflictError, NotFoundError
from cobro.kernel.limits import DEFAULT_LIMITS, InputLimits
from cobro.platform.actor import Actor
from cobro.platform.tenants import Tenant, resolve_tenant

R = TypeVar("R")


@dataclass(frozen=True, eq=False)
class RepositoryKey(Generic[R]):
    """Names one feature repository: its protocol `R` (what services see) and the SQL implementation's factory."""

    name: str
    sql: Callable[[Session, int], R]  # (session, tenant id) -> the repository
    # False for a repository of global rows (users, logins): built without resolving the tenant (id 0)
    tenant_scoped: bool = True


class Uow(Protocol):
    """What a service needs of a unit of work: the tenant, its repositories, and flush (never commit)."""

    @property
    def tenant(self) -> Tenant: ...

    @property
    def actor(self) -> Actor | None: ...

    @property
    def limits(self) -> InputLimits: ...  # how much one untrusted input may make a use case read

    def repo(self, key: RepositoryKey[R]) -> R: ...

    def flush(self) -> None: ...


class UnitOfWork:
    def __init__(self, factory: sessionmaker[Session], tenant_code: str = "default", *,
                 limits: InputLimits = DEFAULT_LIMITS, actor: Actor | None = None) -> None:
        self._factory = factory
        self.tenant_code = tenant_code
        self.actor = actor  # who acts (set by the entrypoint); None where nobody is known
        self.limits = limits  # how much one input may make an import read (the settings' `limit_*`)
        self._tenant: Tenant | None = None
        self._repos: dict[RepositoryKey[object], object] = {}
        self.session: Session

    @classmethod
    def within(cls, session: Session, tenant_code: str) -> UnitOfWork:
        """A unit of work over a session its caller already owns (an entrypoint still written with a session and a
        tenant code calls a service that takes a unit of work): not entered, so never committed or closed here."""
        uow = cls(sessionmaker(bind=session.get_bind()), tenant_code)
        uow.session = session
        return uow

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self._tenant = None
        self._repos = {}
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
            try:
                self._tenant = resolve_tenant(self.session, self.tenant_code)
            except (OperationalError, ProgrammingError) as exc:
                if not _missing_table(exc):
                    raise
                self.session.rollback()
                raise NotFoundError("this database has no cobro tables yet: run `cobro init` "
                                    "(with the same --db or COBRO_DATABASE_URL)") from exc
        return self._tenant

    def repo(self, key: RepositoryKey[R]) -> R:
        """The SQL implementation of `key`'s repository for this tenant, built on first use."""
        found = self._repos.get(cast(RepositoryKey[object], key))
        if found is None:
            tenant_id = self.tenant.id if key.tenant_scoped else 0
            found = self._repos[cast(RepositoryKey[object], key)] = key.sql(self.session, tenant_id)
        return cast(R, found)

    def flush(self) -> None:
        self.session.flush()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    @contextmanager
    def conflicts_as(self, message: str) -> Iterator[None]:
        """Inside: a unique-key clash or a lock another writer holds (two runs of one import at once) rolls back
        and becomes `ConflictError(message)`, a one-line error for the losing run instead of a traceback."""
        from sqlalchemy.exc import IntegrityError, OperationalError

        try:
            yield
        except IntegrityError as exc:
            self.session.rollback()
            raise ConflictError(message) from exc
        except OperationalError as exc:
            if "locked" not in str(exc) and "deadlock" not in str(exc) and "could not serialize" not in str(exc):
                raise
            self.session.rollback()
            raise ConflictError(message) from exc


def _missing_table(exc: Exception) -> bool:
    """SQLite says "no such table", PostgreSQL "relation ... does not exist" (SQLSTATE 42P01)."""
    text = str(exc)
    return "no such table" in text or "UndefinedTable" in type(getattr(exc, "orig", None)).__name__ \
        or ("does not exist" in text and "relation" in text)
