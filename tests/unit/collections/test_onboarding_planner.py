"""Onboarding in the pure planner: the entry step, pacing after it, and the policy's `onboarding:` section."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cobro.collections.domain.dunning import CaseHistory, CaseInput, DoneStep, Schedule, plan_case
from cobro.collections.domain.pauses import Item
from cobro.collections.domain.policy import Policy
from cobro.collections.service.policy import load_policy_yaml
from cobro.kernel.calendar import HolidayCalendar

POLICY_TEXT = (Path(__file__).resolve().parents[3] / "examples" / "policies" / "standard.yaml").read_text()
AS_OF = dt.date(2026, 6, 1)  # a Monday


def policy(extra: str = "") -> Policy:
    p, problems = load_policy_yaml(POLICY_TEXT + extra)
    assert p is not None, problems
    return p


NEVER_ACTED = CaseHistory()


def case(history: CaseHistory = NEVER_ACTED) -> CaseInput:
    due = AS_OF - dt.timedelta(days=120)
    item = Item(1, 10, "F-1", 1, due - dt.timedelta(days=30), due, 100_000, "EUR")
    return CaseInput(1, "C1", "EUR", (item,), history)


def plan(p: Policy, c: CaseInput, as_of: dt.date = AS_OF) -> str:
    decision = plan_case(c, p, Schedule(p, HolidayCalendar("ES"), as_of))
    return decision.action.step.id if decision.action else ""


def test_a_case_with_no_action_enters_at_the_entry_step() -> None:
    assert plan(policy(), case()) == "reminder_1"
    assert plan(policy("onboarding: {entry_step: call}\n"), case()) == "call"
    assert plan(policy(), case(CaseHistory(acted=True))) == "escalation"  # acted before: the usual catch-up


def test_a_paced_episode_waits_the_spacing_then_takes_one_step() -> None:
    done = CaseHistory(episode=1, opened_on=AS_OF, done=(DoneStep("reminder_1", 1, AS_OF),), last_episode=1,
                       acted=True, paced=True)
    assert plan(policy(), case(done), dt.date(2026, 6, 9)) == ""  # six business days
    assert plan(policy(), case(done), dt.date(2026, 6, 10)) == "whatsapp"  # seven, not escalation


def test_the_onboarding_section_is_validated() -> None:
    for extra, message in (("onboarding: {entry_step: nope}\n", "not a step id"),
                           ("onboarding: {entry_step: pre_due}\n", "after it"),
                           ("onboarding: {entry: reminder_1}\n", "unknown field")):
        p, problems = load_policy_yaml(POLICY_TEXT + extra)
        assert p is None and any(message in pr.message and pr.path.startswith("onboarding") for pr in problems)
