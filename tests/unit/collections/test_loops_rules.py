"""The pure rules of closing the loops (collections.domain.loops) and the policy fields that steer them."""

from __future__ import annotations

import datetime as dt

import pytest

from cobro.collections.domain.loops import CaseProgress, open_of, over_tolerance, stop_lifts, task_overdue
from cobro.collections.domain.policy import parse_policy, policy_to_dict
from cobro.kernel.money import Money

STEPS = [{"id": "reminder_1", "trigger": {"days": 3}, "channel": "email"}]


def test_what_is_still_open_ignores_plan_instalments_and_paid_ones() -> None:
    assert open_of([1, 2, -5], {1: 300, 3: 900}) == 300
    assert open_of([2, -5], {1: 300}) == 0


def test_case_progress_settled_partly_paid_or_untouched() -> None:
    assert CaseProgress(50_000, 0).settled and not CaseProgress(50_000, 0).partly_paid
    part = CaseProgress(50_000, 30_000)
    assert (part.settled, part.partly_paid, part.paid_minor) == (False, True, 20_000)
    untouched = CaseProgress(50_000, 50_000)
    assert (untouched.settled, untouched.partly_paid) == (False, False)
    grown = CaseProgress(50_000, 60_000)  # more open than claimed (an item joined later): nothing was paid
    assert (grown.paid_minor, grown.partly_paid) == (0, False)


@pytest.mark.parametrize(("exposure", "tolerance", "over"), [
    ("20000.00", 0, False), ("20000.01", 0, True), ("23000.00", 15, False), ("23000.01", 15, True)])
def test_over_the_limit_beyond_the_tolerance(exposure: str, tolerance: int, over: bool) -> None:
    assert over_tolerance(Money.of(exposure, "EUR"), Money.of("20000", "EUR"), tolerance) is over


def test_no_limit_is_never_over() -> None:
    assert over_tolerance(Money.of("1000000", "EUR"), None, 0) is False


@pytest.mark.parametrize(("rule", "overdue", "over", "case", "lifts"), [
    ("full_payment", 0, False, False, True),
    ("full_payment", 100, False, False, False),  # still something overdue
    ("full_payment", 0, True, False, False),  # still over the limit
    ("full_payment", 0, False, True, False),  # an escalation case is still open
    ("below_limit", 100, False, False, True),
    ("below_limit", 0, True, False, False),
    ("below_limit", 0, False, True, False),
    ("manual", 0, False, False, False),
])
def test_when_the_cycle_lifts_a_stop(rule: str, overdue: int, over: bool, case: bool, lifts: bool) -> None:
    assert stop_lifts(rule, overdue_minor=overdue, over_limit=over, open_case=case) is lifts


def test_a_task_is_overdue_after_its_sla_days() -> None:
    due = dt.date(2025, 10, 27)
    assert not task_overdue(due, 0, due)
    assert task_overdue(due, 0, dt.date(2025, 10, 28))
    assert not task_overdue(due, 3, dt.date(2025, 10, 30))
    assert task_overdue(due, 3, dt.date(2025, 10, 31))


def test_the_policy_reads_the_loop_fields_and_writes_them_back() -> None:
    policy, problems = parse_policy({
        "policy": "p", "steps": STEPS,
        "credit": {"limit": {"EUR": "1000"}, "stop_lifts_on": "below_limit", "limit_tolerance_pct": 10},
        "cases": {"new_items": "next_episode"}, "tasks": {"sla_days": {"call": 2, "meeting": 5}}})
    assert problems == [] and policy is not None
    assert (policy.stop_lifts_on, policy.limit_tolerance_pct, policy.case_new_items) == ("below_limit", 10,
                                                                                         "next_episode")
    assert (policy.sla_days("call"), policy.sla_days("meeting")) == (2, 5)
    again, _ = parse_policy(policy_to_dict(policy))
    assert again == policy


def test_the_defaults() -> None:
    policy, _ = parse_policy({"policy": "p", "steps": STEPS})
    assert policy is not None
    assert (policy.stop_lifts_on, policy.limit_tolerance_pct, policy.case_new_items, policy.sla_days("call")) == (
        "full_payment", 0, "join_case", 0)


@pytest.mark.parametrize(("section", "path", "message"), [
    ({"credit": {"stop_lifts_on": "sometimes"}}, "credit.stop_lifts_on", "'sometimes' is not one of full_payment"),
    ({"credit": {"limit_tolerance_pct": 150}}, "credit.limit_tolerance_pct", "outside 0..100"),
    ({"credit": {"limit_tolerance_pct": "5%"}}, "credit.limit_tolerance_pct", "whole number"),
    ({"cases": {"new_items": "ignore"}}, "cases.new_items", "not one of join_case, next_episode"),
    ({"cases": {"joins": True}}, "cases.joins", "unknown field"),
    ({"tasks": {"sla_days": {"visit": 2}}}, "tasks.sla_days.visit", "unknown field"),
    ({"tasks": {"sla_days": {"call": -1}}}, "tasks.sla_days.call", "outside 0..365"),
])
def test_bad_loop_fields_are_named_by_path(section: dict, path: str, message: str) -> None:
    policy, problems = parse_policy({"policy": "p", "steps": STEPS, **section})
    assert policy is None
    assert any(p.path == path and message in p.message for p in problems), problems
