"""The dunning planner: given `as_of`, a policy and one customer×currency's open items, pauses and history,
decide the one action to take now (if any) and say why.

Semantics (docs/collections.md §2):

* **Episode.**  A customer×currency's dunning runs in episodes.  One opens when an item reaches a step or falls
  overdue and closes when none does (everything paid, or nothing due yet).  Each step runs at most once per
  episode: that is the idempotency key (customer, currency, step, episode).
* **Desired step.**  Each eligible item reaches the latest due-date step whose trigger date is on or before
  `as_of` (pre-due steps only while the item is not yet overdue); steps anchored on the previous step count
  from the date that step was done.  The case wants the most advanced of these that passes its amount test.
* **Catch-up.**  Only that most advanced step is planned, once; skipped steps are never sent late, and a step
  earlier than one already done is never planned.
* **Onboarding.**  A case with no action ever recorded (a tenant's first cycle, a customer's first episode)
  enters at the policy's entry step instead of the most advanced one it reached; its episode is then *paced*:
  each later due-date step waits the policy's spacing after the step before it (docs/collections.md).
* **Grouping.**  One action lists every eligible item at that stage: items in the pre-due window for a pre-due
  step, all overdue items otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from typing import NamedTuple

from cobro.collections.domain.pauses import (
    Dispute,
    Hold,
    Item,
    Plan,
    PolicyException,
    Promise,
    apply_pauses,
    apply_plans,
    shift_terms,
)
from cobro.collections.domain.policy import Policy, Step, Trigger
from cobro.kernel.calendar import Calendar, add_business_days, business_days_between, next_business_day
from cobro.kernel.money import format_minor

ONBOARDING = "onboarding:"  # how an onboarding entry's reason starts: the stored mark of a paced episode


@dataclass(frozen=True, slots=True)
class DoneStep:
    step: str
    index: int
    on: dt.date


@dataclass(frozen=True, slots=True)
class CaseHistory:
    """The customer×currency's current open episode (if any) and the steps done in it."""

    episode: int = 0  # 0 = no open episode
    opened_on: dt.date | None = None
    done: tuple[DoneStep, ...] = ()
    last_episode: int = 0  # the highest episode ever used, open or closed
    acted: bool = False  # some action (any episode, or imported from another system) was ever recorded
    paced: bool = False  # the open episode entered through onboarding: later steps keep the policy's spacing


@dataclass(frozen=True, slots=True)
class CaseInput:
    customer_id: int
    customer: str
    currency: str
    items: Sequence[Item]
    history: CaseHistory = CaseHistory()
    holds: tuple[Hold, ...] = ()
    disputes: tuple[Dispute, ...] = ()
    promises: tuple[Promise, ...] = ()
    exceptions: tuple[PolicyException, ...] = ()
    plans: tuple[Plan, ...] = ()


class PlannedItem(NamedTuple):  # a tuple: a cycle builds one per overdue item, hundreds of thousands
    item: Item
    eligible_minor: int
    days_past_due: int


@dataclass(frozen=True, slots=True)
class PlannedAction:
    step: Step
    index: int
    items: tuple[PlannedItem, ...]
    total_minor: int
    reason: str
    onboarding: bool = False  # the entry step of a case that never had an action (capped, not caught up)


@dataclass(frozen=True, slots=True)
class ItemView:
    """One item in `cycle explain`: where it stands and why."""

    item: Item
    eligible_minor: int
    days_past_due: int
    reached: str  # the step id the item has reached on its own, "" if none
    reached_on: dt.date | None
    paused: str


@dataclass(frozen=True, slots=True)
class CaseDecision:
    customer_id: int
    customer: str
    currency: str
    episode: int  # the episode the action belongs to (0 when no episode is open after this run)
    opens_episode: bool
    closes_episode: bool
    action: PlannedAction | None
    next_step: str = ""
    next_on: dt.date | None = None
    notes: tuple[str, ...] = ()
    items: tuple[ItemView, ...] = ()
    skipped: tuple[str, ...] = field(default_factory=tuple)


