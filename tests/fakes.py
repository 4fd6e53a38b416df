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

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar, cast

import polars as pl

from cobro.audit.repository import AUDIT
from cobro.audit.schemas import AuditEntry
from cobro.collections.domain.status import (
    AssignmentScope,
    CaseStatus,
    DisputeReason,
    DisputeStatus,
    ExceptionKind,
    ExceptionStatus,
    PlanStatus,
    PromiseStatus,
    TaskKind,
    TaskOutcome,
    TaskStatus,
)
from cobro.collections.schemas.policies import PolicyAssignment, PolicyVersion
from cobro.collections.schemas.work import (
    ActionItems,
    CreditStop,
    DisputeRecord,
    EscalationCase,
    HoldRecord,
    InvoiceRef,
    PaymentPlanRecord,
    PolicyExceptionRecord,
    PromiseRecord,
    TaskRecord,
    TermsAcknowledgement,
    TimelineEntry,
)
from cobro.kernel.errors import NotFoundError
from cobro.kernel.limits import DEFAULT_LIMITS
from cobro.kernel.money import Money, exponent
from cobro.ledger.domain.payments import Allocation
from cobro.ledger.repository.frames import FRAME_SCHEMA
from cobro.ledger.schemas.statement import (
    CustomerBalance,
    CustomerProfile,
    CustomerRef,
    LedgerItem,
    StatementContact,
    StatementPayment,
)
from cobro.ledger.service.lookup import CustomerRecord
from cobro.platform.actor import Actor
from cobro.platform.tenants import Tenant
from cobro.platform.uow import RepositoryKey
from cobro.reporting.domain.aging import BucketSpec
from cobro.reporting.repository import AgeingRows, GroupBy, KpiRows, OpenInvoice, PaymentTiming
from cobro.risk.repository import Collections, WorkItem
from cobro.risk.schemas import AlertKind, AlertStatus, Customer, StoredAlert, StoredScore
from cobro.solvency.domain import FinancialStatement
from cobro.solvency.repository import StoredStatement, content_hash
from cobro.solvency.schemas import SaveOutcome, StatementCustomer
from cobro.webhooks.repository import WEBHOOKS

R = TypeVar("R")

TENANT = Tenant(1, "default", "Default tenant")


class InMemoryAudit:
    """The audit log in memory: appended rows in order (what a service recorded, for tests to assert on)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []

    def append(self, rows: list[dict[str, object]]) -> None:
        self.rows.extend(rows)

    def query(self, *, entity: str, entity_id: str, since: dt.datetime | None, until: dt.datetime | None,
              after_id: int, limit: int) -> list[AuditEntry]:
        raise NotImplementedError("read the audit log from a database test; fakes keep `rows`")


class InMemoryWebhooks:
    """Webhook events a service emitted, in order (no subscriptions: nothing is delivered from a fake)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []  # (type, entity, payload json)

    def emit(self, *, event_type: str, entity: str, payload_json: str, at: dt.datetime | None) -> int:
        self.events.append((event_type, entity, payload_json))
        return 0

    def emit_many(self, *, event_type: str, events: Any, at: dt.datetime | None) -> int:
        self.events.extend((event_type, entity, payload_json) for entity, payload_json in events)
        return 0

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(f"InMemoryWebhooks has no {name}: test subscriptions against a database")


class FakeUnitOfWork:
    """A unit of work without a database: `repo(key)` hands out the in-memory repository given for `key`."""

    def __init__(self, repos: Mapping[RepositoryKey[Any], object], tenant: Tenant = TENANT) -> None:
        self._tenant = tenant
        self._repos = dict(repos)
        self._repos.setdefault(AUDIT, InMemoryAudit())  # every state change is audited: a fake log by default
        self.actor: Actor | None = None
        self._repos.setdefault(WEBHOOKS, InMemoryWebhooks())  # and may emit webhook events
        self.limits = DEFAULT_LIMITS
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


@dataclass(frozen=True)
class PredictionRow:
    """What `forecasting.repository.PredictionStore.stored` hands its service (a `PaymentPredictionRow`'s fields)."""

    customer_id: int
    label: str
    currency: str
    open_minor: int
    due_date: dt.date
    expected_date: dt.date
    p10_date: dt.date
    p50_date: dt.date
    p90_date: dt.date
    p_late_bp: int = 5000
    p_unpaid_180_bp: int = 100
    model_version: str = "paydate-test"
    reasons: str = '["d_median +1.0 d"]'


