"""Read use cases behind the dashboard and the JSON API: overview KPIs, customer pages, the collector worklist.

Other features (reports, collections, risk) are used when they are present: `cobro.platform.db.features`
(`detect_features`) is the one place that looks, by module presence and by the tables the database actually has,
so a panel whose feature is missing is hidden instead of failing.  Nothing here writes; amounts stay `Money`
(Decimal) until a template formats them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cobro.kernel.money import Money
from cobro.ledger.repository import parties
from cobro.ledger.repository import summary as ledger
from cobro.ledger.service.customers import customer_statement
from cobro.platform.db.features import Features
from cobro.platform.uow import UnitOfWork
from cobro.reporting.domain.aging import DEFAULT_SPEC, AgeingItem, BucketSpec, age, parse_bucket_spec
from cobro.workspace import repository as repo


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


def ledger_summary(session: Session, tenant_code: str, as_of: dt.date | None) -> dict[str, Any]:
    return ledger.summary(session, parties.tenant_id(session, tenant_code), as_of)


def ageing(session: Session, tenant_code: str, as_of: dt.date, spec: BucketSpec) -> dict[str, Any]:
    """The reports feature's ageing report (callers check `Features.reporting` first)."""
    from cobro.platform.uow import UnitOfWork
    from cobro.reporting import service as reporting

    return reporting.ageing_report(UnitOfWork.within(session, tenant_code), as_of, spec).as_json()


def _bars(rows: list[dict[str, Any]], currency: str) -> list[AgeingBar]:
    return [AgeingBar(str(b["label"]), Money.of(str(b["amount"]), currency), int(b["count"])) for b in rows]


def overview(session: Session, tenant_code: str, as_of: dt.date, features: Features, *,
             currency: str | None = None, top: int = 10) -> Overview:
    tenant = parties.tenant_id(session, tenant_code)
    summary = ledger.summary(session, tenant, as_of)
    open_amount: dict[str, str] = summary["open_amount"]  # type: ignore[assignment]
    report = ageing(session, tenant_code, as_of, parse_bucket_spec(DEFAULT_SPEC)) if features.reporting else None
    kpis: list[CurrencyKpi] = []
    bars: dict[str, list[AgeingBar]] = {}
    for cur in sorted(set(open_amount) | set(report["currency"] if report else {})):
        entry = report["currency"].get(cur) if report else None
        if entry is None:
            kpis.append(CurrencyKpi(cur, Money.of(open_amount.get(cur, "0"), cur), None, None))
            continue
        bars[cur] = _bars(entry["buckets"], cur)
        overdue = sum((Money.of(str(b["amount"]), cur) for b in entry["buckets"] if (b["from"] or 0) > 0),
                      Money.zero(cur))
        kpis.append(CurrencyKpi(cur, Money.of(str(entry["total"]), cur), overdue, int(entry["count"])))
    kpis = [k for k in kpis if k.open.amount or k.open_items]
    chosen = currency if currency in {k.currency for k in kpis} else None
    if chosen is None and kpis:  # the currency with the most open items, else the largest figure
        chosen = max(kpis, key=lambda k: (k.open_items or 0, k.open.amount)).currency
    debtors = [Debtor(r.code, r.legal_name, r.country, r.collector, Money.from_minor(r.open_minor, r.currency),
                      Money.from_minor(r.overdue_minor, r.currency), r.open_items, r.max_days_past_due)
               for r in (repo.top_debtors(session, tenant, chosen, as_of, top) if chosen else [])]
    credit: dict[str, str] = summary["unapplied_credit"]  # type: ignore[assignment]
    return Overview(as_of, int(summary["customers"]), int(summary["open_invoices"]),  # type: ignore[call-overload]
                    kpis, chosen, bars.get(chosen) if chosen and report else None, debtors,
                    {c: Money.of(v, c) for c, v in credit.items()})


@dataclass(frozen=True, slots=True)
class CustomerPage:
    rows: list[repo.CustomerListRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def customers(session: Session, tenant_code: str, *, search: str = "", page: int = 1,
              per_page: int = 25) -> CustomerPage:
    tenant = parties.tenant_id(session, tenant_code)
    page = max(1, page)
    rows, total = repo.customer_page(session, tenant, search=search.strip(), limit=per_page,
                                     offset=(page - 1) * per_page)
    return CustomerPage(rows, total, page, per_page)


def customer_ageing(open_items: list[dict[str, Any]], spec: BucketSpec, as_of: dt.date) -> dict[str, list[AgeingBar]]:
    """Bucket one customer's open items with the reports' ageing (`aging.age`); credit notes stay out of the
    buckets, as in the report, and a currency with no open invoice item has no bars."""
    items = [AgeingItem(Money.of(str(item["open"]), str(item["currency"])).amount,
                        dt.date.fromisoformat(item["issue_date"]), dt.date.fromisoformat(item["due_date"]),
                        str(item["currency"]), "credit_note" if item["kind"] == "credit_note" else "invoice")
             for item in open_items]
    return {cur: [AgeingBar(t.bucket.label, Money.of(t.amount, cur), t.count) for t in table.buckets]
            for cur, table in sorted(age(items, as_of, spec).items()) if any(t.count for t in table.buckets)}


@dataclass(frozen=True, slots=True)
class CustomerView:
    statement: dict[str, Any]
    ageing: dict[str, list[AgeingBar]]
    promises: list[dict[str, Any]] | None = None  # None: the feature is not installed
    disputes: list[dict[str, Any]] | None = None
    tasks: list[dict[str, Any]] | None = None
    timeline: list[dict[str, Any]] | None = None
    risk: repo.RiskRow | None = None  # None: no feature, or no score stored yet


def customer_view(session: Session, tenant_code: str, code: str, as_of: dt.date, features: Features) -> CustomerView:
    statement = customer_statement(session, tenant_code, code, as_of=as_of)
    extra: dict[str, Any] = {}
    if features.collections:
        from cobro.collections.service import holds, promises, tasks

        work = UnitOfWork.within(session, tenant_code)
        mine = [p.as_json() for p in promises.list_promises(work) if p.customer == code]
        extra["promises"] = sorted(mine, key=lambda p: p["due_on"], reverse=True)
        extra["disputes"] = [d.as_json() for d in holds.list_disputes(work, status="") if d.customer == code]
        extra["tasks"] = [t.as_json() for t in tasks.list_tasks(work, status="") if t.customer == code]
        extra["timeline"] = [e.as_json() for e in reversed(tasks.timeline(work, code))][:50]
    if features.risk:
        extra["risk"] = repo.latest_risk(session, parties.tenant_id(session, tenant_code), code, as_of)
    return CustomerView(statement, customer_ageing(statement["open_items"], parse_bucket_spec(DEFAULT_SPEC), as_of),
                        **extra)


def worklist(session: Session, tenant_code: str, *, collector: str = "", status: str = "open") -> dict[str, Any]:
    """Open call/meeting tasks, oldest due first, and the collectors that have any (for the filter)."""
    from cobro.collections.service import tasks

    everyone = [t.as_json() for t in tasks.list_tasks(UnitOfWork.within(session, tenant_code), status=status)]
    rows = [t for t in everyone if not collector or t["collector"] == collector]
    return {"tasks": rows, "collectors": sorted({t["collector"] for t in everyone if t["collector"]}),
            "collector": collector, "status": status}
