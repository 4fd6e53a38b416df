"""Payment closes the loops (docs/collections.md): run by the daily cycle before it plans, on what is open now.

* open tasks whose items were all paid or credited close with outcome `paid`;
* an escalation case whose items were all paid or credited is settled, its agency (the case's `handed_off_to`,
  when it is an e-mail address) is told through the outbox, and its dunning episode ends, so that anything else
  open starts the sequence again in a new episode; a case partly paid since the agency was last told is reported
  to the agency once per amount paid;
* items that fall due while a case is open join it (`cases.new_items: join_case`, the default) or wait for the
  next episode, which starts once the case is settled (`next_episode`);
* credit stops are set from the limit and lifted by rule (`collections.service.credit_stops`).

Each change lands on the timeline, in the audit log and, where the catalogue has one, as a webhook event."""

from __future__ import annotations

import datetime as dt
import json

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.collections.domain.dunning import business_days_past_due
from cobro.collections.domain.loops import CaseProgress, open_of
from cobro.collections.domain.policy import Policy
from cobro.collections.domain.status import CaseStatus, TaskOutcome, TaskStatus
from cobro.collections.repository import loops as repo
from cobro.collections.repository.work import WORK
from cobro.collections.schemas.loops import LoopReport
from cobro.collections.service.credit_stops import apply_credit_stops
from cobro.collections.service.creditor import Creditor
from cobro.collections.service.policy import policy_book
from cobro.delivery.schemas import CustomerPart, MessageContext, MessageItem, OutboxMessage
from cobro.delivery.service.outbox import enqueue_one
from cobro.kernel.calendar import HolidayCalendar
from cobro.kernel.money import Money, format_minor
from cobro.platform.uow import UnitOfWork
from cobro.tenancy.service import letterhead
from cobro.webhooks import service as webhooks

AGENCY_TEMPLATE = "agency_update"  # the step of its context says which: settled | partial_payment
CYCLE = "cycle"


def close_loops(uow: UnitOfWork, *, as_of: dt.date) -> LoopReport:
    """Close what payments closed, join new items to open cases, set and lift credit stops; flushes."""
    session, tenant = uow.session, uow.tenant.id
    book = policy_book(uow)
    tasks = repo.open_tasks(session, tenant)
    cases = repo.live_cases(session, tenant)
    items = repo.open_items_of(session, tenant, {t.customer_id for t in tasks} | {c.customer_id for c in cases})
    open_now = {i.instalment_id: i.open_minor for i in items}
    closed = close_paid_tasks(uow, tasks, open_now, as_of=as_of)
    segments = {r.customer_id: r.segment for r in repo.segments(session, tenant, {c.customer_id for c in cases})}
    creditor = Creditor.of(letterhead(uow))
    settled = notices = joined = episodes = 0
    for case in cases:
        progress = CaseProgress(case.amount_minor, open_of(case.instalments(), open_now))
        if progress.settled:
            settled += 1
            notices += settle_case(uow, case, as_of=as_of, creditor=creditor)
            episodes += end_episode(uow, case, as_of=as_of)
            continue
        if progress.partly_paid and report_partial_payment(uow, case, progress, items, as_of=as_of,
                                                           creditor=creditor):
            notices += 1
        chosen = book.for_customer(case.customer_id, segments.get(case.customer_id, ""))
        if chosen is not None and chosen[2].case_new_items == "join_case":
            joined += join_new_items(uow, case, items, cases, as_of=as_of, policy=chosen[2])
    set_, lifted = apply_credit_stops(uow, as_of=as_of, book=book)
    return LoopReport(tasks_closed=closed, cases_settled=settled, agency_notices=notices, items_joined=joined,
                      episodes_closed=episodes, stops_set=set_, stops_lifted=lifted)


def close_paid_tasks(uow: UnitOfWork, tasks: list[repo.OpenTask], open_now: dict[int, int], *,
                     as_of: dt.date) -> int:
    """Close with outcome `paid` the open tasks none of whose (ledger) items is open any more."""
    paid = [t for t in tasks if any(i > 0 for i in t.instalments) and open_of(t.instalments, open_now) <= 0]
    if not paid:
        return 0
    note = "every item paid or credited"
    repo.close_tasks(uow.session, [t.id for t in paid], outcome=TaskOutcome.PAID.value, note=note, on=as_of)
    work = uow.repo(WORK)
    for t in paid:
        work.timeline(t.customer_id, day=as_of, kind=f"task.{t.kind}.paid", ref=f"task:{t.id}", actor=CYCLE,
                      summary=f"{t.kind} task #{t.id} closed: {note}")
        webhooks.emit(uow, "task.closed", entity=f"task:{t.id}",
                      data={"task": t.id, "kind": t.kind, "collector": t.collector, "outcome": TaskOutcome.PAID.value,
                            "closed_on": as_of.isoformat()})
    audit.record(uow, [Change("task", str(t.id), "close", {"status": TaskStatus.OPEN},
                              {"status": TaskStatus.DONE, "outcome": TaskOutcome.PAID}, reason=note) for t in paid],
                 user=CYCLE)
    return len(paid)


