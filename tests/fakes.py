"""In-memory stand-ins for the unit of work and the feature repositories, for service tests without a database.

A service takes ``uow`` and reads through ``uow.repo(KEY)`` (see `cobro.platform.uow`).  `FakeUnitOfWork` holds a
`Tenant`, one in-memory repository per key, and records what the service asked of the transaction (flushes) and what
the test's entrypoint did with it (commit, rollback)::

    repo = InMemorySolvencyRepository(known=[StatementCustomer(1, "C1", "", "Acme SL")])
    uow = FakeUnitOfWork({SOLVENCY: repo})
    report = import_financials(uow, path)
    assert repo.saved and uow.flushes == 1 and not uow.committed   # services flush, never commit

Each in-memory repository implements its feature's repository protocol with plain Python over the data the test
gives it; it answers "as of a date" the way the SQL does only where the service relies on it (documented per class).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar, cast

import polars as pl

from cobro.kernel.money import exponent
from cobro.ledger.repository.frames import FRAME_SCHEMA
from cobro.platform.tenants import Tenant
from cobro.platform.uow import RepositoryKey
from cobro.reporting.domain.aging import BucketSpec
from cobro.reporting.repository import AgeingRows, GroupBy, KpiRows, OpenInvoice, PaymentTiming
from cobro.risk.repository import Collections, WorkItem
from cobro.risk.schemas import AlertKind, AlertStatus, Customer, StoredAlert, StoredScore
from cobro.solvency.domain import FinancialStatement
from cobro.solvency.repository import StoredStatement, content_hash
from cobro.solvency.schemas import SaveOutcome, StatementCustomer

R = TypeVar("R")

TENANT = Tenant(1, "default", "Default tenant")


class FakeUnitOfWork:
    """A unit of work without a database: `repo(key)` hands out the in-memory repository given for `key`."""

    def __init__(self, repos: Mapping[RepositoryKey[Any], object], tenant: Tenant = TENANT) -> None:
        self._tenant = tenant
        self._repos = dict(repos)
        self.flushes = 0
        self.committed = False
        self.rolled_back = False

    @property
    def tenant(self) -> Tenant:
        return self._tenant

    def repo(self, key: RepositoryKey[R]) -> R:
        if key not in self._repos:
            raise LookupError(f"FakeUnitOfWork has no {key.name!r} repository; give one to the constructor")
        return cast(R, self._repos[key])

    def flush(self) -> None:
        self.flushes += 1

    def commit(self) -> None:
        self.committed = True

    def rollback(self) -> None:
        self.rolled_back = True


# --- ledger frames (what the risk and forecasting repositories read) -------------------------------------------

def ledger_frame(rows: Iterable[Mapping[str, object]]) -> pl.DataFrame:
    """A ledger frame (`cobro.ledger.repository.frames.FRAME_SCHEMA`) from a few readable rows.

    Each row needs `invoice`, `customer`, `issue`, `due`, `amount` (a decimal string) and may give `currency`
    (EUR), `customer_id` (1), `paid` (the settled part, a decimal string), `settled` (the date it was settled in
    full), `disputed`, `country`.  The open part is amount − paid (0 once settled).
    """
    cols: dict[str, list[object]] = {k: [] for k in FRAME_SCHEMA}
    for r in rows:
        cur = str(r.get("currency", "EUR"))
        amount = Decimal(str(r["amount"]))
        settled = r.get("settled")
        paid = amount if settled is not None else Decimal(str(r.get("paid", "0")))
        minor, open_minor = int(amount.scaleb(exponent(cur))), int((amount - paid).scaleb(exponent(cur)))
        values: dict[str, object] = {
            "invoice_number": r["invoice"], "customer_code": r["customer"], "customer_name": r.get("name", r["customer"]),
            "issue_date": r["issue"], "due_date": r["due"], "amount": amount, "amount_minor": minor, "currency": cur,
            "kind": "invoice", "disputed": bool(r.get("disputed", False)), "settled_date": settled,
            "channel": "", "segment": "", "country": str(r.get("country", "ES")), "terms": "",
            "invoice": r["invoice"], "customer_id": int(cast(int, r.get("customer_id", 1))), "open_minor": open_minor,
            "open_amount": Decimal(open_minor).scaleb(-exponent(cur)),
        }
        for k, column in cols.items():
            column.append(values[k])
    return pl.DataFrame(cols, schema=FRAME_SCHEMA)


# --- solvency --------------------------------------------------------------------------------------------------

@dataclass
class InMemorySolvencyRepository:
    """Statements per customer code; `saved` records every save as (customer id, year, currency, minor lines)."""

    known: list[StatementCustomer] = field(default_factory=list)
    currencies: dict[int, str] = field(default_factory=dict)
    stored: dict[str, list[StoredStatement]] = field(default_factory=dict)
    saved: list[tuple[int, int, str, dict[str, int | None]]] = field(default_factory=list)
    _hashes: dict[tuple[int, int], str] = field(default_factory=dict)

    def customers(self) -> list[StatementCustomer]:
        return list(self.known)

    def customer_currencies(self) -> dict[int, str]:
        return dict(self.currencies)

    def statements(self, *, until: dt.date | None = None) -> dict[str, list[StoredStatement]]:
        """As the SQL: fiscal years after `until`'s year are left out, oldest year first."""
        out = {code: sorted((s for s in items if until is None or s.year <= until.year), key=lambda s: s.year)
               for code, items in sorted(self.stored.items())}
        return {code: items for code, items in out.items() if items}

    def save(self, customer_id: int, year: int, currency: str, minor: Mapping[str, int | None], *,
             source: str) -> SaveOutcome:
        digest = content_hash(currency, minor)
        before = self._hashes.get((customer_id, year))
        if before == digest:
            return SaveOutcome.UNCHANGED
        self._hashes[(customer_id, year)] = digest
        self.saved.append((customer_id, year, currency, dict(minor)))
        return SaveOutcome.CREATED if before is None else SaveOutcome.UPDATED


