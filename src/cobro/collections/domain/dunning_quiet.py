"""Which customer×currency pairs the cycle may skip without expanding their items: a sound shortcut for
`plan_case`, decided from a few per-pair aggregates (SQL computes them over the whole tenant in one query).

A pair is *quiet* when `plan_case` would certainly plan no action and neither open nor close an episode.  The
test is sound, not complete: whenever it is unsure (pauses, plans, exceptions, a disputed invoice, a case
that could open or close) it says "not quiet" and the pair is planned in full, so the cycle's decisions are
exactly those of `plan_case`.  It rests on trigger dates growing with the due date (adding days, business or
calendar, and rolling to the next business day never move an earlier date past a later one): the oldest items
reach the furthest steps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cobro.collections.domain.dunning import CaseHistory, Schedule


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """A customer×currency's open items in aggregate (the same items `plan_case` would get)."""

    count: int
    min_due: dt.date  # the oldest due date
    min_pending_due: dt.date | None  # the oldest due date on or after as_of (None if everything is overdue)
    flagged: bool  # some invoice came in marked disputed (a pause, so the pair is planned in full)


def is_quiet(summary: CaseSummary, history: CaseHistory, schedule: Schedule) -> bool:
    """True only if `plan_case` on this pair, without pauses, plans or exceptions, plans nothing, opens no
    episode and closes none.  The caller must not ask for a pair with any hold, dispute, promise, exception or
    payment plan on its customer."""
    if summary.flagged or summary.count <= 0:
        return False
    as_of = schedule.as_of
    reached = schedule.reached
    # plan_case: the episode is alive while an item is overdue or has reached a step; by monotonicity the oldest
    # item decides.
    active = summary.min_due < as_of or reached(summary.min_due) >= 0
    if not history.episode:
        return not active  # nothing open and nothing to open
    if not active:
        return False  # the episode closes
    done = {d.step: d for d in history.done}  # as plan_case builds it
    last_done = max((d.index for d in done.values()), default=-1)
    # A due-date step is a candidate only if the oldest item (or, for pre-due steps, the oldest not yet due)
    # reached it; plan_case stops at the first candidate at or below the last step done.
    furthest = max(reached(summary.min_due),
                   reached(summary.min_pending_due) if summary.min_pending_due is not None else -1)
    if furthest > last_done:
        return False
    # A step anchored on the previous step and beyond the last one done counts from the latest step done.
    if done:
        base = max(done.values(), key=lambda d: d.index)
        for i, step in enumerate(schedule.policy.steps):
            if i > last_done and step.trigger.anchor == "previous_step" \
                    and schedule.shift(base.on, step.trigger) <= as_of:
                return False
    return True