@dataclass
class InMemoryPredictionStore:
    """Stored payment-date predictions: `rows[as_of]` = [(row, customer code, invoice number)]; `replace` keeps
    what it was given, as the SQL would."""

    rows: dict[dt.date, list[tuple[PredictionRow, str, str]]] = field(default_factory=dict)
    keys: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    written: dict[dt.date, list[Mapping[str, object]]] = field(default_factory=dict)

    def instalment_keys(self, as_of: dt.date) -> dict[str, tuple[int, int, int]]:
        return dict(self.keys)

    def replace(self, as_of: dt.date, rows: Iterable[Mapping[str, object]]) -> int:
        before = len(self.written.get(as_of, []))
        self.written[as_of] = list(rows)
        return before

    def latest_as_of(self, on_or_before: dt.date) -> dt.date | None:
        return max((d for d in self.rows if d <= on_or_before), default=None)

    def stored(self, as_of: dt.date, *, customer_ids: Collection[int] | None = None, invoice: str | None = None,
               after: tuple[str, dt.date, str] | None = None,
               limit: int | None = None) -> list[tuple[PredictionRow, str, str]]:
        found = sorted(((r, code, number) for r, code, number in self.rows.get(as_of, [])
                        if (customer_ids is None or r.customer_id in customer_ids) and invoice in (None, number)
                        and (after is None or (code, r.due_date, r.label) > after)),
                       key=lambda t: (t[1], t[0].due_date, t[0].label))
        return found if limit is None else found[:limit]

    def customer_id(self, code: str) -> int | None:
        return next((r.customer_id for rows in self.rows.values() for r, c, _ in rows if c == code), None)


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

    def acknowledge_alert(self, alert_id: int) -> bool:
        for i, a in enumerate(self.stored_alerts):
            if a.id == alert_id and a.status == AlertStatus.OPEN:
                self.stored_alerts[i] = dataclasses.replace(a, status=AlertStatus.ACKNOWLEDGED)
                return True
        return False

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


# --- ledger ----------------------------------------------------------------------------------------------------

@dataclass
class InMemoryLedgerRepository:
    """The ledger's reads (`cobro.ledger.repository.store.LedgerRepository`) over the values a test gives.

    `items` are keyed by customer id and already "open as of" the day the test asks about (the SQL applies the
    ledger's open rule; the service only nets and signs them); payments are filtered by `as_of` as the SQL does.
    """

    customers: list[CustomerProfile] = field(default_factory=list)
    items_of: dict[int, list[LedgerItem]] = field(default_factory=dict)
    unapplied_of: dict[int, dict[str, int]] = field(default_factory=dict)
    contacts_of: dict[int, list[StatementContact]] = field(default_factory=dict)
    payments_of: dict[int, list[StatementPayment]] = field(default_factory=dict)
    counts: dict[str, object] = field(default_factory=dict)
    balance_rows: list[CustomerBalance] = field(default_factory=list)
    recorded: list[StatementPayment] = field(default_factory=list)
    allocated: dict[int, list[tuple[int, Allocation]]] = field(default_factory=dict)

    def summary(self, as_of: dt.date | None) -> dict[str, object]:
        return dict(self.counts)

    def customer(self, code: str) -> CustomerProfile:
        found = next((c for c in self.customers if c.code == code), None)
        if found is None:
            raise NotFoundError(f"no customer with code {code!r}")
        return found

    def items(self, customer_id: int, as_of: dt.date) -> list[LedgerItem]:
        return list(self.items_of.get(customer_id, []))

    def unapplied(self, customer_id: int, as_of: dt.date) -> dict[str, int]:
        return dict(self.unapplied_of.get(customer_id, {}))

    def contacts(self, customer_id: int) -> list[StatementContact]:
        return list(self.contacts_of.get(customer_id, []))

    def payments(self, customer_id: int, as_of: dt.date | None, limit: int = 20) -> list[StatementPayment]:
        mine = [p for p in self.payments_of.get(customer_id, []) if as_of is None or p.date <= as_of]
        return sorted(mine, key=lambda p: p.date, reverse=True)[:limit]

    def balances(self, *, limit: int, search: str) -> list[CustomerBalance]:
        rows = [r for r in self.balance_rows if not search or search.lower() in (r.code + r.legal_name).lower()]
        return sorted(rows, key=lambda r: (-sum(r.balance_minor.values()), r.code))[:limit]

    def refs(self) -> list[CustomerRef]:
        return [CustomerRef(c.id, c.code, c.segment, "") for c in sorted(self.customers, key=lambda c: c.id)]

    def known_payment_refs(self, refs: list[str]) -> set[str]:
        return {r for r in refs if r in {p.reference for p in self.recorded}}

    def record_payment(self, *, customer_id: int, reference: str, date: dt.date, amount: Money,
                       allocations: list[tuple[int, Allocation]], unapplied: Money, method: str, source: str) -> int:
        """Kept in `recorded` (with its allocations in `allocated`); the fake does not move open amounts."""
        self.recorded.append(StatementPayment(reference, date, amount))
        self.allocated[len(self.recorded)] = list(allocations)
        return len(self.recorded)


