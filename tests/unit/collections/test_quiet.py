"""The cycle's shortcut: a pair `is_quiet` calls quiet must be one `plan_case` leaves alone (no action, no episode
opened or closed), over random items, histories, dates and policies with business-day, calendar-day and
previous-step triggers."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from cobro.collections.domain.dunning import CaseHistory, CaseInput, DoneStep, Schedule, plan_case
from cobro.collections.domain.dunning_quiet import CaseSummary, is_quiet
from cobro.collections.domain.pauses import Item
from cobro.collections.domain.policy import Policy, parse_policy
from cobro.collections.service.policy import load_policy_yaml
from cobro.kernel.calendar import HolidayCalendar

POLICY_FILE = Path(__file__).resolve().parents[3] / "examples" / "policies" / "standard.yaml"
ES = HolidayCalendar("ES")


def _standard() -> Policy:
    p, problems = load_policy_yaml(POLICY_FILE.read_text())
    assert p is not None, problems
    return p


def _chained() -> Policy:
    p, problems = parse_policy({"policy": "chained", "calendar": {"country": "ES"}, "steps": [
        {"id": "pre", "trigger": {"days": -2, "from": "due_date", "unit": "calendar_days"}, "channel": "email"},
        {"id": "r1", "trigger": {"days": 1, "from": "due_date"}, "channel": "email",
         "min_overdue": {"EUR": "500.00"}},
        {"id": "r2", "trigger": {"days": 4, "from": "previous_step"}, "channel": "sms"},
        {"id": "call", "trigger": {"days": 20, "from": "due_date", "unit": "calendar_days"}, "channel": "call_task"},
        {"id": "r3", "trigger": {"days": 7, "from": "previous_step", "unit": "calendar_days"}, "channel": "email"},
    ]})
    assert p is not None, problems
    return p


def _summary(items: list[Item], as_of: dt.date) -> CaseSummary:
    pending = [it.due_date for it in items if it.due_date >= as_of]
    return CaseSummary(len(items), min(it.due_date for it in items), min(pending) if pending else None, False)


def _history(rng: random.Random, policy: Policy, as_of: dt.date) -> CaseHistory:
    roll = rng.random()
    if roll < 0.2:
        return CaseHistory()
    if roll < 0.3:
        return CaseHistory(0, None, (), rng.randint(1, 3))  # closed episodes only
    picked = sorted(rng.sample(range(len(policy.steps)), rng.randint(0, 3)))
    done = tuple(DoneStep(policy.steps[i].id, i, as_of - dt.timedelta(days=rng.randint(0, 30))) for i in picked)
    return CaseHistory(2, as_of - dt.timedelta(days=40), done, 2)


@pytest.mark.parametrize("make", [_standard, _chained])
def test_a_quiet_pair_plans_nothing(make: object) -> None:
    policy: Policy = make()  # type: ignore[operator]
    rng = random.Random(4)
    quiet = acting = 0
    for n in range(4000):
        as_of = dt.date(2025, 11, 1) + dt.timedelta(days=rng.randint(0, 75))
        items = [Item(n * 10 + k, n * 10 + k, f"F-{n}-{k}", 1, as_of - dt.timedelta(days=150),
                      as_of + dt.timedelta(days=rng.randint(-100, 40)), rng.randint(1, 100_000), "EUR")
                 for k in range(rng.randint(1, 4))]
        history = _history(rng, policy, as_of)
        schedule = Schedule(policy, ES, as_of)
        decision = plan_case(CaseInput(1, "C1", "EUR", items, history), policy, schedule)
        if is_quiet(_summary(items, as_of), history, Schedule(policy, ES, as_of)):
            quiet += 1
            assert decision.action is None, (items, history, as_of)
            assert not decision.opens_episode and not decision.closes_episode, (items, history, as_of)
        elif decision.action is not None:
            acting += 1
    assert quiet > 300 and acting > 300  # both branches are exercised


def test_after_the_last_step_the_pair_is_quiet_until_something_changes() -> None:
    policy = _standard()
    as_of = dt.date(2025, 12, 1)
    items = [Item(1, 1, "F-1", 1, dt.date(2025, 7, 1), dt.date(2025, 9, 1), 100_000, "EUR")]
    last = len(policy.steps) - 1
    history = CaseHistory(1, as_of, (DoneStep(policy.steps[last].id, last, as_of),), 1)
    assert is_quiet(_summary(items, as_of), history, Schedule(policy, ES, as_of))
    # a flagged (disputed) invoice, no open episode with an overdue item, or items all paid: planned in full
    flagged = CaseSummary(1, dt.date(2025, 9, 1), None, True)
    assert not is_quiet(flagged, history, Schedule(policy, ES, as_of))
    assert not is_quiet(_summary(items, as_of), CaseHistory(0, None, (), 1), Schedule(policy, ES, as_of))
    # nothing due for weeks and no episode: quiet
    later = [Item(2, 2, "F-2", 1, as_of, as_of + dt.timedelta(days=30), 100, "EUR")]
    assert is_quiet(_summary(later, as_of), CaseHistory(), Schedule(policy, ES, as_of))
