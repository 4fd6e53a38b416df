"""The SQL behind applying credit notes to the invoices they name: ``uow.repo(CORRECTIONS)``.

An application is written like the import's settlements (`settle:<number>`): a payment `credit-note:<number>`
(method `credit_note`, nothing unapplied) allocated to the corrected invoice's instalments on the credit note's
issue date, so "open as of a date" (`open_items`) sees the invoice reduced from that day; the credit note's own
open amount goes down by the same amount, so the customer's balance does not move.  Set-based: a file of ten
thousand credit notes is a handful of statements per 500, not a dozen per credit note.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.orm import Session

from cobro.kernel.money import Money
from cobro.kernel.types import DocumentKind
from cobro.ledger.domain.payments import Allocation, OpenItem
from cobro.ledger.domain.status import FINAL_STATUSES
from cobro.ledger.records import AllocationRow, InstalmentRow, InvoiceRow, PaymentRow
from cobro.ledger.repository import open_items as ledger_open
from cobro.ledger.schemas.corrections import CandidateInvoice, PendingCreditNote
from cobro.platform.uow import RepositoryKey

APPLICATION_PREFIX = "credit-note:"
APPLICATION_METHOD = "credit_note"
_CHUNK = 500
_FINAL = [s.value for s in FINAL_STATUSES]


@dataclass(frozen=True, slots=True)
class Application:
    """One credit note applied through `allocations` (instalment id, allocation) of the invoice it names."""

    note: PendingCreditNote
    allocations: tuple[tuple[int, Allocation], ...]

    @property
    def minor(self) -> int:
        return sum(a.amount.to_minor() for _, a in self.allocations)


class CorrectionsRepository(Protocol):
    def pending(self, *, numbers: Collection[str] | None, source: str | None) -> list[PendingCreditNote]:
        """Open credit notes naming a document, not applied yet: those numbered `numbers`, or from `source`."""
        ...

    def customers_with_invoices(self, customer_ids: Collection[int], *, numbers: Collection[str] | None,
                                source: str | None) -> set[int]:
        """Which of these customers have an invoice numbered one of `numbers` or written from `source`."""
        ...

    def candidates(self, customer_ids: Collection[int]) -> dict[int, list[CandidateInvoice]]:
        """Every invoice of these customers (open or not), by customer."""
        ...

    def owners(self, numbers: Collection[str]) -> dict[str, int]:
        """The customer of each invoice numbered one of `numbers`, whoever it belongs to."""
        ...

    def open_items(self, invoice_ids: Collection[int]) -> dict[int, list[tuple[int, OpenItem]]]:
        """The open instalments of these invoices as (instalment id, item), by invoice, earliest due first."""
        ...

    def apply(self, applications: Sequence[Application]) -> None:
        """Record every application and lower each credit note's open amount by what it applied."""
        ...


def _chunks(values: Sequence[object]) -> list[list[object]]:
    return [list(values[i:i + _CHUNK]) for i in range(0, len(values), _CHUNK)]


class SqlCorrectionsRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def pending(self, *, numbers: Collection[str] | None, source: str | None) -> list[PendingCreditNote]:
        base = select(InvoiceRow.id, InvoiceRow.number, InvoiceRow.customer_id, InvoiceRow.issue_date,
                      InvoiceRow.open_minor, InvoiceRow.currency, InvoiceRow.corrects, InvoiceRow.source).where(
            InvoiceRow.tenant_id == self.tenant, InvoiceRow.kind == DocumentKind.CREDIT_NOTE.value,
            InvoiceRow.open_minor > 0, InvoiceRow.corrects != "", InvoiceRow.status.not_in(_FINAL))
        if source is not None:
            base = base.where(InvoiceRow.source == source[:200])
        rows = (list(self.session.execute(base)) if numbers is None else
                [r for part in _chunks(sorted(set(numbers))) for r in self.session.execute(
                    base.where(InvoiceRow.number.in_(part)))])
        rows.sort(key=lambda r: r.id)
        done = self._applied([str(r.number) for r in rows])
        return [PendingCreditNote(int(r.id), r.number, int(r.customer_id), r.issue_date,
                                  Money.from_minor(r.open_minor, r.currency), r.corrects, r.source)
                for r in rows if r.number not in done]

    def _applied(self, numbers: list[str]) -> set[str]:
        found: set[str] = set()
        for part in _chunks([APPLICATION_PREFIX + n for n in numbers]):
            found |= {str(r)[len(APPLICATION_PREFIX):] for r in self.session.scalars(select(PaymentRow.reference).where(
                PaymentRow.tenant_id == self.tenant, PaymentRow.reference.in_(part)))}
        return found

    def customers_with_invoices(self, customer_ids: Collection[int], *, numbers: Collection[str] | None,
                                source: str | None) -> set[int]:
        found: set[int] = set()
        wanted = set(numbers or ())
        for part in _chunks(sorted(set(customer_ids))):
            stmt = select(InvoiceRow.customer_id, InvoiceRow.number).where(
                InvoiceRow.tenant_id == self.tenant, InvoiceRow.kind == DocumentKind.INVOICE.value,
                InvoiceRow.customer_id.in_(part))
            if source is not None:
                stmt = stmt.where(InvoiceRow.source == source[:200])
            found |= {int(c) for c, n in self.session.execute(stmt) if numbers is None or n in wanted}
        return found

    def candidates(self, customer_ids: Collection[int]) -> dict[int, list[CandidateInvoice]]:
        out: dict[int, list[CandidateInvoice]] = {c: [] for c in customer_ids}
        for part in _chunks(sorted(set(customer_ids))):
            for row in self.session.execute(select(
                    InvoiceRow.id, InvoiceRow.customer_id, InvoiceRow.number, InvoiceRow.currency,
                    InvoiceRow.open_minor).where(
                    InvoiceRow.tenant_id == self.tenant, InvoiceRow.kind == DocumentKind.INVOICE.value,
                    InvoiceRow.customer_id.in_(part))):
                out[int(row.customer_id)].append(CandidateInvoice(int(row.id), row.number, row.currency,
                                                                  int(row.open_minor)))
        return out

    def owners(self, numbers: Collection[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for part in _chunks(sorted(set(numbers))):
            for number, customer in self.session.execute(select(InvoiceRow.number, InvoiceRow.customer_id).where(
                    InvoiceRow.tenant_id == self.tenant, InvoiceRow.kind == DocumentKind.INVOICE.value,
                    InvoiceRow.number.in_(part))):
                out[str(number)] = int(customer)
        return out

    def open_items(self, invoice_ids: Collection[int]) -> dict[int, list[tuple[int, OpenItem]]]:
        out: dict[int, list[tuple[int, OpenItem]]] = {i: [] for i in invoice_ids}
        for part in _chunks(sorted(set(invoice_ids))):
            rows = self.session.execute(select(
                InstalmentRow.id, InstalmentRow.invoice_id, InstalmentRow.seq, InstalmentRow.due_date,
                InstalmentRow.open_minor, InstalmentRow.currency, InvoiceRow.number).join(
                InvoiceRow, InvoiceRow.id == InstalmentRow.invoice_id).where(
                InstalmentRow.invoice_id.in_(part), InstalmentRow.open_minor > 0,
                InvoiceRow.status.not_in(_FINAL)).order_by(InstalmentRow.due_date, InstalmentRow.seq))
            for r in rows:
                out[int(r.invoice_id)].append((int(r.id), OpenItem(r.number, r.seq, r.due_date,
                                                                   Money.from_minor(r.open_minor, r.currency))))
        return out

    def apply(self, applications: Sequence[Application]) -> None:
        if not applications:
            return
        self.session.flush()
        conn = self.session.connection()
        for part in [list(applications[i:i + _CHUNK]) for i in range(0, len(applications), _CHUNK)]:
            ids = self.session.scalars(insert(PaymentRow).returning(PaymentRow.id, sort_by_parameter_order=True), [
                {"tenant_id": self.tenant, "customer_id": a.note.customer_id,
                 "reference": (APPLICATION_PREFIX + a.note.number)[:120], "date": a.note.issue_date,
                 "currency": a.note.open.currency, "amount_minor": a.minor, "unapplied_minor": 0,
                 "method": APPLICATION_METHOD, "source": a.note.source[:200], "note": ""} for a in part]).all()
            taken = [(pid, a, iid, alloc) for pid, a in zip(ids, part, strict=True) for iid, alloc in a.allocations]
            invoice_of = {int(i): int(inv) for i, inv in self.session.execute(select(
                InstalmentRow.id, InstalmentRow.invoice_id).where(InstalmentRow.id.in_({iid for _, _, iid, _ in taken})))}
            self.session.execute(insert(AllocationRow), [
                {"tenant_id": self.tenant, "payment_id": pid, "instalment_id": iid, "invoice_id": invoice_of[iid],
                 "amount_minor": alloc.amount.to_minor(), "date": a.note.issue_date} for pid, a, iid, alloc in taken])
            moves = [{"iid": iid, "take": alloc.amount.to_minor()} for _, _, iid, alloc in taken]
            moves += self._note_moves(part)
            conn.execute(text("UPDATE instalments SET paid_minor = paid_minor + :take, open_minor = open_minor - :take"
                              " WHERE id = :iid"), moves)
            self._refresh({*invoice_of.values(), *(a.note.id for a in part)})
        self.session.expire_all()  # rows loaded earlier in this unit of work must not keep the old amounts

    def _note_moves(self, part: list[Application]) -> list[dict[str, int]]:
        """What each credit note's own instalments give up (earliest first), as instalment moves."""
        left = {a.note.id: a.minor for a in part}
        moves: list[dict[str, int]] = []
        for iid, invoice_id, open_minor in self.session.execute(select(
                InstalmentRow.id, InstalmentRow.invoice_id, InstalmentRow.open_minor).where(
                InstalmentRow.invoice_id.in_(left), InstalmentRow.open_minor > 0).order_by(
                InstalmentRow.invoice_id, InstalmentRow.due_date, InstalmentRow.seq)):
            take = min(left[int(invoice_id)], int(open_minor))
            if take:
                moves.append({"iid": int(iid), "take": take})
                left[int(invoice_id)] -= take
        return moves

    def _refresh(self, invoice_ids: set[int]) -> None:
        """Each invoice's open amount is the sum of its instalments'; its status follows (`status_case`)."""
        total = "(SELECT COALESCE(SUM(s.open_minor), 0) FROM instalments s WHERE s.invoice_id = invoices.id)"
        stmt = text(f"UPDATE invoices SET open_minor = {total}, updated_at = CURRENT_TIMESTAMP, "
                    f"status = {ledger_open.status_case(total, 'invoices.status')} WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True))
        for part in _chunks(sorted(invoice_ids)):
            self.session.connection().execute(stmt, {"ids": part})


CORRECTIONS: RepositoryKey[CorrectionsRepository] = RepositoryKey("ledger.corrections", SqlCorrectionsRepository)
