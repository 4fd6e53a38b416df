"""Escalation cases for an external collection mandate: open (from the cycle), handed off, closed; and the
credit-stop flag sales reads.  The evidence-pack PDF is rendered by delivery from these records and the timeline."""

from __future__ import annotations

import datetime as dt

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.collections.domain.status import CaseStatus
from cobro.collections.repository.work import WORK, WorkRepository
from cobro.collections.schemas.work import CreditStop, EscalationCase
from cobro.kernel.errors import InvalidInputError, InvalidTransitionError, NotFoundError
from cobro.platform.uow import Uow
from cobro.webhooks import service as webhooks


def list_cases(uow: Uow, *, status: str = "") -> list[EscalationCase]:
    return uow.repo(WORK).cases(status)


def get_case(uow: Uow, case_id: int) -> EscalationCase:
    return _case(uow.repo(WORK), case_id)


def _case(repo: WorkRepository, case_id: int) -> EscalationCase:
    case = repo.find_case(case_id)
    if case is None:
        raise NotFoundError(f"no escalation case #{case_id}")
    return case


def hand_off(uow: Uow, case_id: int, *, to: str, today: dt.date, user: str = "") -> None:
    if not to.strip():
        raise InvalidInputError("name the agency or lawyer the case is handed to")
    repo = uow.repo(WORK)
    case = _case(repo, case_id)
    if case.status != CaseStatus.OPEN:
        raise InvalidTransitionError(f"case #{case_id} is {case.status}")
    repo.hand_off_case(case.id, to=to, on=today)
    repo.timeline(case.customer_id, day=today, kind="escalation.handed_off", ref=f"escalation:{case.id}",
                  actor=user, summary=f"case #{case.id} handed off to {to}")
    audit.record(uow, Change("escalation", str(case.id), "hand_off", {"status": case.status},
                             {"status": CaseStatus.HANDED_OFF, "handed_off_to": to}), user=user)


def close(uow: Uow, case_id: int, *, today: dt.date, note: str = "", lift_credit_stop: bool = False,
          user: str = "") -> None:
    repo = uow.repo(WORK)
    case = _case(repo, case_id)
    if case.status == CaseStatus.CLOSED:
        raise InvalidTransitionError(f"case #{case_id} is already closed")
    repo.close_case(case.id, on=today)
    if lift_credit_stop:
        repo.lift_credit_stop(case.customer_id, on=today)
    repo.timeline(case.customer_id, day=today, kind="escalation.closed", ref=f"escalation:{case.id}", actor=user,
                  summary=f"case #{case.id} closed {note}".strip())
    changes = [Change("escalation", str(case.id), "close", {"status": case.status}, {"status": CaseStatus.CLOSED},
                      reason=note)]
    if lift_credit_stop:
        changes.append(Change("credit_stop", str(case.customer_id), "lift", {"credit_stop": case.credit_stop},
                              {"credit_stop": False}, reason=f"case #{case.id} closed"))
    audit.record(uow, changes, user=user)
    if lift_credit_stop and case.credit_stop:
        webhooks.emit(uow, "credit_stop.lifted", entity=f"customer:{case.customer}",
                      data={"customer": case.customer, "reason": f"escalation case #{case.id} closed"})


def credit_stops(uow: Uow) -> list[CreditStop]:
    return uow.repo(WORK).credit_stops()
