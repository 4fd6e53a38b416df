"""The collections services' rules on a FakeUnitOfWork: what they refuse, the transitions they allow, four eyes,
expiry, what a call outcome records, and that they flush, never commit (the SQL behind them and their effect on
the cycle run in tests/integration/collections on both databases)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from cobro.collections.domain.status import (
    CaseStatus,
    DisputeStatus,
    ExceptionKind,
    ExceptionStatus,
    PromiseStatus,
    TaskOutcome,
    TaskStatus,
)
from cobro.collections.repository.policies import POLICIES
from cobro.collections.repository.work import WORK
from cobro.collections.schemas.work import ActionItems, PolicyExceptionRecord, PromiseRecord
from cobro.collections.service import escalation, exceptions, holds, policy, promises, tasks
from cobro.kernel.errors import ConflictError, InvalidInputError, InvalidTransitionError, NotFoundError
from tests.fakes import FakeUnitOfWork, InMemoryPoliciesRepository, InMemoryWorkRepository

D = dt.date
TODAY = D(2025, 10, 1)
NEXT_WEEK = D(2025, 10, 8)
NOW = dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC)
POLICY = (Path(__file__).resolve().parents[3] / "examples" / "policies" / "standard.yaml").read_text()


@pytest.fixture
def repo() -> InMemoryWorkRepository:
    return InMemoryWorkRepository()


@pytest.fixture
def uow(repo: InMemoryWorkRepository) -> FakeUnitOfWork:
    return FakeUnitOfWork({WORK: repo, POLICIES: InMemoryPoliciesRepository()})


def _request(uow: FakeUnitOfWork, **kw: object) -> PolicyExceptionRecord:
    args: dict[str, object] = {"customer": "ACME", "kind": "pause", "justification": "CFO asked for time",
                               "user": "maria", "expires_on": D(2025, 10, 20), "today": TODAY} | kw
    return exceptions.request(uow, **args)  # type: ignore[arg-type]


# --- policy exceptions: validation, four eyes, expiry ---------------------------------------------------------

@pytest.mark.parametrize(("kw", "message"), [
    ({"kind": "forever"}, "kind must be one of longer_terms, higher_limit, skip_step, pause"),
    ({"justification": "  "}, "an exception needs a justification"),
    ({"user": " "}, "name the requester with --user"),
    ({"expires_on": TODAY}, "an exception must expire after today"),
    ({"kind": "longer_terms", "value": "181"}, "longer_terms needs --value DAYS (1..180)"),
    ({"kind": "longer_terms", "value": "ten"}, "longer_terms needs --value DAYS (1..180)"),
    ({"kind": "higher_limit", "value": "50000"}, "higher_limit needs --value 'AMOUNT CUR'"),
    ({"kind": "higher_limit", "value": "lots EUR"}, "higher_limit needs --value 'AMOUNT CUR'"),
    ({"kind": "skip_step", "value": ""}, "skip_step needs --value STEP_ID"),
])
def test_a_request_states_what_it_deviates_by(uow: FakeUnitOfWork, repo: InMemoryWorkRepository,
                                               kw: dict[str, object], message: str) -> None:
    repo.add_customer("ACME")
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        _request(uow, **kw)
    assert repo.exception_rows == [] and repo.events == []


def test_a_request_for_an_unknown_customer_is_not_found(uow: FakeUnitOfWork) -> None:
    with pytest.raises(NotFoundError, match="no customer with code 'NOPE'"):
        _request(uow, customer="NOPE")


def test_four_eyes_the_requester_cannot_decide(uow: FakeUnitOfWork, repo: InMemoryWorkRepository) -> None:
    acme = repo.add_customer("ACME")
    ex = _request(uow, kind="higher_limit", value=" 30000 EUR ", justification=" seasonal order ")
    assert (ex.kind, ex.value, ex.justification, ex.status) == (
        ExceptionKind.HIGHER_LIMIT, "30000 EUR", "seasonal order", ExceptionStatus.REQUESTED)
    for same in ("maria", " MARIA "):  # the same person, however typed
        with pytest.raises(ConflictError, match="four eyes"):
            exceptions.decide(uow, ex.id, user=same, approve=True, today=TODAY, now=NOW)
    with pytest.raises(InvalidInputError, match="name the approver"):
        exceptions.decide(uow, ex.id, user="", approve=True, today=TODAY, now=NOW)
    decided = exceptions.decide(uow, ex.id, user="jorge", approve=True, today=TODAY, now=NOW)
    assert (decided.status, decided.approved_by) == (ExceptionStatus.APPROVED, "jorge")
    assert repo.kinds(acme) == ["exception.requested", "exception.approved"]
    with pytest.raises(InvalidTransitionError, match="is approved, not awaiting a decision"):
        exceptions.decide(uow, ex.id, user="luis", approve=False, today=TODAY, now=NOW)
    assert uow.flushes >= 1 and not uow.committed  # services flush; the entrypoint commits


def test_a_rejected_exception_stays_rejected(uow: FakeUnitOfWork, repo: InMemoryWorkRepository) -> None:
    repo.add_customer("ACME")
    ex = _request(uow)
    assert exceptions.decide(uow, ex.id, user="jorge", approve=False, today=TODAY, now=NOW).status == \
        ExceptionStatus.REJECTED
    with pytest.raises(InvalidTransitionError, match="is rejected"):
        exceptions.decide(uow, ex.id, user="jorge", approve=True, today=TODAY, now=NOW)


def test_an_exception_past_its_expiry_cannot_be_decided_and_is_marked_expired(
        uow: FakeUnitOfWork, repo: InMemoryWorkRepository) -> None:
    repo.add_customer("ACME")
    ex = _request(uow, expires_on=D(2025, 10, 5))
    # the expiry day itself is still in time
    assert exceptions.decide(uow, _request(uow, expires_on=D(2025, 10, 5)).id, user="jorge", approve=True,
                             today=D(2025, 10, 5), now=NOW).status == ExceptionStatus.APPROVED
    with pytest.raises(InvalidTransitionError, match="expired on 2025-10-05 before a decision"):
        exceptions.decide(uow, ex.id, user="jorge", approve=True, today=D(2025, 10, 6), now=NOW)
    assert repo.find_exception(ex.id).status == ExceptionStatus.EXPIRED  # type: ignore[union-attr]
    with pytest.raises(NotFoundError, match="no exception #99"):
        exceptions.decide(uow, 99, user="jorge", approve=True, today=TODAY, now=NOW)


def test_the_listing_shows_lapsed_exceptions_as_expired_on_the_day(uow: FakeUnitOfWork,
                                                                   repo: InMemoryWorkRepository) -> None:
    repo.add_customer("ACME")
    requested = _request(uow, expires_on=D(2025, 10, 10))
    approved = _request(uow, expires_on=D(2025, 10, 10))
    exceptions.decide(uow, approved.id, user="jorge", approve=True, today=TODAY, now=NOW)
    rejected = _request(uow, expires_on=D(2025, 10, 10))
    exceptions.decide(uow, rejected.id, user="jorge", approve=False, today=TODAY, now=NOW)
    on_the_day = {r.id: r.status for r in exceptions.listing(uow, today=D(2025, 10, 10))}
    after = {r.id: r.status for r in exceptions.listing(uow, today=D(2025, 10, 11))}
    assert on_the_day == {requested.id: "requested", approved.id: "approved", rejected.id: "rejected"}
    assert after == {requested.id: "expired", approved.id: "expired", rejected.id: "rejected"}
    assert exceptions.listing(uow, today=TODAY, status="rejected")[0].as_json() == {
        "id": rejected.id, "customer": "ACME", "kind": "pause", "value": "", "status": "rejected",
        "justification": "CFO asked for time", "requested_by": "maria", "approved_by": "jorge",
        "expires_on": "2025-10-10"}


# --- holds, disputes, plans -------------------------------------------------------------------------------------

def test_holds_need_a_reason_a_future_end_and_the_customers_own_invoice(uow: FakeUnitOfWork,
                                                                       repo: InMemoryWorkRepository) -> None:
    acme, other = repo.add_customer("ACME"), repo.add_customer("OTHER")
    repo.add_invoice(other, "O-1", 1000)
    with pytest.raises(InvalidInputError, match="a hold needs a reason"):
        holds.add_hold(uow, customer="ACME", reason=" ", today=TODAY)
    with pytest.raises(InvalidInputError, match="cannot end in the past"):
        holds.add_hold(uow, customer="ACME", reason="x", today=TODAY, until=D(2025, 9, 30))
    with pytest.raises(InvalidInputError, match="ACME has no invoice 'O-1'"):
        holds.add_hold(uow, customer="ACME", reason="x", today=TODAY, invoice="O-1")
    hold = holds.add_hold(uow, customer="ACME", reason="audit", today=TODAY, until=TODAY, user="luis")
    assert repo.events[-1][1].summary == "hold on all items until 2025-10-01: audit"
    assert [h.id for h in holds.list_holds(uow, today=D(2025, 10, 2))] == []  # ended yesterday
    released = holds.release_hold(uow, hold.id, today=TODAY, user="luis")
    assert released.released_on == TODAY
    with pytest.raises(InvalidTransitionError, match="was released on 2025-10-01"):
        holds.release_hold(uow, hold.id, today=TODAY)
    with pytest.raises(NotFoundError, match="no hold #7"):
        holds.release_hold(uow, 7, today=TODAY)
    assert repo.kinds(acme) == ["hold.added", "hold.released"]


def test_disputes_cover_own_invoices_of_one_currency_up_to_what_is_open(uow: FakeUnitOfWork,
                                                                        repo: InMemoryWorkRepository) -> None:
    acme = repo.add_customer("ACME")
    repo.add_invoice(acme, "F-1", 40_000, 20_000)
    repo.add_invoice(acme, "U-1", 5_000, currency="USD")
    with pytest.raises(InvalidInputError, match="reason code must be one of quality, quantity"):
        holds.open_dispute(uow, customer="ACME", invoices=["F-1"], reason_code="weather", today=TODAY)
    with pytest.raises(InvalidInputError, match="names at least one invoice"):
        holds.open_dispute(uow, customer="ACME", invoices=[], reason_code="price", today=TODAY)
    with pytest.raises(InvalidInputError, match="ACME has no invoice"):
        holds.open_dispute(uow, customer="ACME", invoices=["F-404"], reason_code="price", today=TODAY)
    with pytest.raises(InvalidInputError, match="covers invoices in one currency"):
        holds.open_dispute(uow, customer="ACME", invoices=["F-1", "U-1"], reason_code="price", today=TODAY)
    for amount, message in (("0", "must be positive"), ("abc", "'abc' is not an amount"),
                            ("600.01", "600.01 EUR is more than what is still open on F-1 (600.00 EUR)")):
        with pytest.raises(InvalidInputError, match=re.escape(message)):
            holds.open_dispute(uow, customer="ACME", invoices=["F-1"], reason_code="price", today=TODAY,
                               amount=amount)
    dispute = holds.open_dispute(uow, customer="ACME", invoices=["F-1"], reason_code="price", today=TODAY,
                                 amount="600.00", owner="ventas")
    assert (dispute.amount_minor, dispute.currency, dispute.invoices, dispute.status) == (
        60_000, "EUR", ("F-1",), DisputeStatus.OPEN)
    assert repo.events[-1][1].actor == "ventas"  # no recorder named: the owner
    assert holds.resolve_dispute(uow, dispute.id, resolution="credit note", today=TODAY).status == "resolved"
    with pytest.raises(InvalidTransitionError, match="is already resolved"):
        holds.resolve_dispute(uow, dispute.id, resolution="again", today=TODAY)
    assert holds.list_disputes(uow) == [] and len(holds.list_disputes(uow, status="")) == 1


def test_a_plan_must_add_up_to_what_it_replaces_once(uow: FakeUnitOfWork, repo: InMemoryWorkRepository) -> None:
    acme = repo.add_customer("ACME")
    repo.add_invoice(acme, "F-1", 60_000, 30_000)
    with pytest.raises(InvalidInputError, match="a plan needs invoices and at least one instalment"):
        holds.add_plan(uow, customer="ACME", invoices=["F-1"], schedule=[], today=TODAY)
    with pytest.raises(InvalidInputError, match=re.escape("add up to 300.00 but the covered items are open for 900.00 EUR")):
        holds.add_plan(uow, customer="ACME", invoices=["F-1"], schedule=[(D(2025, 11, 3), "300.00")], today=TODAY)
    with pytest.raises(InvalidInputError, match="bad instalment amount"):
        holds.add_plan(uow, customer="ACME", invoices=["F-1"], schedule=[(D(2025, 11, 3), "lots")], today=TODAY)
    plan = holds.add_plan(uow, customer="ACME", invoices=["F-1"], today=TODAY,
                          schedule=[(D(2025, 12, 1), "450.00"), (D(2025, 11, 3), "450.00")])
    assert plan.total_minor == 90_000 and plan.instalments == ((D(2025, 11, 3), 45_000), (D(2025, 12, 1), 45_000))
    with pytest.raises(InvalidInputError, match=re.escape("2 instalment(s) are already in an active plan")):
        holds.add_plan(uow, customer="ACME", invoices=["F-1"], schedule=[(D(2025, 11, 3), "900.00")], today=TODAY)


# --- promises ---------------------------------------------------------------------------------------------------

def test_a_promise_is_in_a_currency_the_customer_owes(uow: FakeUnitOfWork, repo: InMemoryWorkRepository) -> None:
    acme, mixed, idle = repo.add_customer("ACME"), repo.add_customer("MIXTO"), repo.add_customer("NADA")
    repo.add_invoice(acme, "F-1", 100_000)
    repo.add_invoice(mixed, "F-2", 1_000)
    repo.add_invoice(mixed, "U-2", 1_000, currency="USD")
    repo.add_invoice(idle, "N-1")  # settled: nothing open

    def promise(customer: str, amount: str = "100", currency: str = "", *, due_on: dt.date = NEXT_WEEK,
                grace_days: int | None = None) -> PromiseRecord:
        return promises.add_promise(uow, customer=customer, amount=amount, currency=currency, due_on=due_on,
                                    today=TODAY, grace_days=grace_days)

    for args, message in ((("NADA",), "NADA has no open invoices; nothing to promise"),
                          (("MIXTO",), "MIXTO owes in EUR, USD: say which with --currency"),
                          (("ACME", "100", "USD"), "nothing open in USD (open: EUR)"),
                          (("ACME", "0"), "a promise is for a positive amount"),
                          (("ACME", "x"), "'x' EUR is not an amount")):
        with pytest.raises(InvalidInputError, match=re.escape(message)):
            promise(*args)
    with pytest.raises(InvalidInputError, match="for today or later"):
        promise("ACME", due_on=D(2025, 9, 30))
    with pytest.raises(InvalidInputError, match=re.escape("grace days must be 0..60")):
        promise("ACME", grace_days=61)
    made = promises.add_promise(uow, customer="MIXTO", amount="5", currency="usd", due_on=D(2025, 10, 8),
                                today=TODAY, contact="Ana")
    assert (made.currency, made.amount_minor, made.status, made.grace_days) == ("USD", 500, PromiseStatus.PENDING, 3)
    assert made.pause_until == D(2025, 10, 11)
    assert repo.events[-1][1].summary == ("promise to pay 5.00 USD by 2025-10-08 (contact Ana, phone); "
                                          "dunning paused until 2025-10-11")


def test_a_promise_pauses_for_the_grace_days_of_the_customers_policy(uow: FakeUnitOfWork,
                                                                     repo: InMemoryWorkRepository) -> None:
    acme, key = repo.add_customer("ACME"), repo.add_customer("KEY", segment="key")
    repo.add_invoice(acme, "F-1", 100_000)
    repo.add_invoice(key, "K-1", 100_000)
    policy.apply_policy(uow, POLICY)
    key_accounts = POLICY.replace("policy: standard", "policy: key_accounts").replace("grace_days: 3", "grace_days: 10")
    policy.apply_policy(uow, key_accounts, segment="key")  # a segment's own policy (by name: the newest version)
    made = {c: promises.add_promise(uow, customer=c, amount="10", currency="", due_on=TODAY, today=TODAY)
            for c in ("ACME", "KEY")}
    assert {c: p.grace_days for c, p in made.items()} == {"ACME": 3, "KEY": 10}
    assert [p.id for p in promises.list_promises(uow, status="pending")] == [made["ACME"].id, made["KEY"].id]


# --- tasks --------------------------------------------------------------------------------------------------

def test_a_call_outcome_is_a_known_code_and_closes_the_task_once(uow: FakeUnitOfWork,
                                                                  repo: InMemoryWorkRepository) -> None:
    acme = repo.add_customer("ACME")
    task = repo.add_task(acme)
    with pytest.raises(InvalidInputError, match="outcome must be one of reached, voicemail"):
        tasks.complete_task(uow, task.id, outcome="maybe", today=TODAY)
    with pytest.raises(NotFoundError, match="no task #9"):
        tasks.complete_task(uow, 9, outcome="reached", today=TODAY)
    done = tasks.complete_task(uow, task.id, outcome="voicemail", today=TODAY, note="no answer", user="luis")
    assert done.as_json() == {"task": task.id, "outcome": "voicemail"}
    assert repo.find_task(task.id).status == TaskStatus.DONE  # type: ignore[union-attr]
    assert repo.events[-1][1] == dataclasses.replace(repo.events[-1][1], kind="task.call.voicemail", actor="luis",
                                                     summary="call with Ana Admin: voicemail — no answer")
    with pytest.raises(InvalidTransitionError, match=re.escape("task #1 is already done (voicemail)")):
        tasks.complete_task(uow, task.id, outcome="reached", today=TODAY)
    assert tasks.list_tasks(uow) == [] and len(tasks.list_tasks(uow, status="")) == 1


def test_a_promise_outcome_records_the_promise_in_the_actions_currency(uow: FakeUnitOfWork,
                                                                       repo: InMemoryWorkRepository) -> None:
    acme = repo.add_customer("ACME")
    repo.add_invoice(acme, "F-1", 100_000)
    repo.add_invoice(acme, "U-1", 100_000, currency="USD")
    task = repo.add_task(acme, action=ActionItems("USD", ("U-1",)))
    with pytest.raises(InvalidInputError, match="needs --promise-amount and --promise-date"):
        tasks.complete_task(uow, task.id, outcome="promise", today=TODAY, promise_amount="100")
    assert repo.find_task(task.id).status == TaskStatus.OPEN  # type: ignore[union-attr]
    done = tasks.complete_task(uow, task.id, outcome="promise", today=TODAY, promise_amount="100",
                               promise_date=D(2025, 10, 8))
    [made] = repo.promise_rows
    assert done.as_json() == {"task": task.id, "outcome": "promise", "promise": made.id}
    assert (made.currency, made.contact, made.channel) == ("USD", "Ana Admin", "phone")
    assert repo.kinds(acme) == ["promise.made", "task.call.promise"]


def test_a_dispute_outcome_disputes_the_actions_invoices(uow: FakeUnitOfWork, repo: InMemoryWorkRepository) -> None:
    acme = repo.add_customer("ACME")
    repo.add_invoice(acme, "F-1", 100_000)
    empty = repo.add_task(acme, action=ActionItems("EUR", ()))
    with pytest.raises(InvalidInputError, match="no invoices to dispute"):
        tasks.complete_task(uow, empty.id, outcome="dispute", today=TODAY)
    task = repo.add_task(acme, action=ActionItems("EUR", ("F-1",)))
    done = tasks.complete_task(uow, task.id, outcome=TaskOutcome.DISPUTE, today=TODAY, user="luis")
    [dispute] = repo.dispute_rows
    assert done.dispute == dispute.id and dispute.invoices == ("F-1",) and dispute.reason_code == "other"
    assert repo.events[0][1].summary == "dispute (other) on F-1"


# --- escalation -------------------------------------------------------------------------------------------------

def test_a_case_is_handed_off_once_and_closed_once(uow: FakeUnitOfWork, repo: InMemoryWorkRepository) -> None:
    acme, other = repo.add_customer("ACME"), repo.add_customer("OTHER")
    case = repo.add_case(acme)
    repo.add_case(other)
    with pytest.raises(InvalidInputError, match="name the agency"):
        escalation.hand_off(uow, case.id, to=" ", today=TODAY)
    escalation.hand_off(uow, case.id, to="Agencia Norte", today=TODAY)
    assert escalation.list_cases(uow, status="handed_off")[0].handed_off_to == "Agencia Norte"
    with pytest.raises(InvalidTransitionError, match="case #1 is handed_off"):
        escalation.hand_off(uow, case.id, to="Agencia Sur", today=TODAY)
    escalation.close(uow, case.id, today=TODAY, note="paid", lift_credit_stop=True)
    assert repo.find_case(case.id).status == CaseStatus.CLOSED  # type: ignore[union-attr]
    with pytest.raises(InvalidTransitionError, match="already closed"):
        escalation.close(uow, case.id, today=TODAY)
    with pytest.raises(NotFoundError, match="no escalation case #5"):
        escalation.close(uow, 5, today=TODAY)
    assert [s.customer for s in escalation.credit_stops(uow)] == ["OTHER"]  # only the closed case's stop lifted
    assert [e.summary for _, e in repo.events] == ["case #1 handed off to Agencia Norte", "case #1 closed paid"]
    assert not uow.committed


def test_terms_acknowledgement_states_the_customers_terms(uow: FakeUnitOfWork, repo: InMemoryWorkRepository) -> None:
    acme = repo.add_customer("ACME", terms="net 45")
    ack = tasks.acknowledge_terms(uow, "ACME", today=TODAY, by="Ana Admin", user="luis")
    assert (ack.terms, ack.acknowledged_by, ack.acknowledged_on) == ("net 45", "Ana Admin", TODAY)
    assert ack.statement.startswith("payment terms net 45; statutory late interest")
    assert [e.kind for e in tasks.timeline(uow, "ACME")] == ["terms.acknowledged"] == repo.kinds(acme)