# --- collections -----------------------------------------------------------------------------------------------

@dataclass
class InMemoryPoliciesRepository:
    """Stored policy versions and assignments, as the SQL keeps them; `codes` names customers by id."""

    versions: list[PolicyVersion] = field(default_factory=list)
    assigned: list[PolicyAssignment] = field(default_factory=list)
    codes: dict[int, str] = field(default_factory=dict)

    def save_version(self, *, name: str, yaml_text: str, parsed_json: str, created_by: str) -> int:
        version = 1 + max((v.version for v in self.versions if v.name == name), default=0)
        self.versions.append(PolicyVersion(name, version, parsed_json, created_by, None))
        return version

    def assign(self, *, name: str, scope: AssignmentScope, segment: str = "", customer_id: int | None = None,
               assigned_by: str = "") -> None:
        self.assigned = [a for a in self.assigned
                         if (a.scope, a.segment, a.customer_id) != (scope, segment, customer_id)]
        self.assigned.append(PolicyAssignment(scope, segment, customer_id, self.codes.get(customer_id or 0, ""),
                                              name))

    def latest_versions(self) -> dict[str, PolicyVersion]:
        return {v.name: v for v in sorted(self.versions, key=lambda v: v.version)}

    def history(self) -> list[PolicyVersion]:
        return sorted(self.versions, key=lambda v: (v.name, v.version))

    def assignments(self) -> list[PolicyAssignment]:
        return sorted(self.assigned, key=lambda a: (a.scope, a.segment))


