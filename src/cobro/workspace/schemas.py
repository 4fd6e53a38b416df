"""What the dashboard's services hand back: frozen values carrying `Money` (Decimal) until a template formats them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cobro.kernel.money import Money
from cobro.ledger.schemas.statement import CustomerStatement
from cobro.workspace.domain import Script


@dataclass(frozen=True, slots=True)
class DebtorRow:
    code: str
    legal_name: str
    country: str
    collector: str
    currency: str
    open_minor: int
    overdue_minor: int
    open_items: int
    max_days_past_due: int


@dataclass(frozen=True, slots=True)
class CustomerListRow:
    code: str
    legal_name: str
    country: str
    segment: str
    collector: str
    open_items: int = 0
    balance_minor: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RiskRow:
    as_of: dt.date
    score: int
    grade: str
    days_beyond_terms: int
    broken_promises: int
    reasons: list[str]


@dataclass(frozen=True, slots=True)
class AgeingBar:
    label: str
    amount: Money
    count: int


@dataclass(frozen=True, slots=True)
class CurrencyKpi:
    currency: str
    open: Money
    overdue: Money | None  # None when the ageing report is unavailable
    open_items: int | None

    @property
    def overdue_share(self) -> Decimal | None:
        """Overdue as a percentage of the open amount."""
        if self.overdue is None or not self.open.amount:
            return None
        return self.overdue.amount * 100 / self.open.amount


@dataclass(frozen=True, slots=True)
class Debtor:
    code: str
    legal_name: str
    country: str
    collector: str
    open: Money
    overdue: Money
    open_items: int
    max_days_past_due: int


@dataclass(frozen=True, slots=True)
class Overview:
    as_of: dt.date
    customers: int
    open_invoices: int
    kpis: list[CurrencyKpi]
    currency: str | None  # the currency the chart and the top debtors show
    ageing: list[AgeingBar] | None
    top_debtors: list[Debtor]
    unapplied: dict[str, Money] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CustomerPage:
    rows: list[CustomerListRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class CustomerView:
    statement: CustomerStatement
    ageing: Mapping[str, list[AgeingBar]]
    # the collections panels, as the collections feature's JSON (None: the feature is not installed)
    promises: list[dict[str, Any]] | None = None
    disputes: list[dict[str, Any]] | None = None
    tasks: list[dict[str, Any]] | None = None
    timeline: list[dict[str, Any]] | None = None
    risk: RiskRow | None = None  # None: no feature, or no score stored yet
    holds: list[dict[str, Any]] | None = None  # active on the page's day
    cases: list[dict[str, Any]] | None = None  # escalation cases
    credit_stop: dict[str, Any] | None = None
    alerts: list[dict[str, Any]] | None = None  # open risk alerts raised by the page's day
    disputed_items: list[str] = field(default_factory=list)  # open items the ledger marks disputed (imported flag)


@dataclass(frozen=True, slots=True)
class Worklist:
    """Open call/meeting tasks (the collections feature's JSON), the collectors that have any, and the filter."""

    tasks: list[dict[str, Any]]
    collectors: list[str]
    collector: str
    status: str


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    """What a collector sees about a customer on a Today row (as of the page's date)."""

    code: str
    legal_name: str
    collector: str
    overdue_minor: dict[str, int]  # per currency
    days_late: int  # of the oldest overdue item; 0 when nothing is overdue
    last_contact: dt.date | None
    grade: str  # the latest risk grade, "" when none is stored

    @property
    def overdue(self) -> list[Money]:
        return [Money.from_minor(m, c) for c, m in self.overdue_minor.items()]


@dataclass(frozen=True, slots=True)
class TodayLine:
    """One line of the Today list: a ranked task (or case, or customer) with the customer's facts and a script."""

    rank: int
    kind: str  # task | case | customer (risk.schemas.WorkKind)
    task_id: int | None
    action: str  # call, meeting, agency, monitorio ...
    due_on: dt.date | None
    facts: CustomerFacts
    gain: Money
    script: Script
    contact: str = ""
    phone: str = ""
    done: str = ""  # the outcome once the task was closed from the page


@dataclass(frozen=True, slots=True)
class TodayItem:
    """A promise or dispute that needs the collector today (a promise due, one broken, a dispute to resolve)."""

    kind: str  # promise_due | promise_broken | dispute
    ref: int
    facts: CustomerFacts
    amount: Money | None
    day: dt.date | None  # the promise's date, or the dispute's resolve-by date
    detail: str  # the dispute's reason code, or ""


@dataclass(frozen=True, slots=True)
class Today:
    as_of: dt.date
    collector: str  # whose work ("" = everyone's)
    rows: list[TodayLine]
    later: int  # open tasks due after today (not listed)
    promises_due: list[TodayItem]
    promises_broken: list[TodayItem]
    disputes: list[TodayItem]
    collectors: list[str]
