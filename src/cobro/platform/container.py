"""Composition root: settings → engine, session factory, unit of work.  Nothing is built at import time."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cobro.kernel.clock import Clock, SystemClock
from cobro.platform.actor import Actor
from cobro.platform.db.engine import make_engine, make_sessionmaker
from cobro.platform.rates import RateBook
from cobro.platform.settings import Settings
from cobro.platform.uow import UnitOfWork


@dataclass
class Container:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock = field(default_factory=SystemClock)
    actor: Actor | None = None  # who acts in every unit of work (the CLI's --user); requests set their own

    def uow(self, tenant: str | None = None) -> UnitOfWork:
        """A unit of work for `tenant` (default: the settings' tenant)."""
        return UnitOfWork(self.sessions, tenant or self.settings.tenant, limits=self.settings.input_limits(),
                          actor=self.actor)

    @cached_property
    def rates(self) -> RateBook:
        """The rate tables every interest computation uses: the shipped ones plus `settings.rates_dir`."""
        return RateBook(self.settings.rates_dir)

    def close(self) -> None:
        self.engine.dispose()


def build(settings: Settings, *, clock: Clock | None = None) -> Container:
    engine = make_engine(settings.database_url)
    return Container(settings, engine, make_sessionmaker(engine), clock or SystemClock())


def migrate(container: Container) -> None:
    from cobro.platform.db.migrate import upgrade

    upgrade(container.engine)
