"""The collector's work and the governed records: exceptions, holds, disputes, promises, plans, tasks, timeline,
escalation cases, credit-stop flags and terms acknowledgements.

Services reach these through the unit of work: ``uow.repo(WORK)`` is a `WorkRepository` (`SqlWorkRepository`
in work_sql.py, an in-memory one in tests/fakes.py), scoped to the unit of work's tenant and handing back the
frozen values of `cobro.collections.schemas.work`, never ORM rows.  The customer and its open items come from
the ledger's service (`cobro.ledger.service.lookup`), so the ledger's open rule is the one applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Protocol

from cobro.collections.domain.status import DisputeReason, ExceptionKind, ExceptionStatus, TaskOutcome
from cobro.collections.repository.work_sql import SqlWorkRepository
from cobro.collections.schemas.work import (
    ActionItems,
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
from cobro.ledger.service.lookup import CustomerRecord
from cobro.platform.uow import RepositoryKey


class WorkRepository(Protocol):
    """What the services of pauses, tasks and escalation read and write (one tenant).  `find_*` give None for an
    id that is not the tenant's; `add_*` insert and return the stored value."""

    # the ledger, as collections needs it
    def customer(self, code: str) -> CustomerRecord:
        """The customer with `code` (NotFoundError naming it if there is none)."""
        ...

    def open_currencies(self, customer_id: int) -> list[str]:
        """The currencies the customer has open invoice items in, sorted."""
        ...

    def invoices(self, numbers: Collection[str]) -> dict[str, InvoiceRef]:
        """The tenant's invoices with these numbers (any customer), by number."""
        ...

    def open_instalments(self, invoice_ids: Collection[int]) -> list[tuple[int, int]]:
        """(instalment id, open minor units) of the invoices' open instalments, by due date."""
        ...

    def covered_instalments(self, customer_id: int) -> set[int]:
        """Instalment ids already replaced by one of the customer's active payment plans."""
        ...

    # policy exceptions
    def add_exception(self, *, customer_id: int, kind: ExceptionKind, value: str, justification: str,
                      requested_by: str, expires_on: dt.date) -> PolicyExceptionRecord: ...

    def find_exception(self, exception_id: int) -> PolicyExceptionRecord | None: ...

    def set_exception_status(self, exception_id: int, status: ExceptionStatus, *, approved_by: str = "",
                             decided_at: dt.datetime | None = None, note: str = "") -> PolicyExceptionRecord:
        """Record a decision (`approved_by`, `decided_at`, `note` given) or an expiry (none given)."""
        ...

    def exceptions(self, status: str = "") -> list[PolicyExceptionRecord]:
        """By id; `status` (as stored) filters when given."""
        ...

    # holds, disputes, promises, plans
    def add_hold(self, *, customer_id: int, invoice_id: int | None, reason: str, until: dt.date | None,
                 created_by: str) -> HoldRecord: ...

    def find_hold(self, hold_id: int) -> HoldRecord | None: ...

    def release_hold(self, hold_id: int, *, on: dt.date) -> HoldRecord: ...

    def holds(self, *, active_on: dt.date | None = None) -> list[HoldRecord]:
        """By id; with `active_on`, only the holds not released and not ended before that day."""
        ...

    def add_dispute(self, *, customer_id: int, invoice_ids: Collection[int], reason_code: DisputeReason,
                    amount_minor: int, currency: str, owner: str, resolve_by: dt.date | None, opened_on: dt.date,
                    note: str) -> DisputeRecord: ...

    def find_dispute(self, dispute_id: int) -> DisputeRecord | None: ...

    def resolve_dispute(self, dispute_id: int, *, on: dt.date, resolution: str) -> DisputeRecord: ...

    def disputes(self, status: str = "") -> list[DisputeRecord]: ...

    def add_promise(self, *, customer_id: int, currency: str, amount_minor: int, promised_on: dt.date,
                    due_on: dt.date, grace_days: int, contact: str, channel: str, task_id: int | None,
                    created_by: str) -> PromiseRecord: ...

    def promises(self, status: str = "") -> list[PromiseRecord]: ...

    def add_plan(self, *, customer_id: int, currency: str, total_minor: int, covered: Collection[int],
                 instalments: Collection[tuple[dt.date, int]], agreed_on: dt.date, created_by: str,
                 note: str) -> PaymentPlanRecord:
        """The plan with its instalments numbered 1.. in the order given."""
        ...

    # tasks and the timeline
    def find_task(self, task_id: int) -> TaskRecord | None: ...

    def tasks(self, *, collector: str = "", status: str = "open") -> list[TaskRecord]:
        """By due date; `collector` and `status` filter when given."""
        ...

    def complete_task(self, task_id: int, *, outcome: TaskOutcome, note: str, on: dt.date) -> TaskRecord: ...

    def add_follow_up(self, task_id: int, *, due_on: dt.date, summary: str) -> TaskRecord:
        """A new open task like `task_id` (customer, action, kind, collector, contact), due on `due_on`."""
        ...

    def reassign_task(self, task_id: int, *, collector: str) -> TaskRecord: ...

    def action_items(self, action_id: int) -> ActionItems | None:
        """The currency and invoice numbers of a dunning action (None if it is gone)."""
        ...

    def timeline(self, customer_id: int, *, day: dt.date, kind: str, summary: str, ref: str = "",
                 actor: str = "") -> None:
        """Add an event to the customer's timeline."""
        ...

    def customer_timeline(self, customer_id: int) -> list[TimelineEntry]:
        """Oldest first."""
        ...

    # escalation, credit stops, terms
    def find_case(self, case_id: int) -> EscalationCase | None: ...

    def cases(self, status: str = "") -> list[EscalationCase]: ...

    def hand_off_case(self, case_id: int, *, to: str, on: dt.date) -> None: ...

    def close_case(self, case_id: int, *, on: dt.date) -> None: ...

    def credit_stops(self) -> list[CreditStop]:
        """The active credit-stop flags, by id."""
        ...

    def lift_credit_stop(self, customer_id: int, *, on: dt.date) -> None: ...

    def add_acknowledgement(self, *, customer_id: int, terms: str, statement: str, on: dt.date, by: str,
                            channel: str, recorded_by: str) -> TermsAcknowledgement: ...


WORK: RepositoryKey[WorkRepository] = RepositoryKey("collections.work", SqlWorkRepository)
