"""The ledger as the forecasting services read it: the instalment frame as known on a date, and pending promises.

The SQL is the ledger's frame queries (`cobro.ledger.repository.frames`, shared with risk); services reach it
through the unit of work, ``uow.repo(FORECASTING)``, so tests can hand them in-memory frames (tests/fakes.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

import polars as pl
from sqlalchemy import and_, delete, func, insert, or_, select, text
from sqlalchemy.orm import Session

from cobro.forecasting.records import PaymentPredictionRow
from cobro.ledger.records import CustomerRow, InvoiceRow
from cobro.ledger.repository import frames, open_items
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


# --- stored predictions (`cobro predict refresh`) ----------------------------------------------------------------

class PredictionStore(Protocol):
    def instalment_keys(self, as_of: dt.date) -> dict[str, tuple[int, int, int]]:
        """The ledger frame's instalment label (NUMBER or NUMBER/SEQ) → (instalment id, invoice id, customer id)."""
        ...

    def replace(self, as_of: dt.date, rows: Sequence[Mapping[str, object]]) -> int:
        """Delete the tenant's predictions of `as_of` and insert `rows` (column → value); the number deleted."""
        ...

    def latest_as_of(self, on_or_before: dt.date) -> dt.date | None:
        """The latest as-of date with stored predictions on or before `on_or_before`."""
        ...

    def stored(self, as_of: dt.date, *, customer_ids: Collection[int] | None = None, invoice: str | None = None,
               after: tuple[str, dt.date, str] | None = None,
               limit: int | None = None) -> list[tuple[PaymentPredictionRow, str, str]]:
        """The predictions of `as_of` (optionally of some customers or one invoice number) with the customer's code
        and the invoice's number, by customer code, due date and label; `after` such a key and at most `limit`."""
        ...

    def customer_id(self, code: str) -> int | None:
        ...


class SqlPredictionStore:
    _KEYS = ("SELECT s.id, i.id, i.customer_id, i.number, s.seq "
             + open_items.from_sql(join_invoices=True) + " ORDER BY i.id, s.seq")

    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def instalment_keys(self, as_of: dt.date) -> dict[str, tuple[int, int, int]]:
        rows = list(self.session.execute(text(self._KEYS), {"t": self.tenant, "as_of": as_of}))
        per_invoice = Counter(str(r[3]) for r in rows)  # the frame's labelling rule (ledger.repository.frames)
        return {(str(number) if per_invoice[str(number)] == 1 else f"{number}/{seq}"): (int(sid), int(iid), int(cid))
                for sid, iid, cid, number, seq in rows}

    def replace(self, as_of: dt.date, rows: Sequence[Mapping[str, object]]) -> int:
        gone = self.session.execute(delete(PaymentPredictionRow).where(
            PaymentPredictionRow.tenant_id == self.tenant, PaymentPredictionRow.as_of == as_of))
        for start in range(0, len(rows), 1000):
            self.session.execute(insert(PaymentPredictionRow),
                                 [dict(r, tenant_id=self.tenant, as_of=as_of) for r in rows[start:start + 1000]])
        self.session.flush()
        return int(getattr(gone, "rowcount", 0) or 0)

    def latest_as_of(self, on_or_before: dt.date) -> dt.date | None:
        return self.session.scalar(select(func.max(PaymentPredictionRow.as_of)).where(
            PaymentPredictionRow.tenant_id == self.tenant, PaymentPredictionRow.as_of <= on_or_before))

    def stored(self, as_of: dt.date, *, customer_ids: Collection[int] | None = None, invoice: str | None = None,
               after: tuple[str, dt.date, str] | None = None,
               limit: int | None = None) -> list[tuple[PaymentPredictionRow, str, str]]:
        if customer_ids is not None and len(customer_ids) > 1000:  # bounded IN lists, in the same order
            ids = sorted(customer_ids)
            found = [r for k in range(0, len(ids), 1000)
                     for r in self.stored(as_of, customer_ids=ids[k:k + 1000], invoice=invoice)]
            return sorted(found, key=lambda t: (t[1], t[0].due_date, t[0].label))
        p, code = PaymentPredictionRow, CustomerRow.code
        query = (select(p, code, InvoiceRow.number)
                 .join(CustomerRow, CustomerRow.id == p.customer_id).join(InvoiceRow, InvoiceRow.id == p.invoice_id)
                 .where(p.tenant_id == self.tenant, p.as_of == as_of)
                 .order_by(code, p.due_date, p.label))
        if customer_ids is not None:
            query = query.where(p.customer_id.in_(list(customer_ids)))
        if invoice is not None:
            query = query.where(InvoiceRow.number == invoice)
        if after is not None:  # the database's own order, so a cursor is stable whatever its collation
            c, d, label = after
            query = query.where(or_(code > c, and_(code == c, p.due_date > d),
                                    and_(code == c, p.due_date == d, p.label > label)))
        if limit is not None:
            query = query.limit(limit)
        return [(row, str(c), str(number)) for row, c, number in self.session.execute(query)]

    def customer_id(self, code: str) -> int | None:
        return self.session.scalar(select(CustomerRow.id).where(CustomerRow.tenant_id == self.tenant,
                                                                CustomerRow.code == code))


PREDICTIONS: RepositoryKey[PredictionStore] = RepositoryKey("forecasting.predictions", SqlPredictionStore)