class Schedule:
    """Trigger dates for one policy and one `as_of`, memoised per due date (many items share one)."""

    def __init__(self, policy: Policy, calendar: Calendar, as_of: dt.date) -> None:
        self.policy, self.calendar, self.as_of = policy, calendar, as_of
        self._dates: dict[tuple[dt.date, int], dt.date] = {}
        self._reach: dict[dt.date, int] = {}
        self.due_steps = [i for i, s in enumerate(policy.steps) if s.trigger.anchor == "due_date"]
        self.chained = [i for i, s in enumerate(policy.steps) if s.trigger.anchor == "previous_step"]
        self.pre_due = tuple(s.pre_due for s in policy.steps)  # looked up per case; the property costs a call

    def shift(self, anchor: dt.date, trigger: Trigger) -> dt.date:
        if trigger.business and trigger.days:
            day = add_business_days(anchor, trigger.days, self.calendar)
        else:
            day = anchor + dt.timedelta(days=trigger.days)
        return next_business_day(day, self.calendar) if self.policy.business_days_only else day

    def trigger_date(self, due: dt.date, index: int) -> dt.date:
        key = (due, index)
        found = self._dates.get(key)
        if found is None:
            found = self._dates[key] = self.shift(due, self.policy.steps[index].trigger)
        return found

    def reached(self, due: dt.date) -> int:
        """Index of the latest due-date step an item due on `due` has reached by `as_of`; -1 if none."""
        found = self._reach.get(due)
        if found is None:
            found = -1
            for i in self.due_steps:
                if self.pre_due[i] and self.as_of > due:
                    continue  # a pre-due reminder is pointless once the item is overdue
                if self.trigger_date(due, i) <= self.as_of:
                    found = i
            self._reach[due] = found
        return found


_BY_DUE = itemgetter(5, 2, 3)  # an Item's (due_date, invoice, seq): the order actions list their items in


def _due_reason(it: Item, step: Step, on: dt.date) -> str:
    return (f"{it.invoice}/{it.seq} due {it.due_date.isoformat()}: step '{step.id}' fires "
            f"{step.trigger.describe()} ({on.isoformat()})")


def _fmt(minor: int, currency: str) -> str:
    """"1234.50 EUR" (it runs for every case of a cycle)."""
    return f"{format_minor(minor, currency)} {currency}"


