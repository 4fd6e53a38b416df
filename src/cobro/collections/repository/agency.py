"""All SQL of the agency handoff: the agency's status updates on a case, every demand made on the debtor (messages
delivered, notices imported from another system, calls and meetings held), the case's invoices with their
e-invoice fiscal ids, and the handoff date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.cashapp.records import EInvoiceDocumentRow
from cobro.collections.domain.agency import AgencyStatus
from cobro.collections.records import (
    AgencyUpdateRow,
    CollectionActionRow,
    EscalationCaseRow,
    TaskRow,
)
from cobro.collections.repository.onboarding import IMPORTED
from cobro.collections.schemas.agency import AgencyUpdate, CaseDocument, DemandLine
from cobro.delivery.records import OutboxMessageRow
from cobro.delivery.schemas import OutboxStatus
from cobro.ledger.records import InvoiceRow
from cobro.platform.uow import RepositoryKey

DEMAND_CHANNELS = ("email", "whatsapp", "sms", "letter", "letter_pdf", "call_task", "meeting_task")


class AgencyRepository(Protocol):
    def handed_off_on(self, case_id: int) -> dt.date | None: ...

    def add_update(self, *, case_id: int, day: dt.date, status: AgencyStatus, note: str, recovered_minor: int,
                   currency: str, reference: str, source: str, by: str) -> AgencyUpdate: ...

    def updates(self, case_id: int, currency: str) -> list[AgencyUpdate]: ...

    def known_references(self) -> set[tuple[int, str]]: ...

    def demands(self, customer_id: int) -> list[DemandLine]: ...

    def documents(self, customer_id: int, numbers: Collection[str], currency: str) -> list[CaseDocument]: ...


class SqlAgencyRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def handed_off_on(self, case_id: int) -> dt.date | None:
        return self.session.scalar(select(EscalationCaseRow.handed_off_on).where(
            EscalationCaseRow.tenant_id == self.tenant, EscalationCaseRow.id == case_id))

    def add_update(self, *, case_id: int, day: dt.date, status: AgencyStatus, note: str, recovered_minor: int,
                   currency: str, reference: str, source: str, by: str) -> AgencyUpdate:
        row = AgencyUpdateRow(tenant_id=self.tenant, case_id=case_id, day=day, status=status.value, note=note,
                              recovered_minor=recovered_minor, reference=reference, source=source, created_by=by)
        self.session.add(row)
        self.session.flush()
        return _update(row, currency)

    def updates(self, case_id: int, currency: str) -> list[AgencyUpdate]:
        rows = self.session.scalars(select(AgencyUpdateRow).where(
            AgencyUpdateRow.tenant_id == self.tenant, AgencyUpdateRow.case_id == case_id).order_by(AgencyUpdateRow.id))
        return [_update(r, currency) for r in rows]

    def known_references(self) -> set[tuple[int, str]]:
        rows = self.session.execute(select(AgencyUpdateRow.case_id, AgencyUpdateRow.reference).where(
            AgencyUpdateRow.tenant_id == self.tenant, AgencyUpdateRow.reference != ""))
        return {(int(c), str(r)) for c, r in rows}

    def demands(self, customer_id: int) -> list[DemandLine]:
        """Demands that reached the debtor: messages delivered (with their Message-ID), notices imported from the
        system used before (done there, no message here), calls and meetings held.  Pending, skipped, dead or
        cancelled messages were not demands and are left out."""
        s, out = self.session, []
        sent = s.execute(
            select(OutboxMessageRow, CollectionActionRow.step)
            .join(CollectionActionRow, CollectionActionRow.id == OutboxMessageRow.action_id)
            .where(CollectionActionRow.customer_id == customer_id, OutboxMessageRow.tenant_id == self.tenant,
                   OutboxMessageRow.status == OutboxStatus.SENT.value))
        for msg, step in sent:
            when = msg.sent_at or msg.created_at
            out.append(DemandLine(when.date(), msg.channel, f"{step} ({msg.template})",
                                  msg.recipient or msg.recipient_name, msg.message_id or f"outbox {msg.id}"))
        imported = s.scalars(select(CollectionActionRow).where(
            CollectionActionRow.tenant_id == self.tenant, CollectionActionRow.customer_id == customer_id,
            CollectionActionRow.status == IMPORTED, CollectionActionRow.channel.in_(DEMAND_CHANNELS)))
        out += [DemandLine(a.as_of, a.channel, f"{a.step} (imported)", "", f"action {a.id}") for a in imported]
        held = s.scalars(select(TaskRow).where(TaskRow.tenant_id == self.tenant, TaskRow.customer_id == customer_id,
                                               TaskRow.status == "done"))
        out += [DemandLine(t.done_on or t.due_on, t.kind, f"{t.kind} ({t.outcome})", t.contact_name, f"task {t.id}")
                for t in held]
        return sorted(out, key=lambda d: (d.day, d.channel, d.reference))

    def documents(self, customer_id: int, numbers: Collection[str], currency: str) -> list[CaseDocument]:
        if not numbers:
            return []
        invoices = list(self.session.scalars(select(InvoiceRow).where(
            InvoiceRow.tenant_id == self.tenant, InvoiceRow.customer_id == customer_id,
            InvoiceRow.number.in_(list(numbers)), InvoiceRow.currency == currency).order_by(InvoiceRow.due_date,
                                                                                            InvoiceRow.number)))
        fiscal = {int(i): str(d) for i, d in self.session.execute(
            select(EInvoiceDocumentRow.invoice_id, EInvoiceDocumentRow.doc_id).where(
                EInvoiceDocumentRow.tenant_id == self.tenant,
                EInvoiceDocumentRow.invoice_id.in_([inv.id for inv in invoices]))) if i is not None} if invoices else {}
        return [CaseDocument(inv.number, inv.issue_date, inv.due_date, inv.amount_minor, inv.open_minor, inv.currency,
                             fiscal.get(inv.id, "")) for inv in invoices]


def _update(row: AgencyUpdateRow, currency: str) -> AgencyUpdate:
    return AgencyUpdate(row.id, row.case_id, row.day, AgencyStatus(row.status), row.note, row.recovered_minor,
                        currency, row.reference, row.source, row.created_by)


AGENCY: RepositoryKey[AgencyRepository] = RepositoryKey("collections.agency", SqlAgencyRepository)
