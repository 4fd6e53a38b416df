"""The SQL behind applying credit notes to the invoices they name: ``uow.repo(CORRECTIONS)``.

An application is written like the import's settlements (`settle:<number>`): a payment `credit-note:<number>`
(method `credit_note`, nothing unapplied) allocated to the corrected invoice's instalments on the credit note's
issue date, so "open as of a date" (`open_items`) sees the invoice reduced from that day; the credit note's own
open amount goes down by the same amount, so the customer's balance does not move.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cobro.kernel.money import Money
from cobro.kernel.types import DocumentKind
from cobro.ledger.domain.payments import Allocation, OpenItem
from cobro.ledger.domain.status import FINAL_STATUSES, status_for
from cobro.ledger.records import InstalmentRow, InvoiceRow, PaymentRow
from cobro.ledger.repository import summary
from cobro.ledger.schemas.corrections import CandidateInvoice, PendingCreditNote
from cobro.platform.uow import RepositoryKey

APPLICATION_PREFIX = "credit-note:"
APPLICATION_METHOD = "credit_note"
_CHUNK = 500


class CorrectionsRepository(Protocol):
    def pending(self, *, numbers: Collection[str] | None, source: str | None) -> list[PendingCreditNote]:
        """Open credit notes naming a document, not applied yet: those numbered `numbers`, or from `source`."""
        ...

    def candidates(self, customer_ids: Collection[int]) -> dict[int, list[CandidateInvoice]]:
        """Every invoice of these customers (open or not), by customer."""
        ...

    def owners(self, numbers: Collection[str]) -> dict[str, int]:
        """The customer of each invoice numbered one of `numbers`, whoever it belongs to."""
        ...

    def open_items(self, invoice_id: int) -> list[tuple[int, OpenItem]]:
        """The invoice's open instalments as (instalment id, item)."""
        ...

    def apply(self, note: PendingCreditNote, allocations: list[tuple[int, Allocation]]) -> None:
        """Record the application of `note` through `allocations` and lower the note's open amount."""
        ...


class SqlCorrectionsRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def pending(self, *, numbers: Collection[str] | None, source: str | None) -> list[PendingCreditNote]:
        base = select(InvoiceRow).where(
            InvoiceRow.tenant_id == self.tenant, InvoiceRow.kind == DocumentKind.CREDIT_NOTE.value,
            InvoiceRow.open_minor > 0, InvoiceRow.corrects != "",
            InvoiceRow.status.not_in([s.value for s in FINAL_STATUSES]))
        if source is not None:
            base = base.where(InvoiceRow.source == source[:200])
        rows: list[InvoiceRow] = []
        if numbers is None:
            rows = list(self.session.scalars(base.order_by(InvoiceRow.id)))
        else:
            wanted = sorted(set(numbers))
            for i in range(0, len(wanted), _CHUNK):
                rows += self.session.scalars(base.where(InvoiceRow.number.in_(wanted[i:i + _CHUNK])))
            rows.sort(key=lambda r: r.id)
        done = self._applied([r.number for r in rows])
        return [PendingCreditNote(int(r.id), r.number, int(r.customer_id), r.issue_date,
                                  Money.from_minor(r.open_minor, r.currency), r.corrects, r.source)
                for r in rows if r.number not in done]

    def _applied(self, numbers: list[str]) -> set[str]:
        refs = [APPLICATION_PREFIX + n for n in numbers]
        found: set[str] = set()
        for i in range(0, len(refs), _CHUNK):
            found |= {str(r)[len(APPLICATION_PREFIX):] for r in self.session.scalars(select(PaymentRow.reference).where(
                PaymentRow.tenant_id == self.tenant, PaymentRow.reference.in_(refs[i:i + _CHUNK])))}
        return found

    def candidates(self, customer_ids: Collection[int]) -> dict[int, list[CandidateInvoice]]:
        ids = sorted(set(customer_ids))
        out: dict[int, list[CandidateInvoice]] = {c: [] for c in ids}
        for i in range(0, len(ids), _CHUNK):
            for row in self.session.execute(select(
                    InvoiceRow.id, InvoiceRow.customer_id, InvoiceRow.number, InvoiceRow.currency,
                    InvoiceRow.open_minor).where(
                    InvoiceRow.tenant_id == self.tenant, InvoiceRow.kind == DocumentKind.INVOICE.value,
                    InvoiceRow.customer_id.in_(ids[i:i + _CHUNK]))):
                out[int(row.customer_id)].append(CandidateInvoice(int(row.id), row.number, row.currency,
                                                                  int(row.open_minor)))
        return out

    def owners(self, numbers: Collection[str]) -> dict[str, int]:
        wanted = sorted(set(numbers))
        out: dict[str, int] = {}
        for i in range(0, len(wanted), _CHUNK):
            for number, customer in self.session.execute(select(InvoiceRow.number, InvoiceRow.customer_id).where(
                    InvoiceRow.tenant_id == self.tenant, InvoiceRow.kind == DocumentKind.INVOICE.value,
                    InvoiceRow.number.in_(wanted[i:i + _CHUNK]))):
                out[str(number)] = int(customer)
        return out

    def open_items(self, invoice_id: int) -> list[tuple[int, OpenItem]]:
        rows = self.session.execute(select(InstalmentRow, InvoiceRow.number).join(
            InvoiceRow, InvoiceRow.id == InstalmentRow.invoice_id).where(
            InstalmentRow.invoice_id == invoice_id, InstalmentRow.open_minor > 0,
            InvoiceRow.status.not_in([s.value for s in FINAL_STATUSES])).order_by(InstalmentRow.due_date,
                                                                                 InstalmentRow.seq)).all()
        return [(int(s.id), OpenItem(number, s.seq, s.due_date, Money.from_minor(s.open_minor, s.currency)))
                for s, number in rows]

    def apply(self, note: PendingCreditNote, allocations: list[tuple[int, Allocation]]) -> None:
        total = sum((a.amount for _, a in allocations), Money.zero(note.open.currency))
        summary.record_payment(self.session, self.tenant, customer_id=note.customer_id,
                               reference=(APPLICATION_PREFIX + note.number)[:120], date=note.issue_date,
                               amount=total, allocations=allocations, unapplied=Money.zero(note.open.currency),
                               method=APPLICATION_METHOD, source=note.source)
        left = total.to_minor()
        for inst in self.session.scalars(select(InstalmentRow).where(
                InstalmentRow.invoice_id == note.id, InstalmentRow.open_minor > 0).order_by(
                InstalmentRow.due_date, InstalmentRow.seq)):
            take = min(left, inst.open_minor)
            inst.paid_minor += take
            inst.open_minor -= take
            left -= take
        current = self.session.scalar(select(InvoiceRow.status).where(InvoiceRow.id == note.id)) or ""
        rest = note.open.to_minor() - total.to_minor()
        self.session.execute(update(InvoiceRow).where(InvoiceRow.id == note.id).values(
            open_minor=rest, status=status_for(rest, current)))
        self.session.flush()


CORRECTIONS: RepositoryKey[CorrectionsRepository] = RepositoryKey("ledger.corrections", SqlCorrectionsRepository)
