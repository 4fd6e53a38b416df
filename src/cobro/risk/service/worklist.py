"""The collector worklist: open tasks and escalation cases ranked by expected money per minute of collector time.

For a task (a call or meeting) the value is what that action adds over waiting, EV(call) − EV(wait); for an
escalation case it is EV(agency or monitorio, the better) − EV(wait); both from `domain.decide` with the case's
classification and risk score (waiting is valued at the stored payment-date predictions' expected dates when
a `cobro predict refresh` ran by the as-of date).  Dividing by the action's minutes gives the rank; values are
converted to the base currency (`DecisionParameters.fx_to_base`) so cases in different currencies compare.  When nothing is
open (no collections cycle has run), the delinquent customers themselves are listed with their recommended
action, so a collector still knows where to start.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from cobro.kernel.money import Money, format_grouped
from cobro.kernel.rates import RateSource
from cobro.platform.uow import Uow
from cobro.risk.domain import decide as dc
from cobro.risk.repository import RISK
from cobro.risk.schemas import Profile, WorkItemRank, WorkKind
from cobro.risk.service import scores as risk

_TASK_ACTION = {"call": "call", "meeting": "call"}
_MEETING_MINUTES = 45


def _row(kind: WorkKind, ref: int | None, prof: Profile, case: dc.Case, options: dict[str, dc.OptionValue],
         action: str, minutes: int, params: dc.DecisionParameters, due_on: dt.date | None) -> WorkItemRank:
    gain = options[action].value - options["wait"].value
    fx = params.fx_to_base.get(case.currency, Decimal(1))
    per_minute = gain / fx / max(minutes, 1)
    cls = prof.classification
    reason = (f"{action}: {gain:+,.0f} {case.currency} vs waiting ({options[action].probability:.0%} vs "
              f"{options['wait'].probability:.0%} recovery) on {format_grouped(case.overdue, case.currency)} {case.currency} "
              f"{case.days_past_due:.0f} days overdue; {cls.label.replace('_', ' ') if cls else 'unclassified'}")
    return WorkItemRank(kind, ref, prof.customer.code, prof.customer.collector, case.currency, action, minutes, due_on,
                        Money(gain.quantize(Decimal("0.01")), case.currency), round(float(per_minute), 2), reason)


def worklist(uow: Uow, as_of: dt.date, collector: str | None = None, *, rates: RateSource) -> list[WorkItemRank]:
    """Open tasks and cases, best euros-per-minute first (see the module docstring); `rates` prices the cases'
    claimable interest."""
    ctx = risk.with_stored_waits(uow, risk.build(uow, as_of, rates=rates))
    params = ctx.decision
    by_id = {p.customer.id: p for p in ctx.profiles}
    items = uow.repo(RISK).open_work(collector or None)
    rows: list[WorkItemRank] = []
    for item in items:
        prof = by_id.get(item.customer_id)
        if prof is None:
            continue
        kind = WorkKind(item.kind)
        case = next((c for c in prof.cases if c.currency == item.currency), prof.cases[0] if prof.cases else None)
        if case is None:  # nothing overdue any more: the task is worth nothing now, list it last
            rows.append(WorkItemRank(kind, item.id, prof.customer.code, item.collector, item.currency, item.action, 0,
                                     item.due_on, Money(Decimal(0), item.currency), 0.0,
                                     "nothing overdue any more: close the task"))
            continue
        options = {o.action: o for o in dc.evaluate(case, params)}
        if kind is WorkKind.CASE:
            action = max(("agency", "monitorio"), key=lambda a: options[a].value)
            minutes = params.actions[action].minutes
        else:
            action = _TASK_ACTION.get(item.action, "call")
            minutes = _MEETING_MINUTES if item.action == "meeting" else params.actions[action].minutes
        rows.append(_row(kind, item.id, prof, case, options, action, minutes, params, item.due_on))
    if not items:
        for prof in ctx.profiles:
            if collector and prof.customer.collector != collector:
                continue
            for case in prof.cases:
                rec = dc.recommend(case, params)
                if rec.action in ("wait", "write_off"):
                    continue
                options = {o.action: o for o in rec.options}
                rows.append(_row(WorkKind.CUSTOMER, None, prof, case, options, rec.action, rec.minutes, params, None))
    rows.sort(key=lambda r: -r.per_minute_base)
    return [dataclasses.replace(r, rank=rank) for rank, r in enumerate(rows, start=1)]
