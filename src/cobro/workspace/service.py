"""Read use cases behind the dashboard and the JSON API: overview KPIs, customer pages, the collector worklist.

Other features (reports, collections, risk) are used when they are present: `cobro.platform.db.features`
(`detect_features`) is the one place that looks, by module presence and by the tables the database actually has,
so a panel whose feature is missing is hidden instead of failing.  Nothing here writes; amounts stay `Money`
(Decimal) until a template formats them.  The ledger is read through its services (`cobro.ledger.service`), the
dashboard's own queries through ``uow.repo(WORKSPACE)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from cobro.kernel.money import Money
from cobro.kernel.rates import RateSource
from cobro.kernel.types import DocumentKind
from cobro.ledger.schemas.statement import StatementItem
from cobro.ledger.service.customers import customer_statement
from cobro.ledger.service.summary import ledger_summary
from cobro.platform.db.features import Features
from cobro.platform.uow import Uow
from cobro.reporting.domain.aging import DEFAULT_SPEC, AgeingItem, BucketSpec, age, parse_bucket_spec
from cobro.workspace.domain import script
from cobro.workspace.repository import WORKSPACE
from cobro.workspace.schemas import (
    AgeingBar,
    CurrencyKpi,
    CustomerFacts,
    CustomerPage,
    CustomerView,
    Debtor,
    Overview,
    Today,
    TodayItem,
    TodayLine,
    Worklist,
)

__all__ = ["AgeingBar", "CurrencyKpi", "CustomerPage", "CustomerView", "Debtor", "Overview", "Today", "TodayLine",
           "Worklist", "customer_ageing", "customer_view", "customers", "overview", "today", "today_row", "worklist"]

BROKEN_LOOKBACK = dt.timedelta(days=30)  # a promise broken longer ago than this was followed up already


def _ageing(uow: Uow, as_of: dt.date, spec: BucketSpec) -> dict[str, Any]:
    """The reports feature's ageing report as its JSON (callers check `Features.reporting` first)."""
    from cobro.reporting import service as reporting

    return reporting.ageing_report(uow, as_of, spec).as_json()


def _bars(rows: list[dict[str, Any]], currency: str) -> list[AgeingBar]:
    return [AgeingBar(str(b["label"]), Money.of(str(b["amount"]), currency), int(b["count"])) for b in rows]


def overview(uow: Uow, as_of: dt.date, features: Features, *, currency: str | None = None,
             top: int = 10) -> Overview:
    summary = ledger_summary(uow, as_of)
    open_amount = summary.open_amount
    report = _ageing(uow, as_of, parse_bucket_spec(DEFAULT_SPEC)) if features.reporting else None
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
               for r in (uow.repo(WORKSPACE).top_debtors(chosen, as_of, top) if chosen else [])]
    return Overview(as_of, summary.customers, summary.open_invoices, kpis, chosen,
                    bars.get(chosen) if chosen and report else None, debtors,
                    {c: Money.of(v, c) for c, v in summary.unapplied_credit.items()})


def customers(uow: Uow, *, search: str = "", page: int = 1, per_page: int = 25) -> CustomerPage:
    page = max(1, page)
    rows, total = uow.repo(WORKSPACE).customer_page(search=search.strip(), limit=per_page,
                                                    offset=(page - 1) * per_page)
    return CustomerPage(rows, total, page, per_page)


def customer_ageing(open_items: list[StatementItem], spec: BucketSpec,
                    as_of: dt.date) -> Mapping[str, list[AgeingBar]]:
    """Bucket one customer's open items with the reports' ageing (`aging.age`); credit notes stay out of the
    buckets, as in the report, and a currency with no open invoice item has no bars."""
    items = [AgeingItem(item.open.amount, item.issue_date, item.due_date, item.currency,
                        "credit_note" if item.kind == DocumentKind.CREDIT_NOTE else "invoice")
             for item in open_items]
    return {cur: [AgeingBar(t.bucket.label, Money.of(t.amount, cur), t.count) for t in table.buckets]
            for cur, table in sorted(age(items, as_of, spec).items()) if any(t.count for t in table.buckets)}


def customer_view(uow: Uow, code: str, as_of: dt.date, features: Features) -> CustomerView:
    """Everything about one customer as of a day: the statement and its ageing, and from collections the open
    tasks, promises, disputes (and the items the ledger marks disputed), holds active that day, escalation cases,
    the credit stop and the timeline up to that day; from risk the latest score and the open alerts."""
    statement = customer_statement(uow, code, as_of=as_of)
    extra: dict[str, Any] = {}
    if features.collections:
        from cobro.collections.service import escalation, holds, promises, tasks

        work = uow
        mine = [p.as_json() for p in promises.list_promises(work) if p.customer == code]
        extra["promises"] = sorted(mine, key=lambda p: p["due_on"], reverse=True)
        extra["disputes"] = [d.as_json() for d in holds.list_disputes(work, status="") if d.customer == code]
        extra["tasks"] = [t.as_json() for t in tasks.list_tasks(work, status="open") if t.customer == code]
        events = tasks.timeline(work, code)
        extra["timeline"] = [e.as_json() for e in reversed(events) if e.day <= as_of][:50]
        # a hold has no start date of its own: the day its timeline entry was written is when it began
        began = {e.ref: e.day for e in events if e.kind == "hold.added"}
        extra["holds"] = [h.as_json() for h in holds.list_holds(work, today=as_of)
                          if h.customer == code and began.get(f"hold:{h.id}", as_of) <= as_of]
        extra["cases"] = [c.as_json() for c in escalation.list_cases(work) if c.customer == code]
        stop = next((s for s in escalation.credit_stops(work) if s.customer == code), None)
        extra["credit_stop"] = stop.as_json() if stop is not None else None
    if features.risk:
        from cobro.risk.service import scores

        extra["risk"] = uow.repo(WORKSPACE).latest_risk(code, as_of)
        extra["alerts"] = [a.as_json() for a in scores.list_alerts(uow, status="open")
                           if a.customer == code and a.as_of <= as_of]
    return CustomerView(statement, customer_ageing(statement.open_items, parse_bucket_spec(DEFAULT_SPEC), as_of),
                        disputed_items=[i.invoice for i in statement.open_items if i.disputed], **extra)


