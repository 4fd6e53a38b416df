"""The SQL behind `cobro.collections.repository.work.WorkRepository`: one tenant's governed records, handed back
as the frozen values of `cobro.collections.schemas.work` (each with its customer's code), never ORM rows."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.collections.domain.status import (
    CaseStatus,
    DisputeReason,
    DisputeStatus,
    ExceptionKind,
    ExceptionStatus,
    PlanStatus,
    PromiseStatus,
    TaskKind,
    TaskOutcome,
    TaskStatus,
)
from cobro.collections.records import (
    CollectionActionRow,
    CustomerFlagRow,
    DisputeRow,
    EscalationCaseRow,
    HoldRow,
    PaymentPlanRow,
    PlanInstalmentRow,
    PolicyExceptionRow,
    PromiseRow,
    TaskRow,
    TermsAcknowledgementRow,
    TimelineEventRow,
)
from cobro.collections.schemas.work import (
    ActionItems,
    CaseItem,
    CreditStop,
    DisputeRecord,
    EscalationCase,
    HoldRecord,
    InvoiceRef,
    PaymentPlanRecord,
    PolicyExceptionRecord,
    PromiseRecord,
    TaskRecord,
    TermsAcknowledgement,
    TimelineEntry,
)
from cobro.kernel.money import Money
from cobro.ledger.records import CustomerRow, InstalmentRow, InvoiceRow
from cobro.ledger.service import lookup
from cobro.ledger.service.lookup import CustomerRecord

CREDIT_STOP = "credit_stop"


def _status(column: Any, status: str) -> list[Any]:
    return [column == status] if status else []


class SqlWorkRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    # --- helpers: rows of this tenant, with their customer's code ---------------------------------------------

    def _rows(self, model: Any, *filters: Any, order: Any = None) -> list[tuple[Any, str]]:
        stmt = (select(model, CustomerRow.code).outerjoin(CustomerRow, CustomerRow.id == model.customer_id)
                .where(model.tenant_id == self.tenant, *filters)
                .order_by(*((order, model.id) if order is not None else (model.id,))))
        return [(row, str(code or "")) for row, code in self.session.execute(stmt)]

    def _one(self, model: Any, row_id: int) -> tuple[Any, str] | None:
        found = self._rows(model, model.id == row_id)
        return found[0] if found else None

    def _add(self, row: Any) -> Any:
        self.session.add(row)
        self.session.flush()
        return row

    def _numbers(self, ids: Collection[int]) -> dict[int, str]:
        if not ids:
            return {}
        return {int(i): str(n) for i, n in self.session.execute(
            select(InvoiceRow.id, InvoiceRow.number).where(InvoiceRow.id.in_(sorted(ids))))}

    # --- the ledger -------------------------------------------------------------------------------------------

    def customer(self, code: str) -> CustomerRecord:
        return lookup.customer(self.session, self.tenant, code)

    def open_currencies(self, customer_id: int) -> list[str]:
        return sorted({i.currency for i in lookup.open_invoice_items(self.session, customer_id)})

    def invoices(self, numbers: Collection[str]) -> dict[str, InvoiceRef]:
        stmt = select(InvoiceRow.id, InvoiceRow.number, InvoiceRow.customer_id, InvoiceRow.currency).where(
            InvoiceRow.tenant_id == self.tenant, InvoiceRow.number.in_(sorted(numbers)))
        return {str(n): InvoiceRef(int(i), str(n), int(c), str(cur)) for i, n, c, cur in self.session.execute(stmt)}

    def open_instalments(self, invoice_ids: Collection[int]) -> list[tuple[int, int]]:
        stmt = (select(InstalmentRow.id, InstalmentRow.open_minor)
                .where(InstalmentRow.invoice_id.in_(sorted(invoice_ids)), InstalmentRow.open_minor > 0)
                .order_by(InstalmentRow.due_date, InstalmentRow.id))
        return [(int(i), int(m)) for i, m in self.session.execute(stmt)]

    def covered_instalments(self, customer_id: int) -> set[int]:
        plans = self.session.scalars(select(PaymentPlanRow.covered_json).where(
            PaymentPlanRow.tenant_id == self.tenant, PaymentPlanRow.customer_id == customer_id,
            PaymentPlanRow.status == PlanStatus.ACTIVE.value))
        return {int(i) for covered in plans for i in json.loads(covered)}

    # --- policy exceptions ------------------------------------------------------------------------------------

    @staticmethod
    def _exception(row: PolicyExceptionRow, code: str) -> PolicyExceptionRecord:
        return PolicyExceptionRecord(row.id, row.customer_id, code, ExceptionKind(row.kind), row.value,
                                     row.justification, row.requested_by, row.approved_by or "",
                                     ExceptionStatus(row.status), row.expires_on)

    def add_exception(self, *, customer_id: int, kind: ExceptionKind, value: str, justification: str,
                      requested_by: str, expires_on: dt.date) -> PolicyExceptionRecord:
        row = self._add(PolicyExceptionRow(
            tenant_id=self.tenant, customer_id=customer_id, kind=kind.value, value=value, justification=justification,
            requested_by=requested_by, status=ExceptionStatus.REQUESTED.value, expires_on=expires_on))
        found = self.find_exception(row.id)
        assert found is not None
        return found

    def find_exception(self, exception_id: int) -> PolicyExceptionRecord | None:
        found = self._one(PolicyExceptionRow, exception_id)
        return self._exception(*found) if found else None

    def set_exception_status(self, exception_id: int, status: ExceptionStatus, *, approved_by: str = "",
                             decided_at: dt.datetime | None = None, note: str = "") -> PolicyExceptionRecord:
        row, code = self._one(PolicyExceptionRow, exception_id) or (None, "")
        assert row is not None, f"exception #{exception_id} is not this tenant's"
        row.status = status.value
        if decided_at is not None:
            row.approved_by, row.decided_at, row.decision_note = approved_by, decided_at, note
        self.session.flush()
        return self._exception(row, code)

    def exceptions(self, status: str = "") -> list[PolicyExceptionRecord]:
        return [self._exception(r, c) for r, c in self._rows(PolicyExceptionRow,
                                                             *_status(PolicyExceptionRow.status, status))]

    # --- holds, disputes, promises, plans ---------------------------------------------------------------------

    def _holds(self, found: list[tuple[HoldRow, str]]) -> list[HoldRecord]:
        numbers = self._numbers({r.invoice_id for r, _ in found if r.invoice_id is not None})
        return [HoldRecord(r.id, r.customer_id, code, r.invoice_id,
                           numbers.get(r.invoice_id, "") if r.invoice_id is not None else "", r.reason, r.until,
                           r.released_on) for r, code in found]

    def add_hold(self, *, customer_id: int, invoice_id: int | None, reason: str, until: dt.date | None,
                 created_by: str) -> HoldRecord:
        row = self._add(HoldRow(tenant_id=self.tenant, customer_id=customer_id, invoice_id=invoice_id, reason=reason,
                                until=until, created_by=created_by))
        return self._holds(self._rows(HoldRow, HoldRow.id == row.id))[0]

    def find_hold(self, hold_id: int) -> HoldRecord | None:
        found = self._holds(self._rows(HoldRow, HoldRow.id == hold_id))
        return found[0] if found else None

    def release_hold(self, hold_id: int, *, on: dt.date) -> HoldRecord:
        found = self._rows(HoldRow, HoldRow.id == hold_id)
        found[0][0].released_on = on
        self.session.flush()
        return self._holds(found)[0]

    def holds(self, *, active_on: dt.date | None = None) -> list[HoldRecord]:
        flt = []
        if active_on is not None:
            flt = [HoldRow.released_on.is_(None), HoldRow.until.is_(None) | (HoldRow.until >= active_on)]
        return self._holds(self._rows(HoldRow, *flt))

    def _disputes(self, found: list[tuple[DisputeRow, str]]) -> list[DisputeRecord]:
        ids = {r.id: tuple(int(i) for i in json.loads(r.invoice_ids_json)) for r, _ in found}
        numbers = self._numbers({i for v in ids.values() for i in v})
        return [DisputeRecord(r.id, r.customer_id, code, ids[r.id], tuple(numbers.get(i, str(i)) for i in ids[r.id]),
                              DisputeReason(r.reason_code), r.amount_minor, r.currency, r.owner or "", r.resolve_by,
                              DisputeStatus(r.status)) for r, code in found]

    def add_dispute(self, *, customer_id: int, invoice_ids: Collection[int], reason_code: DisputeReason,
                    amount_minor: int, currency: str, owner: str, resolve_by: dt.date | None, opened_on: dt.date,
                    note: str) -> DisputeRecord:
        row = self._add(DisputeRow(
            tenant_id=self.tenant, customer_id=customer_id, invoice_ids_json=json.dumps(sorted(invoice_ids)),
            reason_code=reason_code.value, amount_minor=amount_minor, currency=currency, owner=owner,
            resolve_by=resolve_by, status=DisputeStatus.OPEN.value, opened_on=opened_on, note=note))
        return self._disputes(self._rows(DisputeRow, DisputeRow.id == row.id))[0]

    def find_dispute(self, dispute_id: int) -> DisputeRecord | None:
        found = self._disputes(self._rows(DisputeRow, DisputeRow.id == dispute_id))
        return found[0] if found else None

    def resolve_dispute(self, dispute_id: int, *, on: dt.date, resolution: str) -> DisputeRecord:
        found = self._rows(DisputeRow, DisputeRow.id == dispute_id)
        row = found[0][0]
        row.status, row.resolved_on, row.resolution = DisputeStatus.RESOLVED.value, on, resolution
        self.session.flush()
        return self._disputes(found)[0]

    def disputes(self, status: str = "") -> list[DisputeRecord]:
        return self._disputes(self._rows(DisputeRow, *_status(DisputeRow.status, status)))

    @staticmethod
    def _promise(r: PromiseRow, code: str) -> PromiseRecord:
        return PromiseRecord(r.id, r.customer_id, code, r.currency, r.amount_minor, r.due_on, r.grace_days,
                             r.contact or "", r.channel, PromiseStatus(r.status), r.paid_minor or 0)

    def add_promise(self, *, customer_id: int, currency: str, amount_minor: int, promised_on: dt.date,
                    due_on: dt.date, grace_days: int, contact: str, channel: str, task_id: int | None,
                    created_by: str) -> PromiseRecord:
        row = self._add(PromiseRow(
            tenant_id=self.tenant, customer_id=customer_id, currency=currency, amount_minor=amount_minor,
            promised_on=promised_on, due_on=due_on, grace_days=grace_days, contact=contact, channel=channel,
            status=PromiseStatus.PENDING.value, paid_minor=0, task_id=task_id, created_by=created_by))
        return self._promise(*self._rows(PromiseRow, PromiseRow.id == row.id)[0])

    def promises(self, status: str = "") -> list[PromiseRecord]:
        return [self._promise(r, c) for r, c in self._rows(PromiseRow, *_status(PromiseRow.status, status))]

    def add_plan(self, *, customer_id: int, currency: str, total_minor: int, covered: Collection[int],
                 instalments: Collection[tuple[dt.date, int]], agreed_on: dt.date, created_by: str,
                 note: str) -> PaymentPlanRecord:
        plan = self._add(PaymentPlanRow(
            tenant_id=self.tenant, customer_id=customer_id, currency=currency, total_minor=total_minor,
            covered_json=json.dumps(list(covered)), status=PlanStatus.ACTIVE.value, agreed_on=agreed_on,
            created_by=created_by, note=note))
        for seq, (day, minor) in enumerate(instalments, start=1):
            self.session.add(PlanInstalmentRow(tenant_id=self.tenant, plan_id=plan.id, seq=seq, due_date=day,
                                               amount_minor=minor))
        self.session.flush()
        return PaymentPlanRecord(plan.id, customer_id, currency, total_minor, tuple(covered), tuple(instalments),
                                 PlanStatus.ACTIVE, agreed_on)

    # --- tasks and the timeline -------------------------------------------------------------------------------

    @staticmethod
    def _task(r: TaskRow, code: str) -> TaskRecord:
        return TaskRecord(r.id, r.customer_id, code, r.action_id, TaskKind(r.kind), r.collector or "",
                          r.contact_name or "", r.contact_phone or "", r.due_on, TaskStatus(r.status),
                          TaskOutcome(r.outcome) if r.outcome else None, r.summary or "")

    def find_task(self, task_id: int) -> TaskRecord | None:
        found = self._one(TaskRow, task_id)
        return self._task(*found) if found else None

    def tasks(self, *, collector: str = "", status: str = "open") -> list[TaskRecord]:
        flt = [*_status(TaskRow.status, status), *([TaskRow.collector == collector] if collector else [])]
        return [self._task(r, c) for r, c in self._rows(TaskRow, *flt, order=TaskRow.due_on)]

    def complete_task(self, task_id: int, *, outcome: TaskOutcome, note: str, on: dt.date) -> TaskRecord:
        row, code = self._rows(TaskRow, TaskRow.id == task_id)[0]
        row.status, row.outcome, row.note, row.done_on = TaskStatus.DONE.value, outcome.value, note, on
        self.session.flush()
        return self._task(row, code)

    def add_follow_up(self, task_id: int, *, due_on: dt.date, summary: str) -> TaskRecord:
        was, code = self._rows(TaskRow, TaskRow.id == task_id)[0]
        row = self._add(TaskRow(tenant_id=self.tenant, customer_id=was.customer_id, action_id=was.action_id,
                                kind=was.kind, collector=was.collector, contact_name=was.contact_name,
                                contact_phone=was.contact_phone, due_on=due_on, status=TaskStatus.OPEN.value,
                                outcome="", note="", summary=summary))
        return self._task(row, code)

    def reassign_task(self, task_id: int, *, collector: str) -> TaskRecord:
        row, code = self._rows(TaskRow, TaskRow.id == task_id)[0]
        row.collector = collector
        self.session.flush()
        return self._task(row, code)

    def action_items(self, action_id: int) -> ActionItems | None:
        action = self.session.get(CollectionActionRow, action_id)
        if action is None:
            return None
        # `items_json` lists instalment ids (negative for payment-plan instalments, which have no invoice); actions
        # written before that listed item objects with the number
        items = json.loads(action.items_json)
        numbers = {str(i["invoice"]) for i in items if isinstance(i, dict)}
        ids = sorted(i for i in items if isinstance(i, int) and i > 0)
        if ids:
            numbers.update(str(n) for n in self.session.scalars(
                select(InvoiceRow.number).join(InstalmentRow, InstalmentRow.invoice_id == InvoiceRow.id)
                .where(InstalmentRow.id.in_(ids))))
        return ActionItems(action.currency, tuple(sorted(n for n in numbers if not n.startswith("PLAN-"))))

    def timeline(self, customer_id: int, *, day: dt.date, kind: str, summary: str, ref: str = "",
                 actor: str = "") -> None:
        self.session.add(TimelineEventRow(tenant_id=self.tenant, customer_id=customer_id, day=day, kind=kind, ref=ref,
                                          summary=summary, actor=actor))

    def customer_timeline(self, customer_id: int) -> list[TimelineEntry]:
        rows = self.session.scalars(select(TimelineEventRow).where(
            TimelineEventRow.tenant_id == self.tenant, TimelineEventRow.customer_id == customer_id)
            .order_by(TimelineEventRow.id))
        return [TimelineEntry(e.day, e.kind, e.ref or "", e.actor or "", e.summary) for e in rows]

    # --- escalation, credit stops, terms ----------------------------------------------------------------------

    def _cases(self, found: list[tuple[EscalationCaseRow, str]]) -> list[EscalationCase]:
        stops = {s.customer_id for s in self.credit_stops()}
        return [EscalationCase(r.id, r.customer_id, code, r.currency, r.amount_minor, CaseStatus(r.status), r.opened_on,
                               r.handed_off_to or "", r.customer_id in stops, _case_items(r.items_json),
                               r.reason or "") for r, code in found]

    def find_case(self, case_id: int) -> EscalationCase | None:
        found = self._cases(self._rows(EscalationCaseRow, EscalationCaseRow.id == case_id))
        return found[0] if found else None

    def cases(self, status: str = "") -> list[EscalationCase]:
        return self._cases(self._rows(EscalationCaseRow, *_status(EscalationCaseRow.status, status)))

    def hand_off_case(self, case_id: int, *, to: str, on: dt.date) -> None:
        row = self._rows(EscalationCaseRow, EscalationCaseRow.id == case_id)[0][0]
        row.status, row.handed_off_to, row.handed_off_on = CaseStatus.HANDED_OFF.value, to, on
        self.session.flush()

    def close_case(self, case_id: int, *, on: dt.date) -> None:
        row = self._rows(EscalationCaseRow, EscalationCaseRow.id == case_id)[0][0]
        row.status, row.closed_on = CaseStatus.CLOSED.value, on
        self.session.flush()

    def _flags(self, *filters: Any) -> list[tuple[CustomerFlagRow, str]]:
        return self._rows(CustomerFlagRow, CustomerFlagRow.flag == CREDIT_STOP, CustomerFlagRow.active.is_(True),
                          *filters)

    def credit_stops(self) -> list[CreditStop]:
        return [CreditStop(r.customer_id, code, r.set_on, r.reason or "") for r, code in self._flags()]

    def lift_credit_stop(self, customer_id: int, *, on: dt.date) -> None:
        for flag, _ in self._flags(CustomerFlagRow.customer_id == customer_id):
            flag.active, flag.cleared_on = False, on
        self.session.flush()

    def add_acknowledgement(self, *, customer_id: int, terms: str, statement: str, on: dt.date, by: str,
                            channel: str, recorded_by: str) -> TermsAcknowledgement:
        row = self._add(TermsAcknowledgementRow(
            tenant_id=self.tenant, customer_id=customer_id, terms=terms, statement=statement, acknowledged_on=on,
            acknowledged_by=by, channel=channel, recorded_by=recorded_by))
        return TermsAcknowledgement(row.id, customer_id, terms, statement, on, by, channel)


def _case_items(items_json: str) -> tuple[CaseItem, ...]:
    """The items the cycle stored with the case (`cycle_effects._case_items`: amounts as plain decimal text)."""
    return tuple(CaseItem(str(i["invoice"]), int(i["seq"]), int(i["instalment_id"]),
                          dt.date.fromisoformat(i["due_date"]), int(i["days_past_due"]),
                          Money.of(str(i["open"]), str(i["currency"])).to_minor(), str(i["currency"]))
                 for i in json.loads(items_json))
