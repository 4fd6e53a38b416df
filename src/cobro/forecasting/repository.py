"""The ledger as the forecasting services read it: the instalment frame as known on a date, and pending promises.

The SQL is the ledger's frame queries (`cobro.ledger.repository.frames`, shared with risk); services reach it
through the unit of work, ``uow.repo(FORECASTING)``, so tests can hand them in-memory frames (tests/fakes.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import polars as pl
from sqlalchemy.orm import Session

from cobro.ledger.repository import frames
from cobro.platform.uow import RepositoryKey


class ForecastingRepository(Protocol):
    def ledger_frame(self, as_of: dt.date | None = None) -> pl.DataFrame:
        """Every instalment issued by `as_of` with its settlement date as known on `as_of` (None: everything)."""
        ...

    def promises_frame(self, book: pl.DataFrame, as_of: dt.date) -> pl.DataFrame | None:
        """Pending promises spread over the open `book`'s items; None when promises are not installed."""
        ...


class SqlForecastingRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def ledger_frame(self, as_of: dt.date | None = None) -> pl.DataFrame:
        return frames.ledger_frame(self.session, self.tenant, as_of)

    def promises_frame(self, book: pl.DataFrame, as_of: dt.date) -> pl.DataFrame | None:
        return frames.promises_frame(self.session, self.tenant, book, as_of)


FORECASTING: RepositoryKey[ForecastingRepository] = RepositoryKey("forecasting", SqlForecastingRepository)