def plan_case(case: CaseInput, policy: Policy, schedule: Schedule, *, explain: bool = False) -> CaseDecision:
    as_of = schedule.as_of
    items = shift_terms(apply_plans(case.items, case.plans), case.exceptions, as_of)
    pauses = apply_pauses(items, as_of=as_of, holds=case.holds, disputes=case.disputes, promises=case.promises,
                          exceptions=case.exceptions)
    hist = case.history
    elig_amount = pauses.eligible
    reached = schedule.reached
    # One pass over the items (this runs for every open instalment of the tenant): the episode is alive while
    # anything is overdue or inside a step's window, paused or not; collect the eligible items, the overdue
    # ones, and the oldest eligible item overall and not yet due (the oldest reaches the furthest step).
    active = False
    eligible: list[Item] = []
    overdue: list[Item] = []
    overdue_total = 0
    oldest: Item | None = None
    oldest_pending: Item | None = None
    for it in items:
        if it.open_minor <= 0:
            continue
        due = it.due_date
        if not active and (due < as_of or reached(due) >= 0):
            active = True
        amount = elig_amount.get(it.instalment_id)
        if not amount:
            continue
        eligible.append(it)
        if due < as_of:
            overdue.append(it)
            overdue_total += amount
        elif oldest_pending is None or due < oldest_pending.due_date or (
                due == oldest_pending.due_date and _BY_DUE(it) < _BY_DUE(oldest_pending)):
            oldest_pending = it
        # ties on the due date go to the first invoice and instalment, whatever order the database returned
        if oldest is None or due < oldest.due_date or (due == oldest.due_date and _BY_DUE(it) < _BY_DUE(oldest)):
            oldest = it
    opens = active and hist.episode == 0
    closes = not active and hist.episode > 0
    episode = hist.episode if hist.episode else (hist.last_episode + 1 if active else 0)
    done = {d.step: d for d in hist.done} if hist.episode else {}
    last_done = max((d.index for d in done.values()), default=-1)
    skip = {e.value for e in case.exceptions if e.kind == "skip_step" and e.active(as_of)}

    # step index → why it is due; the text is built only for the step finally chosen.  Every due-date step up
    # to the furthest reached one is a candidate, so a step that fails its amount test falls back to a lower one.
    candidates: dict[int, Callable[[], str]] = {}
    pre_due = schedule.pre_due
    for j in schedule.due_steps:
        who = oldest_pending if pre_due[j] else oldest
        if who is not None and reached(who.due_date) >= j:
            candidates[j] = partial(_due_reason, who, policy.steps[j], schedule.trigger_date(who.due_date, j))
    for i in schedule.chained if active else ():
        step = policy.steps[i]
        prev = [d for d in done.values() if d.index < i]
        if prev:
            base = max(prev, key=lambda d: d.index)
            when = schedule.shift(base.on, step.trigger)
            if when <= as_of:
                text = (f"step '{step.id}' fires {step.trigger.describe()} ('{base.step}' on "
                        f"{base.on.isoformat()} → {when.isoformat()})")
                candidates[i] = partial(str, text)
    onboarding = _pace(candidates, case, policy, schedule, done, last_done, skip)
    broken = [p for p in case.promises if p.status == "broken" and p.currency == case.currency
              and hist.opened_on is not None and (p.evaluated_on or as_of) >= hist.opened_on]
    broken_escalates: set[int] = set()
    if broken and overdue:
        for i, step in enumerate(policy.steps):
            if step.escalation is not None and step.escalation.on_broken_promise:
                candidates.setdefault(i, partial(str, f"promise #{broken[0].id} due {broken[0].due_on.isoformat()} "
                                                      "was broken"))
                broken_escalates.add(i)

    action: PlannedAction | None = None
    skipped: list[str] = []
    for i in sorted(candidates, reverse=True):
        step = policy.steps[i]
        if i <= last_done or step.id in done:
            break  # never repeat a step in the episode nor go back to an earlier one
        if step.id in skip:
            skipped.append(f"{step.id}: skipped by an approved exception")
            continue
        chosen = ([it for it in eligible if it.due_date >= as_of and reached(it.due_date) == i] if pre_due[i]
                  else overdue or [it for it in eligible if reached(it.due_date) >= i])
        if not chosen:
            continue
        total = overdue_total if chosen is overdue else sum(elig_amount[it.instalment_id] for it in chosen)
        if total < step.min_overdue_minor(case.currency):
            skipped.append(f"{step.id}: overdue {_fmt(total, case.currency)} is below the minimum "
                           f"{_fmt(step.min_overdue_minor(case.currency), case.currency)}")
            continue
        esc = step.escalation
        if esc is not None and i not in broken_escalates and total <= esc.threshold(case.currency):
            skipped.append(f"{step.id}: overdue {_fmt(total, case.currency)} does not exceed "
                           f"{_fmt(esc.threshold(case.currency), case.currency)}")
            continue
        missed = [s.id for j, s in enumerate(policy.steps) if last_done < j < i and s.id not in done
                  and not pre_due[j]]
        reason = candidates[i]() + f"; {len(chosen)} item(s), {_fmt(total, case.currency)}"
        if onboarding and i == entry_step(policy, skip):
            reason = (f"{ONBOARDING} no earlier action recorded, entering at '{step.id}' (the debt reached "
                      f"'{policy.steps[onboarding - 1].id}'); {len(chosen)} item(s), {_fmt(total, case.currency)}")
        elif missed:
            reason += f"; catch-up: not sending the earlier step(s) {', '.join(missed)}"
        planned = tuple([PlannedItem(it, elig_amount[it.instalment_id], (as_of - it.due_date).days)
                         for it in sorted(chosen, key=_BY_DUE)])
        action = PlannedAction(step, i, planned, total, reason,
                               onboarding=bool(onboarding) and i == entry_step(policy, skip))
        break

    paced_from = (DoneStep(action.step.id, action.index, as_of) if action is not None and action.onboarding
                  else max(done.values(), key=lambda d: d.index) if hist.paced and done and action is None
                  else None)
    next_step, next_on = _next(policy, schedule, eligible, done, action=action,
                              last_done=last_done, skip=skip, paced_from=paced_from)
    views: tuple[ItemView, ...] = ()
    if explain:
        views = tuple(
            ItemView(it, pauses.eligible.get(it.instalment_id, 0), (as_of - it.due_date).days,
                     policy.steps[r].id if (r := schedule.reached(it.due_date)) >= 0 else "",
                     schedule.trigger_date(it.due_date, r) if r >= 0 else None, pauses.why.get(it.instalment_id, ""))
            for it in sorted(items, key=lambda x: (x.due_date, x.invoice, x.seq)))
    return CaseDecision(case.customer_id, case.customer, case.currency, episode if active else hist.episode,
                        opens, closes, action, next_step, next_on, pauses.notes, views, tuple(skipped))


