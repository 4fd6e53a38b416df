"""A simulated month on a small ledger, on SQLite and PostgreSQL: the cycle runs every day for 30 days while some
customers pay in full (one after a partial payment, one that was only over its limit); at the end every customer
that paid in full has no open task, no active credit stop and no open escalation case, and those that did not pay
still have theirs (so the check can fail)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from collections_builder import POLICY, Ledger
from sqlalchemy import select

from cobro.collections.domain.status import CaseStatus
from cobro.collections.records import CustomerFlagRow, EscalationCaseRow, TaskRow
from cobro.collections.service import escalation
from cobro.collections.service.cycle import run_cycle
from cobro.platform.container import Container

D = dt.date
NOW = dt.datetime(2025, 12, 1, 6, 0, tzinfo=dt.UTC)
START = D(2025, 11, 3)
LIVE = (CaseStatus.OPEN.value, CaseStatus.HANDED_OFF.value)


def test_every_customer_that_paid_in_full_has_no_loop_left_open(container: Container) -> None:
    book = Ledger(container)
    text = POLICY.read_text()
    book.policy(text + "onboarding: {entry_step: call}\n")  # the default: a first call
    book.policy(text.replace("policy: standard", "policy: escalate") + "onboarding: {entry_step: escalation}\n",
                segment="big")
    escalated = {code: book.customer(code, segment="big") for code in ("ESC-PAYS", "ESC-PARTS", "ESC-NEVER")}
    called = {code: book.customer(code) for code in ("CALL-PAYS", "CALL-LATER", "CALL-NEVER")}
    over = book.customer("OVER-LIMIT")
    invoices: dict[int, list[tuple[str, str]]] = {}
    for code, cid in escalated.items():
        invoices[cid] = [(f"{code}-1", "800.00"), (f"{code}-2", "400.00")]
        book.invoice(cid, f"{code}-1", D(2025, 8, 1), "800.00")
        book.invoice(cid, f"{code}-2", D(2025, 8, 15), "400.00")
    for code, cid in called.items():
        invoices[cid] = [(f"{code}-1", "1500.00")]
        book.invoice(cid, f"{code}-1", D(2025, 10, 6), "1500.00")
    invoices[over] = [("OVER-1", "21000.00"), ("OVER-2", "3000.00")]  # falls due only after the month
    book.invoice(over, "OVER-1", D(2025, 12, 5), "21000.00")  # issued 2025-11-05
    book.invoice(over, "OVER-2", D(2025, 12, 10), "3000.00")  # issued 2025-11-10: over the limit from then

    def pay_all(cid: int, on: dt.date) -> None:
        for number, amount in invoices[cid]:
            book.pay(cid, number, amount, on)

    payments = {
        4: lambda on: pay_all(escalated["ESC-PAYS"], on),
        6: lambda on: book.pay(escalated["ESC-PARTS"], "ESC-PARTS-1", "800.00", on),  # part first
        20: lambda on: book.pay(escalated["ESC-PARTS"], "ESC-PARTS-2", "400.00", on),
        8: lambda on: pay_all(called["CALL-PAYS"], on),
        17: lambda on: pay_all(called["CALL-LATER"], on),
        14: lambda on: pay_all(over, on),
    }
    counts: Counter[str] = Counter()
    for day in range(30):
        on = START + dt.timedelta(days=day)
        if day in payments:
            payments[day](on)
        with container.uow() as uow:
            result = run_cycle(uow, as_of=on, now=NOW, rates=container.rates)
            uow.commit()
        counts.update({k: v for k, v in result.counts.items() if k.startswith("loops.")})
        if day == 1:  # the escalated cases go to the agency
            with container.uow() as uow:
                for case in escalation.list_cases(uow, status="open"):
                    escalation.hand_off(uow, case.id, to="agencia@recobros.example", today=on, user="ana")
                uow.commit()

    paid = {escalated["ESC-PAYS"], escalated["ESC-PARTS"], called["CALL-PAYS"], called["CALL-LATER"], over}
    unpaid = {escalated["ESC-NEVER"], called["CALL-NEVER"]}
    with container.uow() as uow:
        s = uow.session
        open_tasks = set(s.scalars(select(TaskRow.customer_id).where(TaskRow.status == "open")))
        stops = set(s.scalars(select(CustomerFlagRow.customer_id).where(CustomerFlagRow.active.is_(True))))
        cases = set(s.scalars(select(EscalationCaseRow.customer_id).where(EscalationCaseRow.status.in_(LIVE))))
        settled = set(s.scalars(select(EscalationCaseRow.customer_id).where(EscalationCaseRow.status == "settled")))
        closed_by_payment = set(s.scalars(select(TaskRow.customer_id).where(TaskRow.outcome == "paid")))
    assert not paid & open_tasks, "a customer that paid in full still has an open task"
    assert not paid & stops, "a customer that paid in full is still under a credit stop"
    assert not paid & cases, "a customer that paid in full still has an open escalation case"
    assert settled == {escalated["ESC-PAYS"], escalated["ESC-PARTS"]}
    assert {called["CALL-PAYS"], called["CALL-LATER"]} <= closed_by_payment
    assert escalated["ESC-NEVER"] in cases and escalated["ESC-NEVER"] in stops  # unpaid loops stay open
    assert called["CALL-NEVER"] in open_tasks
    assert unpaid.isdisjoint(settled)
    assert counts["loops.stops_set"] == 1 and counts["loops.stops_lifted"] == 3  # OVER-LIMIT, both settled cases
    assert counts["loops.cases_settled"] == 2 and counts["loops.agency_notices"] == 3  # a partial, two settled