@dataclass
class InMemoryWorkRepository:
    """One tenant's customers, invoices and governed records in lists, as `WorkRepository` hands them out.

    Set up with `add_customer`, `add_invoice` (its open instalments), `add_task` and `add_case`; read what the
    services wrote from the public lists (`events` is every timeline entry with its customer id).  Like the SQL,
    the customer's open currencies are those of its invoices with an open instalment."""

    customers: list[CustomerRecord] = field(default_factory=list)
    invoice_refs: dict[str, InvoiceRef] = field(default_factory=dict)
    instalments: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # invoice id → (id, open minor)
    exception_rows: list[PolicyExceptionRecord] = field(default_factory=list)
    hold_rows: list[HoldRecord] = field(default_factory=list)
    dispute_rows: list[DisputeRecord] = field(default_factory=list)
    promise_rows: list[PromiseRecord] = field(default_factory=list)
    plans: list[PaymentPlanRecord] = field(default_factory=list)
    task_rows: list[TaskRecord] = field(default_factory=list)
    actions: dict[int, ActionItems] = field(default_factory=dict)
    case_rows: list[EscalationCase] = field(default_factory=list)
    stops: list[CreditStop] = field(default_factory=list)
    acknowledgements: list[TermsAcknowledgement] = field(default_factory=list)
    events: list[tuple[int, TimelineEntry]] = field(default_factory=list)
    _ids: dict[str, int] = field(default_factory=dict)

    def _next(self, kind: str) -> int:
        self._ids[kind] = self._ids.get(kind, 0) + 1
        return self._ids[kind]

    def _code(self, customer_id: int) -> str:
        return next((c.code for c in self.customers if c.id == customer_id), "")

    # --- set-up ---

    def add_customer(self, code: str, *, segment: str = "", terms: str = "net 30") -> CustomerRecord:
        cust = CustomerRecord(self._next("customer"), code, f"{code} S.L.", "B12345678", "ES", segment, "carla",
                              "es", terms, None, "")
        self.customers.append(cust)
        return cust

    def add_invoice(self, customer: CustomerRecord, number: str, *open_minor: int,
                    currency: str = "EUR") -> InvoiceRef:
        """An invoice with one open instalment per amount given (none: settled)."""
        ref = InvoiceRef(self._next("invoice"), number, customer.id, currency)
        self.invoice_refs[number] = ref
        self.instalments[ref.id] = [(self._next("instalment"), m) for m in open_minor if m > 0]
        return ref

    def add_task(self, customer: CustomerRecord, *, kind: TaskKind = TaskKind.CALL, contact: str = "Ana Admin",
                 action: ActionItems | None = None) -> TaskRecord:
        action_id = None
        if action is not None:
            action_id = self._next("action")
            self.actions[action_id] = action
        task = TaskRecord(self._next("task"), customer.id, customer.code, action_id, kind, "carla", contact,
                          "+34600000001", dt.date(2025, 1, 1), TaskStatus.OPEN, None, "")
        self.task_rows.append(task)
        return task

    def add_case(self, customer: CustomerRecord, *, credit_stop: bool = True) -> EscalationCase:
        case = EscalationCase(self._next("case"), customer.id, customer.code, "EUR", 100_000, CaseStatus.OPEN,
                              dt.date(2025, 1, 1), "", credit_stop, (), "escalated")
        self.case_rows.append(case)
        if credit_stop:
            self.stops.append(CreditStop(customer.id, customer.code, dt.date(2025, 1, 1), "escalated"))
        return case

    def kinds(self, customer: CustomerRecord) -> list[str]:
        """The kinds of the customer's timeline entries, oldest first."""
        return [e.kind for cid, e in self.events if cid == customer.id]

    # --- the ledger ---

    def customer(self, code: str) -> CustomerRecord:
        found = next((c for c in self.customers if c.code == code), None)
        if found is None:
            raise NotFoundError(f"no customer with code {code!r}")
        return found

    def open_currencies(self, customer_id: int) -> list[str]:
        return sorted({i.currency for i in self.invoice_refs.values()
                       if i.customer_id == customer_id and self.instalments.get(i.id)})

    def invoices(self, numbers: Collection[str]) -> dict[str, InvoiceRef]:
        return {n: self.invoice_refs[n] for n in numbers if n in self.invoice_refs}

    def open_instalments(self, invoice_ids: Collection[int]) -> list[tuple[int, int]]:
        return [i for iid in sorted(invoice_ids) for i in self.instalments.get(iid, [])]

    def covered_instalments(self, customer_id: int) -> set[int]:
        return {i for p in self.plans if p.customer_id == customer_id and p.status == PlanStatus.ACTIVE
                for i in p.covered}

    # --- policy exceptions ---

    def add_exception(self, *, customer_id: int, kind: ExceptionKind, value: str, justification: str,
                      requested_by: str, expires_on: dt.date) -> PolicyExceptionRecord:
        row = PolicyExceptionRecord(self._next("exception"), customer_id, self._code(customer_id), kind, value,
                                    justification, requested_by, "", ExceptionStatus.REQUESTED, expires_on)
        self.exception_rows.append(row)
        return row

    def find_exception(self, exception_id: int) -> PolicyExceptionRecord | None:
        return next((r for r in self.exception_rows if r.id == exception_id), None)

    def set_exception_status(self, exception_id: int, status: ExceptionStatus, *, approved_by: str = "",
                             decided_at: dt.datetime | None = None, note: str = "") -> PolicyExceptionRecord:
        return self._replace(self.exception_rows, exception_id, status=status,
                             **({"approved_by": approved_by} if decided_at is not None else {}))

    def exceptions(self, status: str = "") -> list[PolicyExceptionRecord]:
        return [r for r in self.exception_rows if not status or r.status == status]

    @staticmethod
    def _replace(rows: list[R], row_id: int, **changes: Any) -> R:
        """Replace the frozen value with `row_id` in `rows` by a copy with `changes`, as an UPDATE would."""
        index = next(k for k, r in enumerate(rows) if cast(Any, r).id == row_id)
        rows[index] = cast(R, dataclasses.replace(cast(Any, rows[index]), **changes))
        return rows[index]

    # --- holds, disputes, promises, plans ---

    def add_hold(self, *, customer_id: int, invoice_id: int | None, reason: str, until: dt.date | None,
                 created_by: str) -> HoldRecord:
        number = next((i.number for i in self.invoice_refs.values() if i.id == invoice_id), "")
        row = HoldRecord(self._next("hold"), customer_id, self._code(customer_id), invoice_id, number, reason, until,
                         None)
        self.hold_rows.append(row)
        return row

    def find_hold(self, hold_id: int) -> HoldRecord | None:
        return next((r for r in self.hold_rows if r.id == hold_id), None)

    def release_hold(self, hold_id: int, *, on: dt.date) -> HoldRecord:
        return self._replace(self.hold_rows, hold_id, released_on=on)

    def holds(self, *, active_on: dt.date | None = None) -> list[HoldRecord]:
        return [r for r in self.hold_rows if active_on is None
                or (r.released_on is None and (r.until is None or r.until >= active_on))]

    def add_dispute(self, *, customer_id: int, invoice_ids: Collection[int], reason_code: DisputeReason,
                    amount_minor: int, currency: str, owner: str, resolve_by: dt.date | None, opened_on: dt.date,
                    note: str) -> DisputeRecord:
        numbers = {i.id: i.number for i in self.invoice_refs.values()}
        ids = tuple(sorted(invoice_ids))
        row = DisputeRecord(self._next("dispute"), customer_id, self._code(customer_id), ids,
                            tuple(numbers[i] for i in ids), reason_code, amount_minor, currency, owner, resolve_by,
                            DisputeStatus.OPEN)
        self.dispute_rows.append(row)
        return row

    def find_dispute(self, dispute_id: int) -> DisputeRecord | None:
        return next((r for r in self.dispute_rows if r.id == dispute_id), None)

    def resolve_dispute(self, dispute_id: int, *, on: dt.date, resolution: str) -> DisputeRecord:
        return self._replace(self.dispute_rows, dispute_id, status=DisputeStatus.RESOLVED)

    def disputes(self, status: str = "") -> list[DisputeRecord]:
        return [r for r in self.dispute_rows if not status or r.status == status]

    def add_promise(self, *, customer_id: int, currency: str, amount_minor: int, promised_on: dt.date,
                    due_on: dt.date, grace_days: int, contact: str, channel: str, task_id: int | None,
                    created_by: str) -> PromiseRecord:
        row = PromiseRecord(self._next("promise"), customer_id, self._code(customer_id), currency, amount_minor,
                            due_on, grace_days, contact, channel, PromiseStatus.PENDING, 0)
        self.promise_rows.append(row)
        return row

    def promises(self, status: str = "") -> list[PromiseRecord]:
        return [r for r in self.promise_rows if not status or r.status == status]

    def add_plan(self, *, customer_id: int, currency: str, total_minor: int, covered: Collection[int],
                 instalments: Collection[tuple[dt.date, int]], agreed_on: dt.date, created_by: str,
                 note: str) -> PaymentPlanRecord:
        plan = PaymentPlanRecord(self._next("plan"), customer_id, currency, total_minor, tuple(covered),
                                 tuple(instalments), PlanStatus.ACTIVE, agreed_on)
        self.plans.append(plan)
        return plan

    # --- tasks and the timeline ---

    def find_task(self, task_id: int) -> TaskRecord | None:
        return next((r for r in self.task_rows if r.id == task_id), None)

    def tasks(self, *, collector: str = "", status: str = "open") -> list[TaskRecord]:
        return sorted((r for r in self.task_rows if (not status or r.status == status)
                       and (not collector or r.collector == collector)), key=lambda r: (r.due_on, r.id))

    def complete_task(self, task_id: int, *, outcome: TaskOutcome, note: str, on: dt.date) -> TaskRecord:
        return self._replace(self.task_rows, task_id, status=TaskStatus.DONE, outcome=outcome)

    def add_follow_up(self, task_id: int, *, due_on: dt.date, summary: str) -> TaskRecord:
        was = next(r for r in self.task_rows if r.id == task_id)
        task = dataclasses.replace(was, id=self._next("task"), due_on=due_on, status=TaskStatus.OPEN, outcome=None,
                                   summary=summary)
        self.task_rows.append(task)
        return task

    def reassign_task(self, task_id: int, *, collector: str) -> TaskRecord:
        return self._replace(self.task_rows, task_id, collector=collector)

    def action_items(self, action_id: int) -> ActionItems | None:
        return self.actions.get(action_id)

    def timeline(self, customer_id: int, *, day: dt.date, kind: str, summary: str, ref: str = "",
                 actor: str = "") -> None:
        self.events.append((customer_id, TimelineEntry(day, kind, ref, actor, summary)))

    def customer_timeline(self, customer_id: int) -> list[TimelineEntry]:
        return [e for cid, e in self.events if cid == customer_id]

    # --- escalation, credit stops, terms ---

    def find_case(self, case_id: int) -> EscalationCase | None:
        return next((r for r in self.case_rows if r.id == case_id), None)

    def cases(self, status: str = "") -> list[EscalationCase]:
        return [r for r in self.case_rows if not status or r.status == status]

    def hand_off_case(self, case_id: int, *, to: str, on: dt.date) -> None:
        self._replace(self.case_rows, case_id, status=CaseStatus.HANDED_OFF, handed_off_to=to)

    def close_case(self, case_id: int, *, on: dt.date) -> None:
        self._replace(self.case_rows, case_id, status=CaseStatus.CLOSED)

    def credit_stops(self) -> list[CreditStop]:
        return list(self.stops)

    def lift_credit_stop(self, customer_id: int, *, on: dt.date) -> None:
        self.stops = [s for s in self.stops if s.customer_id != customer_id]
        self.case_rows = [dataclasses.replace(c, credit_stop=False) if c.customer_id == customer_id else c
                          for c in self.case_rows]

    def add_acknowledgement(self, *, customer_id: int, terms: str, statement: str, on: dt.date, by: str,
                            channel: str, recorded_by: str) -> TermsAcknowledgement:
        row = TermsAcknowledgement(self._next("terms"), customer_id, terms, statement, on, by, channel)
        self.acknowledgements.append(row)
        return row