def _pace(candidates: dict[int, Callable[[], str]], case: CaseInput, policy: Policy, schedule: Schedule,
          done: dict[str, DoneStep], last_done: int, skip: set[str]) -> int:
    """Onboarding, in place on `candidates`.  A case that never had an action keeps no due-date step beyond the
    entry step (returns 1 + the furthest step it dropped, 0 when it dropped none); a paced episode keeps only the
    next step, and only once the policy's spacing since the last step done has passed."""
    entry = entry_step(policy, skip)
    hist = case.history
    if entry >= 0 and not hist.acted and not done:
        above = [j for j in candidates if j > entry]
        if not above:
            return 0
        for j in above:
            del candidates[j]
        candidates.setdefault(entry, partial(str, ""))
        return max(above) + 1
    if hist.paced and done:
        last = max(done.values(), key=lambda d: d.index)
        following = [j for j in range(last_done + 1, len(policy.steps))
                     if not schedule.pre_due[j] and policy.steps[j].id not in skip]
        for j in [j for j in candidates if j > last_done and policy.steps[j].trigger.anchor == "due_date"]:
            if not following or j != following[0] or schedule.as_of < spaced(schedule, last, j):
                del candidates[j]
    return 0


def entry_step(policy: Policy, skip: set[str]) -> int:
    """The onboarding entry step, or the first later overdue step when an approved exception skips it."""
    entry = policy.entry_index()
    while 0 <= entry < len(policy.steps) and policy.steps[entry].id in skip:
        entry += 1
    return entry if entry < len(policy.steps) else -1


def spaced(schedule: Schedule, last: DoneStep, index: int) -> dt.date:
    """When step `index` fires in a paced episode: the policy's gap between it and the last step done, counted
    from the day that step was done (in the steps' unit when they share one; else the calendar gap the two
    triggers leave on a debt falling due that day)."""
    before, after = schedule.policy.steps[last.index].trigger, schedule.policy.steps[index].trigger
    if before.unit == after.unit:
        return schedule.shift(last.on, Trigger(after.days - before.days, "due_date", after.unit))
    gap = schedule.trigger_date(last.on, index) - schedule.trigger_date(last.on, last.index)
    day = last.on + gap
    return next_business_day(day, schedule.calendar) if schedule.policy.business_days_only else day


def _next(policy: Policy, schedule: Schedule, eligible: list[Item], done: dict[str, DoneStep], *,
          action: PlannedAction | None, last_done: int, skip: set[str],
          paced_from: DoneStep | None = None) -> tuple[str, dt.date | None]:
    """The step after the current one and the earliest date it can fire (if no pause intervenes)."""
    current = action.index if action else last_done
    for j in range(current + 1, len(policy.steps)):
        step = policy.steps[j]
        if step.id in skip or step.id in done:
            continue
        if step.trigger.anchor == "previous_step":
            base = schedule.as_of if action else max(done.values(), key=lambda d: d.index).on if done else None
            return step.id, schedule.shift(base, step.trigger) if base else None
        dues = [it.due_date for it in eligible if not (step.pre_due and it.due_date < schedule.as_of)]
        if paced_from is not None and not step.pre_due and dues:
            return step.id, max(spaced(schedule, paced_from, j), schedule.trigger_date(min(dues), j))
        if dues:
            return step.id, schedule.trigger_date(min(dues), j)
        return step.id, None
    return "", None


def business_days_past_due(due: dt.date, as_of: dt.date, calendar: Calendar) -> int:
    return business_days_between(due, as_of, calendar)
