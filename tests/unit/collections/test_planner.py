"""The pure planner: business days, idempotency, catch-up, pauses, broken promises, policy validation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cobro.collections.domain.dunning import CaseHistory, CaseInput, DoneStep, Schedule, plan_case
from cobro.collections.domain.pauses import (
    Dispute,
    Hold,
    Item,
    Plan,
    PlanInstalment,
    PolicyException,
    Promise,
    evaluate_promise,
)
from cobro.collections.domain.policy import Policy
from cobro.collections.service.policy import load_policy_yaml
from cobro.kernel.calendar import HolidayCalendar

POLICY_FILE = Path(__file__).resolve().parents[3] / "examples" / "policies" / "standard.yaml"
ES = HolidayCalendar("ES")
D = dt.date


@pytest.fixture(scope="module")
def policy() -> Policy:
    p, problems = load_policy_yaml(POLICY_FILE.read_text())
    assert p is not None, problems
    return p


def item(iid: int, due: dt.date, open_minor: int = 100_000, invoice_id: int | None = None) -> Item:
    return Item(iid, invoice_id or iid, f"F-{iid}", 1, due - dt.timedelta(days=60), due, open_minor, "EUR")


def run(policy: Policy, as_of: dt.date, items: list[Item], history: CaseHistory | None = None, **kw: object):
    case = CaseInput(1, "C1", "EUR", items, history or CaseHistory(), **kw)  # type: ignore[arg-type]
    return plan_case(case, policy, Schedule(policy, ES, as_of), explain=True)


def done(history: CaseHistory, step: str, policy: Policy, on: dt.date) -> CaseHistory:
    return CaseHistory(history.episode or history.last_episode + 1, history.opened_on or on,
                       (*history.done, DoneStep(step, policy.index(step), on)), history.last_episode)


class TestBusinessDays:
    # Friday 5 Dec 2025 is the due date; Monday 8 Dec (Inmaculada Concepción) is a Spanish public holiday.
    due = D(2025, 12, 5)

    def test_reminder_waits_for_the_third_business_day_after_the_holiday(self, policy: Policy) -> None:
        assert run(policy, D(2025, 12, 10), [item(1, self.due)]).action is None
        decision = run(policy, D(2025, 12, 11), [item(1, self.due)])
        assert decision.action is not None and decision.action.step.id == "reminder_1"
        assert "2025-12-11" in decision.action.reason

    def test_pre_due_three_business_days_before(self, policy: Policy) -> None:
        due = D(2025, 12, 10)  # Wed; -3 business days skips Mon 8 (holiday) and the weekend → Thu 4
        assert run(policy, D(2025, 12, 3), [item(1, due)]).action is None
        decision = run(policy, D(2025, 12, 4), [item(1, due)])
        assert decision.action is not None and decision.action.step.id == "pre_due"
        assert decision.opens_episode and decision.episode == 1

    def test_no_pre_due_once_overdue(self, policy: Policy) -> None:
        assert run(policy, D(2025, 12, 9), [item(1, self.due)]).action is None


def test_a_tie_on_the_oldest_due_date_names_the_same_invoice_whatever_the_order(policy: Policy) -> None:
    due = D(2025, 12, 5)
    a, b = item(2, due), item(1, due)
    reasons = {run(policy, D(2025, 12, 11), order).action.reason for order in ([a, b], [b, a])}  # type: ignore[union-attr]
    assert len(reasons) == 1 and reasons.pop().startswith("F-1/1 due 2025-12-05")


class TestIdempotencyAndCatchUp:
    due = D(2025, 10, 1)

    def test_a_done_step_is_not_planned_again(self, policy: Policy) -> None:
        hist = done(CaseHistory(), "reminder_1", policy, D(2025, 10, 6))
        assert run(policy, D(2025, 10, 7), [item(1, self.due)], hist).action is None

    def test_catch_up_plans_only_the_latest_due_step(self, policy: Policy) -> None:
        hist = done(CaseHistory(), "reminder_1", policy, D(2025, 10, 6))
        # ten days without runs: whatsapp (+10 bd = 15 Oct) and nothing later are due on 20 Oct
        decision = run(policy, D(2025, 10, 24), [item(1, self.due)], hist)  # +17 bd: call is due too
        assert decision.action is not None and decision.action.step.id == "call"
        assert "catch-up" in decision.action.reason and "whatsapp" in decision.action.reason

    def test_never_goes_back_to_an_earlier_step(self, policy: Policy) -> None:
        hist = done(CaseHistory(), "call", policy, D(2025, 10, 22))
        # a newer item only reached reminder_1; the case is already past it
        assert run(policy, D(2025, 10, 23), [item(1, self.due), item(2, D(2025, 10, 17))], hist).action is None

    def test_grouped_message_lists_every_overdue_item(self, policy: Policy) -> None:
        decision = run(policy, D(2025, 10, 6), [item(1, self.due), item(2, D(2025, 10, 3)), item(3, D(2025, 11, 1))])
        assert decision.action is not None
        assert [p.item.invoice for p in decision.action.items] == ["F-1", "F-2"]
        assert decision.action.total_minor == 200_000

    def test_episode_closes_when_nothing_is_due(self, policy: Policy) -> None:
        hist = done(CaseHistory(), "reminder_1", policy, D(2025, 10, 6))
        decision = run(policy, D(2025, 10, 10), [item(3, D(2025, 12, 1))], hist)
        assert decision.closes_episode and decision.action is None


class TestPauses:
    due = D(2025, 10, 1)
    as_of = D(2025, 10, 6)

    def test_customer_hold_until_a_date(self, policy: Policy) -> None:
        hold = Hold(1, "restructuring", None, D(2025, 10, 8))
        assert run(policy, self.as_of, [item(1, self.due)], holds=(hold,)).action is None
        after = run(policy, D(2025, 10, 9), [item(1, self.due)], holds=(hold,))
        assert after.action is not None

    def test_invoice_hold_pauses_only_that_invoice(self, policy: Policy) -> None:
        decision = run(policy, self.as_of, [item(1, self.due), item(2, self.due)], holds=(Hold(1, "x", 2, None),))
        assert decision.action is not None and [p.item.invoice for p in decision.action.items] == ["F-1"]

    def test_partial_dispute_keeps_the_undisputed_part(self, policy: Policy) -> None:
        d = Dispute(1, frozenset({1}), "quality", 30_000, "EUR")
        decision = run(policy, self.as_of, [item(1, self.due), item(2, self.due)], disputes=(d,))
        assert decision.action is not None and decision.action.total_minor == 170_000
        full = Dispute(2, frozenset({1}), "quality", 0, "EUR")
        decision = run(policy, self.as_of, [item(1, self.due), item(2, self.due)], disputes=(full,))
        assert decision.action is not None and [p.item.invoice for p in decision.action.items] == ["F-2"]

    def test_promise_pauses_until_date_plus_grace(self, policy: Policy) -> None:
        p = Promise(1, "EUR", 100_000, D(2025, 10, 10), 3)
        assert run(policy, D(2025, 10, 13), [item(1, self.due)], promises=(p,)).action is None
        assert run(policy, D(2025, 10, 14), [item(1, self.due)], promises=(p,)).action is not None

    def test_pause_exception_and_skip_step(self, policy: Policy) -> None:
        pause = PolicyException(1, "pause", "", D(2025, 10, 31))
        assert run(policy, self.as_of, [item(1, self.due)], exceptions=(pause,)).action is None
        skip = PolicyException(2, "skip_step", "reminder_1", D(2025, 10, 31))
        assert run(policy, self.as_of, [item(1, self.due)], exceptions=(skip,)).action is None
        expired = PolicyException(3, "pause", "", D(2025, 10, 5))
        assert run(policy, self.as_of, [item(1, self.due)], exceptions=(expired,)).action is not None

    def test_longer_terms_shift_due_dates(self, policy: Policy) -> None:
        longer = PolicyException(1, "longer_terms", "30", D(2025, 12, 31))
        assert run(policy, self.as_of, [item(1, self.due)], exceptions=(longer,)).action is None

    def test_payment_plan_replaces_the_schedule(self, policy: Policy) -> None:
        plan = Plan(7, "EUR", frozenset({1}), (PlanInstalment(1, D(2025, 11, 3), 50_000),
                                               PlanInstalment(2, D(2025, 12, 1), 50_000)), D(2025, 10, 2))
        assert run(policy, self.as_of, [item(1, self.due)], plans=(plan,)).action is None
        decision = run(policy, D(2025, 11, 6), [item(1, self.due, 50_000)], plans=(plan,))
        # half was paid: the first plan instalment is settled, nothing is overdue
        assert decision.action is None
        decision = run(policy, D(2025, 11, 6), [item(1, self.due)], plans=(plan,))
        assert decision.action is not None and decision.action.items[0].item.invoice == "PLAN-7"


class TestPromises:
    def test_kept_and_broken(self) -> None:
        p = Promise(1, "EUR", 1000, D(2025, 10, 10), 3)
        assert evaluate_promise(p, 1000, D(2025, 10, 5)) == "kept"
        assert evaluate_promise(p, 500, D(2025, 10, 13)) == "pending"
        assert evaluate_promise(p, 500, D(2025, 10, 14)) == "broken"

    def test_broken_promise_escalates(self, policy: Policy) -> None:
        hist = done(CaseHistory(), "call", policy, D(2025, 10, 22))
        broken = Promise(1, "EUR", 100_000, D(2025, 10, 27), 3, "broken", D(2025, 10, 31))
        decision = run(policy, D(2025, 10, 31), [item(1, D(2025, 10, 1), 20_000)], hist, promises=(broken,))
        assert decision.action is not None and decision.action.step.id == "escalation"
        assert "broken" in decision.action.reason

    def test_escalation_needs_the_amount_without_a_broken_promise(self, policy: Policy) -> None:
        hist = done(CaseHistory(), "formal_letter", policy, D(2025, 11, 15))
        assert run(policy, D(2025, 12, 1), [item(1, D(2025, 10, 1), 20_000)], hist).action is None
        decision = run(policy, D(2025, 12, 1), [item(1, D(2025, 10, 1), 30_001)], hist)
        assert decision.action is not None and decision.action.step.id == "escalation"


class TestValidation:
    def test_errors_name_the_yaml_path(self) -> None:
        text = POLICY_FILE.read_text().replace("channel: whatsapp", "channel: pigeon")
        policy, problems = load_policy_yaml(text)
        assert policy is None
        assert [p.path for p in problems] == ["steps[2].channel"]

    def test_floats_and_unknown_fields(self) -> None:
        _, problems = load_policy_yaml("policy: p\nsteps:\n  - id: a\n    trigger: {days: 3, unit: weeks}\n"
                                       "    channel: email\n    colour: red\n")
        assert {p.path for p in problems} == {"steps[0].trigger.unit", "steps[0].colour"}

    def test_yaml_syntax_error(self) -> None:
        _, problems = load_policy_yaml("policy: [unclosed\n")
        assert problems and "line" in problems[0].path
