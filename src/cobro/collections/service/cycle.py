"""The daily collections cycle: evaluate every customer×currency with open items against its policy, plan the
actions, and write them with their outbox messages, tasks and escalation cases in the caller's transaction.

Idempotent (each step once per episode, enforced by a unique key), catch-up safe (only the most advanced due
step), race safe (a concurrent run's conflicting inserts plan nothing) and set-based (a few bulk queries).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import time
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from cobro.collections.domain.dunning import CaseDecision, CaseHistory, CaseInput, Schedule, plan_case
from cobro.collections.domain.dunning_quiet import CaseSummary, is_quiet
from cobro.collections.domain.pauses import Promise, evaluate_promise
from cobro.collections.domain.policy import MESSAGE_CHANNELS, TASK_CHANNELS
from cobro.collections.records import PromiseRow, TimelineEventRow
from cobro.collections.repository import cycle as repo
from cobro.collections.repository import cycle_sql
from cobro.collections.repository import onboarding as onboarding_repo
from cobro.collections.repository.cycle import Customer
from cobro.collections.repository.cycle_writer import write_behind
from cobro.collections.service.creditor import Creditor
from cobro.collections.service.cycle_effects import (
    ActionKey,
    Book,
    Draft,
    _items_json,
    _key,
    _write_effects,
    draft_effects,
)
from cobro.collections.service.cycle_events import emit_run_events
from cobro.collections.service.loops import close_loops
from cobro.collections.service.policy import policy_book
from cobro.kernel.calendar import HolidayCalendar
from cobro.kernel.money import format_minor
from cobro.kernel.rates import RateSource
from cobro.platform.uow import UnitOfWork
from cobro.tenancy.service import letterhead


@dataclass
class CycleResult:
    as_of: dt.date
    dry_run: bool
    actions: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    onboarding: list[OnboardingEntry] = field(default_factory=list)  # cases with no earlier action, per entry step
    phases: dict[str, float] = field(default_factory=dict)  # wall seconds per phase, for benchmarks (not stored)
    run_id: int = 0  # the stored run (a dry run's disappears with its rolled-back transaction)
    _since: float = field(default_factory=time.perf_counter, repr=False, compare=False)

    def lap(self, phase: str) -> None:
        """Close `phase`: the time since the previous lap (or the start) is charged to it."""
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self._since
        self._since = now

    def as_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "dry_run": self.dry_run, "actions": self.actions,
                "counts": self.counts, "problems": self.problems,
                "onboarding": [e.as_json() for e in self.onboarding]}


@dataclass(frozen=True, slots=True)
class OnboardingEntry:
    """How many customers with no action ever recorded enter the sequence at `step` today, and how much."""

    step: str
    currency: str
    customers: int
    total_minor: int

    def as_json(self) -> dict[str, Any]:
        return {"step": self.step, "currency": self.currency, "customers": self.customers,
                "total": format_minor(self.total_minor, self.currency)}


def _onboarding(decisions: list[tuple[CaseDecision, Book]], hist: dict[Key, CaseHistory]) -> list[OnboardingEntry]:
    """The onboarding report: acting cases that had no action before, by the step they enter at."""
    customers: dict[tuple[int, str, str], set[int]] = {}
    totals: Counter[tuple[int, str, str]] = Counter()
    for d, _book in decisions:
        h = hist.get((d.customer_id, d.currency), _NO_HISTORY)
        if d.action is None or h.acted:
            continue
        key = (d.action.index, d.action.step.id, d.currency)
        customers.setdefault(key, set()).add(d.customer_id)
        totals[key] += d.action.total_minor
    return [OnboardingEntry(step, cur, len(customers[(i, step, cur)]), totals[(i, step, cur)])
            for i, step, cur in sorted(customers)]


def _evaluate_promises(session: Session, tenant: int, as_of: dt.date, evaluated: list[PromiseRow] | None = None
                       ) -> tuple[int, int, list[dict[str, Any]]]:
    kept = broken = 0
    events: list[dict[str, Any]] = []
    for row, payments in repo.pending_promise_payments(session, tenant, as_of):
        promise = Promise(row.id, row.currency, row.amount_minor, row.due_on, row.grace_days)
        paid = sum(a for d, a in payments if d <= promise.pause_until)
        status = evaluate_promise(promise, paid, as_of)
        if status == "pending":
            continue
        row.status, row.paid_minor, row.evaluated_on = status, paid, as_of
        if evaluated is not None:
            evaluated.append(row)
        kept += status == "kept"
        broken += status == "broken"
        events.append({"tenant_id": tenant, "customer_id": row.customer_id, "day": as_of, "kind": f"promise.{status}",
                           "ref": f"promise:{row.id}", "actor": "cycle",
                           "summary": f"promise to pay {format_minor(row.amount_minor, row.currency)} {row.currency} by "
                                   f"{row.due_on.isoformat()} {status} (paid {format_minor(paid, row.currency)})"})
    session.flush()
    return kept, broken, events


def run_cycle(uow: UnitOfWork, *, as_of: dt.date, now: dt.datetime, rates: RateSource,
              dry_run: bool = False) -> CycleResult:
    """Run the cycle for `as_of` in `uow` (its tenant, its transaction: the caller commits, or rolls a dry run
    back); `rates` (the container's rate book) prices the interest letters state."""
    # A run allocates millions of small, long-lived objects; the cyclic GC would rescan them over and over.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run_cycle(uow, as_of=as_of, now=now, rates=rates, dry_run=dry_run)
    finally:
        if enabled:
            gc.enable()


def _run_cycle(uow: UnitOfWork, *, as_of: dt.date, now: dt.datetime, rates: RateSource,
               dry_run: bool) -> CycleResult:
    result = CycleResult(as_of, dry_run)
    session = uow.session
    repo.lock_for_run(session, uow.tenant_code)  # by the code chosen: the tenant is looked up after the lock
    tenant = uow.tenant.id
    run_id = result.run_id = repo.start_run(session, tenant, as_of, dry_run=dry_run, now=now)
    expired = repo.expire_exceptions(session, tenant, as_of)
    evaluated: list[PromiseRow] = []  # for their webhook events, queued once the run is written
    kept, broken, events = _evaluate_promises(session, tenant, as_of, evaluated)
    loops = close_loops(uow, as_of=as_of)  # before planning: a settled case's episode ends, the rest starts anew
    book = policy_book(uow)
    custs = repo.customers(session, tenant)
    result.lap("start")
    summaries = cycle_sql.case_summaries(session, tenant, as_of)
    result.lap("summaries")
    hist = repo.histories(session, tenant)
    pauses = repo.pauses(session, tenant, as_of)
    result.lap("histories")
    schedules: dict[str, Schedule] = {}
    # Expand into items only the pairs that may act, open or close today; the rest are quiet (see dunning_quiet).
    keys, quiet = _triage(book, custs, summaries, hist, pauses, schedules, as_of)
    result.lap("triage")
    need = {cid for cid, _ in keys if cid in custs}
    items = repo.open_items(session, tenant, customer_ids=need if need < {cid for cid, _ in summaries} else None)
    result.lap("items")
    ctx = _Planning(book, custs, items, hist, pauses, schedules, as_of)
    created: dict[ActionKey, int] = {}
    shown: dict[ActionKey, list[dict[str, Any]]] = {}
    creditor = Creditor.of(letterhead(uow))  # who the run's messages are from: the tenant's profile
    if dry_run:
        decisions = ctx.plan(keys)
    else:
        # Plan, write and draft the effects chunk by chunk.  A worker (PostgreSQL; inline on SQLite) writes each
        # chunk's cases and actions and reads its contacts, then, once Python has drafted the chunk's effects
        # (while the next chunk is planned and written), writes them with the action ids.  The session is the
        # worker's until the block ends.
        decisions = []
        inserted: list[Future[dict[ActionKey, int]]] = []
        with write_behind(session) as behind:
            behind.submit(repo.bulk_insert, session, TimelineEventRow, events)  # promise outcomes first
            waiting: list[tuple[list[tuple[CaseDecision, Book]], Future[Any], Future[Any]]] = []

            def draft(acting: list[tuple[CaseDecision, Book]], inserting: Future[Any], reading: Future[Any]) -> None:
                chunk = {_key(d): _items_json(a) for d, _ in acting if (a := d.action)}
                shown.update(chunk)
                people, notices = reading.result()
                drafts = draft_effects(tenant, as_of, custs, planned=acting, shown=chunk, contacts=people,
                                       creditor=creditor, rates=rates, notices=notices)
                behind.submit(_write_drafts, session, tenant, drafts, inserting)

            for start in range(0, len(keys), _CHUNK):
                part = ctx.plan(keys[start:start + _CHUNK])
                decisions += part
                acting = [(d, pol) for d, pol in part if d.action is not None]
                behind.submit(repo.open_cases, session, tenant, [
                    {"tenant_id": tenant, "customer_id": d.customer_id, "currency": d.currency, "episode": d.episode,
                     "opened_on": as_of} for d, _ in part if d.opens_episode])
                behind.submit(repo.close_cases, session, tenant,
                              [(d.customer_id, d.currency, d.episode) for d, _ in part if d.closes_episode], as_of)
                inserting = behind.submit(repo.insert_actions, session,
                                          [_action_row(tenant, run_id, as_of, d, pol) for d, pol in acting])
                inserted.append(inserting)
                waiting.append((acting, inserting, behind.submit(_read_for_drafts, session, tenant, {
                    d.customer_id for d, _ in acting if d.action is not None
                    and (d.action.step.channel in MESSAGE_CHANNELS or d.action.step.channel in TASK_CHANNELS)})))
                if len(waiting) > 1:  # draft the previous chunk: its contacts are read by now
                    draft(*waiting.pop(0))
            while waiting:
                draft(*waiting.pop(0))
            result.lap("plan and draft (while writing)")
        for inserting in inserted:
            created.update(inserting.result())
        result.lap("wait for writes")
        emit_run_events(uow, run_id=run_id, as_of=as_of, custs=custs, promises=evaluated,
                        planned=[(d, pol) for d, pol in decisions if d.action is not None], created=created,
                        shown=shown)
        result.lap("webhook events")
    result.problems.extend(ctx.problems())
    result.onboarding = _onboarding(decisions, hist)
    planned = [(d, pol) for d, pol in decisions if d.action is not None]
    counts: Counter[str] = Counter()
    unsigned: Counter[str] = Counter()
    counts.update(customers=len({d.customer_id for d, _ in decisions} | quiet),
                  items=sum(s.count for s in summaries.values()),
                  exceptions_expired=expired, promises_kept=kept, promises_broken=broken)
    counts.update(loops.counts())
    for d, _ in decisions:
        counts["episodes_opened"] += d.opens_episode
        counts["episodes_closed"] += d.closes_episode
    for d, (name, _version, _policy) in planned:
        a = d.action
        assert a is not None
        if not dry_run and _key(d) not in created:
            counts["already_planned"] += 1  # a concurrent run took this key first
            continue
        counts["planned"] += 1
        counts[f"channel.{a.step.channel}"] += 1
        if a.step.channel in MESSAGE_CHANNELS:
            unsigned[creditor.unsendable(MESSAGE_CHANNELS[a.step.channel], a.step.template)] += 1
        result.actions.append({"customer": custs[d.customer_id].code, "currency": d.currency, "step": a.step.id,
                               "channel": a.step.channel, "episode": d.episode, "policy": name,
                               "items": shown[_key(d)] if not dry_run else _items_json(a),
                               "total": format_minor(a.total_minor, d.currency),
                               "reason": a.reason})
    # messages the profile cannot sign are queued skipped (see collections.service.creditor): say so once per reason
    result.problems.extend(f"{n} message(s) skipped: {reason}" for reason, n in sorted(unsigned.items()) if reason)
    counts["problems"] = len(result.problems)
    result.counts = dict(sorted(counts.items()))
    repo.finish_run(session, run_id, result.counts, now)
    session.flush()
    result.lap("finish")
    return result


_CHUNK = 20_000  # pairs per batch: small enough to overlap planning and drafting with writing


def _read_for_drafts(session: Session, tenant: int, customer_ids: set[int]
                     ) -> tuple[dict[int, list[Any]], dict[Key, tuple[dt.date, ...]]]:
    """What drafting a chunk's messages reads: the customers' contacts and their earlier delivered notices."""
    return repo.contacts(session, customer_ids), onboarding_repo.earlier_notices(session, tenant, customer_ids)


def _write_drafts(session: Session, tenant: int, drafts: list[Draft], inserting: Future[dict[ActionKey, int]]
                  ) -> None:
    repo.bulk_insert(session, TimelineEventRow, _write_effects(session, tenant, drafts, inserting.result()))


def _schedule(schedules: dict[str, Schedule], chosen: Book, as_of: dt.date) -> Schedule:
    name, _version, policy = chosen
    schedule = schedules.get(name)
    if schedule is None:
        schedule = schedules[name] = Schedule(policy, HolidayCalendar(policy.country, policy.subdivision), as_of)
    return schedule


def _triage(book: Any, custs: dict[int, Customer], summaries: dict[Key, CaseSummary],
            hist: dict[Key, CaseHistory], pauses: tuple[dict[int, Any], ...], schedules: dict[str, Schedule],
            as_of: dt.date) -> tuple[list[Key], set[int]]:
    """The pairs to plan in full (sorted) and the customers of quiet pairs, which plan_case would leave as they
    are.  A customer with any hold, dispute, promise, exception or plan is always planned in full."""
    paused = {cid for by_customer in pauses for cid in by_customer}
    keys: list[Key] = []
    quiet: set[int] = set()
    # The verdict depends only on these, which most pairs share (e.g. every pair that had its last step today)
    seen: dict[tuple[str, dt.date, dt.date | None, bool, bool, CaseHistory], bool] = {}
    for key in sorted(set(summaries) | {k for k, h in hist.items() if h.episode}):
        cid = key[0]
        cust = custs.get(cid)
        summary = summaries.get(key)
        chosen = book.for_customer(cid, cust.segment) if cust is not None else None
        if chosen is None or summary is None or cid in paused:
            keys.append(key)  # _plan_all skips unknown customers and reports those without a policy
            continue
        history = hist.get(key, _NO_HISTORY)
        memo = (chosen[0], summary.min_due, summary.min_pending_due, summary.flagged, summary.count > 0, history)
        verdict = seen.get(memo)
        if verdict is None:
            verdict = seen[memo] = is_quiet(summary, history, _schedule(schedules, chosen, as_of))
        if verdict:
            quiet.add(cid)
        else:
            keys.append(key)
    return keys, quiet


_NO_HISTORY = CaseHistory()
Key = tuple[int, str]


class _Planning:
    """Plans pairs with plan_case, chunk by chunk; remembers customers that have no policy."""

    def __init__(self, book: Any, custs: dict[int, Customer], items: dict[Key, list[Any]],
                 hist: dict[Key, CaseHistory], pauses: tuple[dict[int, Any], ...], schedules: dict[str, Schedule],
                 as_of: dt.date, *, explain: bool = False) -> None:
        self.book, self.custs, self.items, self.hist, self.pauses = book, custs, items, hist, pauses
        self.schedules, self.as_of, self.explain = schedules, as_of, explain
        self.unassigned: set[int] = set()

    def plan(self, keys: list[Key]) -> list[tuple[CaseDecision, Book]]:
        holds, disputes, promises, exceptions, plans = self.pauses
        decisions: list[tuple[CaseDecision, Book]] = []
        for key in keys:
            cid, currency = key
            cust = self.custs.get(cid)
            if cust is None:
                continue
            chosen = self.book.for_customer(cid, cust.segment)
            if chosen is None:
                self.unassigned.add(cid)
                continue
            schedule = _schedule(self.schedules, chosen, self.as_of)
            case = CaseInput(cid, cust.code, currency, self.items.get(key, ()), self.hist.get(key, _NO_HISTORY),
                             tuple(holds.get(cid, ())), tuple(disputes.get(cid, ())), tuple(promises.get(cid, ())),
                             tuple(exceptions.get(cid, ())),
                             tuple(p for p in plans.get(cid, ()) if p.currency == currency))
            decisions.append((plan_case(case, chosen[2], schedule, explain=self.explain), chosen))
        return decisions

    def problems(self) -> list[str]:
        if not self.unassigned:
            return []
        return [(f"{len(self.unassigned)} customer(s) with open items have no policy; "
                 "run `cobro policy apply FILE` to set a default")]


def _plan_all(book: Any, custs: dict[int, Customer], items: dict[Key, list[Any]], hist: dict[Key, CaseHistory],
              pauses: tuple[dict[int, Any], ...], *, as_of: dt.date, explain: bool = False,
              ) -> tuple[list[tuple[CaseDecision, Book]], list[str]]:
    """Plan every pair with open items or an open episode (`cycle explain` plans one customer this way)."""
    planning = _Planning(book, custs, items, hist, pauses, {}, as_of, explain=explain)
    decisions = planning.plan(sorted(set(items) | {k for k, h in hist.items() if h.episode}))
    return decisions, planning.problems()


def _action_row(tenant: int, run_id: int, as_of: dt.date, d: CaseDecision, chosen: Book) -> dict[str, Any]:
    a = d.action
    assert a is not None
    # Only the instalment ids (payment-plan instalments have negative ids): the amounts and dates the action
    # demanded are in its outbox message, task summary or escalation case.
    items = [p.item.instalment_id for p in a.items]
    return {"tenant_id": tenant, "customer_id": d.customer_id, "currency": d.currency, "step": a.step.id,
                "step_index": a.index, "channel": a.step.channel, "as_of": as_of, "episode": d.episode, "policy_name": chosen[0],
                "policy_version": chosen[1], "items_json": json.dumps(items), "total_minor": a.total_minor,
                "reason": a.reason, "status": "planned", "run_id": run_id}