def statement(code: str, year: int, currency: str = "EUR", **lines: float) -> StoredStatement:
    return StoredStatement(code, year, currency, FinancialStatement(year=year, **lines))


# --- forecasting -----------------------------------------------------------------------------------------------

@dataclass
class InMemoryForecastingRepository:
    """The ledger frame as given; `ledger_frame(as_of)` keeps the rows issued by `as_of` (the SQL's rule; the
    settlement dates are the test's, as known on that date).  `promises` None = collections not installed."""

    frame: pl.DataFrame = field(default_factory=lambda: ledger_frame([]))
    promises: pl.DataFrame | None = None
    asked: list[dt.date | None] = field(default_factory=list)

    def ledger_frame(self, as_of: dt.date | None = None) -> pl.DataFrame:
        self.asked.append(as_of)
        return self.frame if as_of is None else self.frame.filter(pl.col("issue_date") <= as_of)

    def promises_frame(self, book: pl.DataFrame, as_of: dt.date) -> pl.DataFrame | None:
        return self.promises


# --- risk ------------------------------------------------------------------------------------------------------

def customer(id: int, code: str, *, name: str = "", country: str = "ES", collector: str = "", owner: str = "",
             limit: int | None = None, limit_currency: str = "") -> Customer:
    """A risk `Customer`; `limit` in minor units of `limit_currency`."""
    return Customer(id, code, name or f"{code} SL", country, collector, owner, limit, limit_currency)