# --- risk: alerts people receive ----------------------------------------------------------------------------

class InMemoryAlertRepository:
    """`risk.repository.alert_store.AlertRepository` in memory: customers by id, alerts by key, deliveries and
    preferences; disputes, payments and promises are what a test puts in."""

    def __init__(self, customers: Iterable[tuple[int, str, str, str]] = ()) -> None:
        from cobro.risk.repository.alert_store import AlertCustomer

        self.customers = {c[0]: AlertCustomer(*c) for c in customers}  # (id, code, collector, account owner)
        self.stored: list[StoredAlert] = []
        self.customer_of: dict[int, int] = {}
        self.deliveries: set[tuple[int, str]] = set()
        self.prefs: dict[str, str] = {}
        self.disputes: list[Any] = []
        self.payments: list[Any] = []
        self.promises: list[Any] = []

    def customer(self, customer_id: int) -> Any:
        return self.customers.get(customer_id)

    def add(self, customer_id: int, *, kind: AlertKind, key: str, as_of: dt.date, message: str,
            recipients: tuple[str, ...]) -> tuple[int, bool]:
        found = next((a for a in self.stored if a.key == key), None)
        if found is not None:
            return found.id, False
        alert = StoredAlert(len(self.stored) + 1, as_of, self.customers[customer_id].code, kind, message, recipients,
                            AlertStatus.OPEN, None, key)
        self.stored.append(alert)
        self.customer_of[alert.id] = customer_id
        return alert.id, True

    def alerts(self, *, status: str = "") -> list[StoredAlert]:
        return sorted((a for a in self.stored if not status or a.status == status),
                      key=lambda a: (-a.as_of.toordinal(), a.id))

    def snooze(self, alert_id: int, until: dt.date | None) -> bool:
        for i, a in enumerate(self.stored):
            if a.id == alert_id and a.status == AlertStatus.OPEN:
                self.stored[i] = dataclasses.replace(a, snoozed_until=until)
                return True
        return False

    def delivered(self) -> set[tuple[int, str]]:
        return set(self.deliveries)

    def mark_delivered(self, alert_id: int, user_email: str, *, mode: str, day: dt.date, outbox_key: str) -> None:
        self.deliveries.add((alert_id, user_email))

    def preferences(self) -> dict[str, str]:
        return dict(self.prefs)

    def set_preference(self, user_email: str, mode: str) -> None:
        self.prefs[user_email] = mode

    def overdue_disputes(self, as_of: dt.date) -> list[Any]:
        return [d for d in self.disputes if d.resolve_by < as_of]

    def payments_between(self, first: dt.date, last: dt.date) -> list[Any]:
        return [p for p in self.payments if first <= p.date <= last]

    def broken_promises(self, first: dt.date, last: dt.date) -> list[Any]:
        return [b for b in self.promises if first <= b.broken_on <= last]
