"""Collector performance (issue 15, item 7): per collector and currency for a month, the amount recovered after
their contacts (`domain.performance.attribute`), promises made, kept and broken with the kept rate, calls and
meetings with their outcomes, the open and overdue amount and the DSO of their portfolio, and the month's target
with the progress towards it.  Targets are set per collector, month and currency (audited)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.collections.domain.performance import (
    DEFAULT_WINDOW_DAYS,
    attribute,
    check_window,
    kept_rate,
    parse_period,
    progress,
    totals,
)
from cobro.collections.repository.performance import PERFORMANCE
from cobro.collections.schemas.performance import CollectorLine, CollectorReport, CollectorTarget
from cobro.kernel.amounts import parse_minor
from cobro.kernel.errors import InvalidInputError
from cobro.platform.uow import Uow
from cobro.reporting.domain.kpis import dso

MAX_NAME = 120


def collector_report(uow: Uow, *, period: str, as_of: dt.date,
                     window_days: int = DEFAULT_WINDOW_DAYS) -> CollectorReport:
    """The month `period` (YYYY-MM) up to `as_of` when it is still running; the portfolio is taken at the end."""
    try:
        start, last = parse_period(period)
        window = check_window(window_days)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    if start > as_of:
        raise InvalidInputError(f"period: {period} starts after the as-of day {as_of.isoformat()}")
    end = min(last, as_of)
    repo = uow.repo(PERFORMANCE)
    # contacts from `window` days before the month: a payment on the 2nd may follow a call on the 28th
    recovered = totals(attribute(repo.contacts(start - dt.timedelta(days=window), end), repo.receipts(start, end),
                                 window_days=window))
    made: Counter[str] = Counter()
    judged: dict[str, Counter[str]] = defaultdict(Counter)
    for who, in_period, status in repo.promises(start, end):
        made[who] += in_period
        if status:
            judged[who][status] += 1
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for who, kind, outcome in repo.tasks_done(start, end):
        kinds[who][kind] += 1
        outcomes[who][outcome or "none"] += 1
    portfolio = {(who, cur): (n, open_minor, overdue) for who, cur, n, open_minor, overdue in repo.portfolio(end)}
    sales = repo.sales(start, end)
    targets = {(t.collector, t.currency): t.amount_minor for t in repo.targets(period)}
    keys = {k for k in (*recovered, *portfolio, *sales) if k[0]} | set(targets)
    per_collector = {k[0] for k in keys}
    # promises and calls carry no currency: they are shown on each of the collector's lines
    keys |= {(who, "") for who in (set(made) | set(judged) | set(kinds)) - per_collector if who}
    days = (end - start).days + 1
    lines = []
    for who, cur in sorted(keys):
        n, open_minor, overdue = portfolio.get((who, cur), (0, 0, 0))
        sold = sales.get((who, cur), 0)
        got, target = recovered.get((who, cur), 0), targets.get((who, cur))
        kept, broken = judged[who]["kept"], judged[who]["broken"]
        lines.append(CollectorLine(
            collector=who, currency=cur, recovered_minor=got, target_minor=target, progress=progress(got, target),
            promises_made=made[who], promises_kept=kept, promises_broken=broken, kept_rate=kept_rate(kept, broken),
            calls=kinds[who]["call"], meetings=kinds[who]["meeting"], outcomes=tuple(sorted(outcomes[who].items())),
            portfolio_customers=n, portfolio_open_minor=open_minor, portfolio_overdue_minor=overdue,
            dso=_dso(open_minor, sold, days)))
    unattributed = tuple(sorted((cur, minor) for (who, cur), minor in recovered.items() if not who and minor))
    return CollectorReport(period, start, end, window, tuple(lines), unattributed)


def _dso(open_minor: int, sold_minor: int, days: int) -> Decimal | None:
    # minor units on both sides of the ratio: the currency's scale cancels out
    value = dso(Decimal(open_minor), Decimal(sold_minor), days)
    return None if value is None else value.quantize(Decimal("0.1"))


def set_target(uow: Uow, *, collector: str, period: str, amount: str, currency: str,
               user: str = "") -> CollectorTarget:
    """Set (or replace) what `collector` is to recover in `period`, in `currency`; audited."""
    name = collector.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInputError(f"collector: a name of 1 to {MAX_NAME} characters")
    code = currency.strip().upper()
    try:
        parse_period(period)
        minor = parse_minor(amount, code)
    except ValueError as exc:  # AmountError is a ValueError
        message = str(exc)
        raise InvalidInputError(message if message.startswith("period:") else f"amount: {message}") from None
    if minor <= 0:
        raise InvalidInputError("amount: a target must be more than zero")
    target = CollectorTarget(name, period.strip(), code, minor)
    before = uow.repo(PERFORMANCE).set_target(target, by=user)
    audit.record(uow, Change("collector_target", f"{name}:{target.period}:{code}", "set",
                             None if before is None else {"amount_minor": before},
                             {"amount_minor": minor, "currency": code}), user=user)
    return target


def targets(uow: Uow, *, period: str) -> list[CollectorTarget]:
    try:
        parse_period(period)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    return uow.repo(PERFORMANCE).targets(period.strip())