@dataclass
class InMemoryRiskRepository:
    """Customers, their ledger frame (issued by the as-of date, settlement dates as the test gives them) and what
    collections recorded; `scores` and `stored_alerts` keep what the services stored, as the SQL would."""

    known: list[Customer] = field(default_factory=list)
    frame: pl.DataFrame = field(default_factory=lambda: ledger_frame([]))
    recorded: Collections = field(default_factory=Collections)
    last_paid: dict[int, dt.date] = field(default_factory=dict)
    partial: dict[int, int] = field(default_factory=dict)
    policy_yaml: str = ""
    scores: dict[tuple[int, dt.date], StoredScore] = field(default_factory=dict)
    stored_alerts: list[StoredAlert] = field(default_factory=list)
    work: list[WorkItem] = field(default_factory=list)
    _keys: set[str] = field(default_factory=set)

    def customers(self) -> list[Customer]:
        return sorted(self.known, key=lambda c: c.code)

    def ledger_frame(self, as_of: dt.date) -> pl.DataFrame:
        return self.frame.filter(pl.col("issue_date") <= as_of)

    def collections(self, as_of: dt.date) -> Collections:
        return self.recorded

    def last_payments(self, as_of: dt.date) -> dict[int, dt.date]:
        return {c: d for c, d in self.last_paid.items() if d <= as_of}

    def partial_payments(self, as_of: dt.date) -> dict[int, int]:
        return dict(self.partial)

    def default_policy_yaml(self) -> str:
        return self.policy_yaml

    def previous_scores(self, before: dt.date) -> dict[int, StoredScore]:
        """As the SQL: the latest score per customer dated before `before`."""
        return {cid: s for (cid, day), s in sorted(self.scores.items(), key=lambda kv: kv[0][1]) if day < before}

    def save_score(self, customer_id: int, as_of: dt.date, score: StoredScore) -> None:
        self.scores[(customer_id, as_of)] = score

    def add_alert(self, customer_id: int, *, kind: AlertKind, key: str, as_of: dt.date, message: str,
                  recipients: tuple[str, ...]) -> bool:
        if key in self._keys:
            return False
        self._keys.add(key)
        code = next(c.code for c in self.known if c.id == customer_id)
        self.stored_alerts.append(StoredAlert(len(self.stored_alerts) + 1, as_of, code, kind, message, recipients,
                                              AlertStatus.OPEN))
        return True

    def alerts(self, *, status: str = "", recipient: str = "") -> list[StoredAlert]:
        rows = sorted(self.stored_alerts, key=lambda a: (-a.as_of.toordinal(), a.id))
        return [a for a in rows if (not status or a.status == status) and (not recipient or recipient in a.recipients)]

    def open_work(self, collector: str | None) -> list[WorkItem]:
        return [w for w in self.work if not collector or w.collector == collector]


# --- reporting -------------------------------------------------------------------------------------------------

@dataclass
class InMemoryReportsRepository:
    """The report aggregates as the SQL would hand them back (minor units), per as-of date where the services ask
    for several dates (KPI trend, provision month-ends); `asked` records the (query, date) pairs asked for."""

    ageing_rows: AgeingRows = field(default_factory=AgeingRows)
    kpis: dict[dt.date, dict[str, KpiRows]] = field(default_factory=dict)
    timing: dict[dt.date, dict[str, PaymentTiming]] = field(default_factory=dict)
    snapshots: dict[dt.date, dict[str, tuple[list[int], int]]] = field(default_factory=dict)
    first: dt.date | None = None
    invoices: list[OpenInvoice] = field(default_factory=list)
    actions: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    rows: list[tuple[object, ...]] = field(default_factory=list)
    asked: list[tuple[str, dt.date]] = field(default_factory=list)

    def ageing(self, as_of: dt.date, spec: BucketSpec, by: GroupBy = None) -> AgeingRows:
        self.asked.append(("ageing", as_of))
        return self.ageing_rows

    def kpi_months(self, as_of: dt.date, begin: dt.date) -> dict[str, KpiRows]:
        self.asked.append(("kpi_months", as_of))
        return self.kpis.get(as_of, {})

    def payment_timing(self, start: dt.date, end: dt.date) -> dict[str, PaymentTiming]:
        return self.timing.get(end, {})

    def snapshot(self, as_of: dt.date, spec: BucketSpec, *, flow_from: int,
                 flow_to: int) -> dict[str, tuple[list[int], int]]:
        self.asked.append(("snapshot", as_of))
        return self.snapshots.get(as_of, {})

    def first_activity(self) -> dt.date | None:
        return self.first

    def open_invoices(self, as_of: dt.date) -> list[OpenInvoice]:
        return list(self.invoices)

    def actions_by_customer(self, as_of: dt.date) -> dict[str, dict[str, dict[str, int]]]:
        return self.actions

    def ledger_rows(self) -> list[tuple[object, ...]]:
        return list(self.rows)