def worklist(uow: Uow, *, collector: str = "", status: str = "open") -> Worklist:
    """Open call/meeting tasks, oldest due first, and the collectors that have any (for the filter)."""
    from cobro.collections.service import tasks

    everyone = [t.as_json() for t in tasks.list_tasks(uow, status=status)]
    rows = [t for t in everyone if not collector or t["collector"] == collector]
    return Worklist(rows, sorted({t["collector"] for t in everyone if t["collector"]}), collector, status)


def _mine(collector: str, *names: str) -> bool:
    return not collector or any(n.strip().casefold() == collector.strip().casefold() for n in names if n)


def today(uow: Uow, as_of: dt.date, *, collector: str, rates: RateSource) -> Today:
    """A collector's day: their open calls, meetings and cases due by `as_of` in the worklist's expected-value
    order (`risk.service.worklist`, the ranking of `cobro worklist`), and the promises and disputes that need
    them today.  `collector` "" is everyone's work."""
    from cobro.collections.domain.status import PromiseStatus
    from cobro.collections.service import holds, promises, tasks
    from cobro.risk.service.worklist import worklist as ranked_worklist

    ranked = ranked_worklist(uow, as_of, collector or None, rates=rates)
    open_tasks = {t.id: t for t in tasks.list_tasks(uow, collector=collector, status="open")}
    due = [r for r in ranked if not (r.kind == "task" and r.due_on is not None and r.due_on > as_of)]
    pending = [p for p in promises.list_promises(uow) if p.status == PromiseStatus.PENDING and p.due_on == as_of]
    broken = [p for p in promises.list_promises(uow, status=PromiseStatus.BROKEN)
              if as_of - BROKEN_LOOKBACK <= p.due_on <= as_of]
    disputes = holds.list_disputes(uow, status="open")
    codes = sorted({r.customer for r in due} | {p.customer for p in pending + broken} | {d.customer for d in disputes})
    facts = uow.repo(WORKSPACE).customer_facts(codes, as_of)
    disputes = [d for d in disputes if d.customer in facts and _mine(collector, d.owner, facts[d.customer].collector)]
    broken = [p for p in broken if p.customer in facts and _mine(collector, facts[p.customer].collector)]
    pending = [p for p in pending if p.customer in facts and _mine(collector, facts[p.customer].collector)]
    last_broken = {p.customer: (p.amount, p.due_on) for p in sorted(broken, key=lambda p: p.due_on)}
    disputed = {d.customer: str(d.reason_code) for d in disputes}
    rows = []
    for r in due:
        fact = facts.get(r.customer)
        if fact is None:
            continue
        task = open_tasks.get(r.id) if r.kind == "task" and r.id is not None else None
        overdue = Money.from_minor(fact.overdue_minor.get(r.currency, 0), r.currency)
        rows.append(TodayLine(r.rank, str(r.kind), r.id if r.kind == "task" else None, r.action, r.due_on, fact,
                             r.gain, script(kind=str(r.kind), action=r.action, overdue=overdue,
                                            days_late=fact.days_late, contact=task.contact if task else "",
                                            broken_promise=last_broken.get(r.customer),
                                            disputed=disputed.get(r.customer, "")),
                             contact=task.contact if task else "", phone=task.phone if task else ""))
    return Today(as_of, collector, rows, len(ranked) - len(due),
                 [TodayItem("promise_due", p.id, facts[p.customer], p.amount, p.due_on, "") for p in pending],
                 [TodayItem("promise_broken", p.id, facts[p.customer], p.amount, p.due_on, "") for p in broken],
                 [TodayItem("dispute", d.id, facts[d.customer], d.amount, d.resolve_by, str(d.reason_code))
                  for d in disputes],
                 sorted({t.collector for t in tasks.list_tasks(uow, status="open") if t.collector}
                        | ({collector} if collector else set())))


def today_row(uow: Uow, as_of: dt.date, *, customer: str, task_id: int | None, rank: int,
              done: str = "") -> TodayLine:
    """One Today row again after an action on it (its rank kept from the list), with the customer's facts now."""
    from cobro.collections.service import tasks

    fact: CustomerFacts | None = uow.repo(WORKSPACE).customer_facts([customer], as_of).get(customer)
    if fact is None:
        from cobro.kernel.errors import NotFoundError

        raise NotFoundError(f"customer: no customer {customer!r}")
    task = next((t for t in tasks.list_tasks(uow, status="") if t.id == task_id), None) if task_id else None
    currency = next(iter(fact.overdue_minor), "EUR")
    overdue = Money.from_minor(fact.overdue_minor.get(currency, 0), currency)
    return TodayLine(rank, "task" if task else "customer", task.id if task else None,
                    str(task.kind) if task else "call", task.due_on if task else None, fact, Money.zero(currency),
                    script(kind="task", action="call", overdue=overdue, days_late=fact.days_late,
                           contact=task.contact if task else ""),
                    contact=task.contact if task else "", phone=task.phone if task else "",
                    done=done or (str(task.outcome) if task and task.outcome else ""))