def settle_case(uow: UnitOfWork, case: repo.LiveCase, *, as_of: dt.date, creditor: Creditor) -> int:
    """Mark the case settled; tell its agency (1 when a message was queued)."""
    repo.settle_case(uow.session, case.id, on=as_of)
    amount = format_minor(case.amount_minor, case.currency)
    uow.repo(WORK).timeline(case.customer_id, day=as_of, kind="escalation.settled", ref=f"escalation:{case.id}",
                            actor=CYCLE, summary=f"case #{case.id} settled: {amount} {case.currency} paid or credited")
    audit.record(uow, Change("escalation", str(case.id), "settle", {"status": case.status},
                             {"status": CaseStatus.SETTLED}, reason="every item paid or credited"), user=CYCLE)
    code = _code(uow, case.customer_id)
    webhooks.emit(uow, "escalation.settled", entity=f"escalation:{case.id}",
                  data={"case": case.id, "customer": code, "currency": case.currency, "amount": amount,
                        "settled_on": as_of.isoformat(), "handed_off_to": case.handed_off_to})
    if case.status != CaseStatus.HANDED_OFF:
        return 0  # nobody outside was working the case
    return int(_tell_agency(uow, case, "settled", (), Money.zero(case.currency), as_of=as_of, creditor=creditor,
                            key=f"agency:{case.id}:settled"))


def report_partial_payment(uow: UnitOfWork, case: repo.LiveCase, progress: CaseProgress, items: list[repo.OpenItem],
                           *, as_of: dt.date, creditor: Creditor) -> bool:
    """Tell the agency of a handed-off case what was paid and what is left, once per amount paid."""
    if case.status != CaseStatus.HANDED_OFF:
        return False
    mine = set(case.instalments())
    left = tuple(MessageItem(i.invoice, i.seq, i.issue_date, i.due_date, max((as_of - i.due_date).days, 0),
                             Money.from_minor(i.open_minor, i.currency).amount, i.currency)
                 for i in items if i.instalment_id in mine)
    queued = _tell_agency(uow, case, "partial_payment", left, Money.from_minor(progress.open_minor, case.currency),
                          as_of=as_of, creditor=creditor, key=f"agency:{case.id}:paid:{progress.paid_minor}")
    if queued:
        paid = format_minor(progress.paid_minor, case.currency)
        uow.repo(WORK).timeline(
            case.customer_id, day=as_of, kind="escalation.partial_payment", ref=f"escalation:{case.id}", actor=CYCLE,
            summary=f"case #{case.id}: {paid} {case.currency} paid, "
                    f"{format_minor(progress.open_minor, case.currency)} left; {case.handed_off_to} told")
    return queued


def _tell_agency(uow: UnitOfWork, case: repo.LiveCase, what: str, items: tuple[MessageItem, ...], total: Money, *,
                 as_of: dt.date, creditor: Creditor, key: str) -> bool:
    """Queue the agency's message (skipped, with the reason, when the case names no e-mail address)."""
    owner = repo.owners(uow.session, uow.tenant.id, [case.customer_id])[case.customer_id]
    to = case.handed_off_to.strip()
    context = MessageContext(customer=CustomerPart(owner.code, owner.legal_name, owner.tax_id),
                             creditor=creditor.part(customer=owner.code, invoices=[i.invoice for i in items]),
                             as_of=as_of, items=items, total=total, step=what)
    message = OutboxMessage(channel="email", template=AGENCY_TEMPLATE, idempotency_key=key, context=context,
                            recipient=to if "@" in to else "", recipient_name=to, language=creditor.language,
                            skip_reason="" if "@" in to else f"case #{case.id} was handed to {to!r}, not an e-mail "
                                                                 "address")
    return enqueue_one(uow, uow.tenant.id, message).created


def end_episode(uow: UnitOfWork, case: repo.LiveCase, *, as_of: dt.date) -> int:
    """End the customer×currency's open dunning episode once its case is settled (1 if one was open): what is
    still open then starts the sequence again, in the next episode."""
    return repo.close_episode(uow.session, uow.tenant.id, case.customer_id, case.currency, on=as_of)


def join_new_items(uow: UnitOfWork, case: repo.LiveCase, items: list[repo.OpenItem], cases: list[repo.LiveCase], *,
                   as_of: dt.date, policy: Policy) -> int:
    """Add to the case the customer's items in its currency that fell due since it opened (overdue, not disputed,
    in no other case); returns how many joined."""
    taken = {i for c in cases for i in c.instalments()}
    new = [i for i in items if i.customer_id == case.customer_id and i.currency == case.currency
           and i.due_date < as_of and not i.disputed and i.instalment_id not in taken]
    if not new:
        return 0
    cal = HolidayCalendar(policy.country, policy.subdivision)
    listed = json.loads(case.items_json)
    listed += [{"invoice": i.invoice, "seq": i.seq, "instalment_id": i.instalment_id,
                "due_date": i.due_date.isoformat(), "days_past_due": business_days_past_due(i.due_date, as_of, cal),
                "open": format_minor(i.open_minor, i.currency), "currency": i.currency} for i in new]
    amount = case.amount_minor + sum(i.open_minor for i in new)
    repo.extend_case(uow.session, case.id, items_json=json.dumps(listed), amount_minor=amount)
    numbers = [f"{i.invoice}/{i.seq}" for i in new]
    uow.repo(WORK).timeline(case.customer_id, day=as_of, kind="escalation.items_joined", ref=f"escalation:{case.id}",
                            actor=CYCLE, summary=f"case #{case.id}: {', '.join(numbers)} fell due and joined it "
                                                 f"({format_minor(amount, case.currency)} {case.currency} now)")
    audit.record(uow, Change("escalation", str(case.id), "join_items", {"amount_minor": case.amount_minor},
                             {"amount_minor": amount, "items": numbers}, reason="fell due while the case was open"),
                 user=CYCLE)
    cases[cases.index(case)] = case._replace(items_json=json.dumps(listed), amount_minor=amount)
    return len(new)


def _code(uow: UnitOfWork, customer_id: int) -> str:
    return repo.owners(uow.session, uow.tenant.id, [customer_id])[customer_id].code

