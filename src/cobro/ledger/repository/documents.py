"""Single invoices, credit notes and payments for the API: ``uow.repo(DOCUMENTS)``.

Writes go through the same rows the import writes (an invoice with its instalments, nothing paid; a payment through
`summary.record_payment`, which moves paid/open and the invoice's status), so every report reads them alike.
Listings page by key like `entities.py`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from cobro.kernel.money import Money
from cobro.kernel.types import DocumentKind, InvoiceStatus
from cobro.ledger.domain.payments import Allocation, OpenItem
from cobro.ledger.records import AllocationRow, CustomerRow, InstalmentRow, InvoiceRow, PaymentRow
from cobro.ledger.repository import summary
from cobro.ledger.repository.entities import Cursor, keyset
from cobro.ledger.schemas.entities import (
    AllocationView,
    InstalmentView,
    InvoiceQuery,
    InvoiceView,
    PaymentQuery,
    PaymentView,
)
from cobro.platform.uow import RepositoryKey


@dataclass(frozen=True, slots=True)
class NewDocument:
    """An invoice or credit note to insert: amounts in minor units, instalments as (seq, due date, minor)."""

    customer_id: int
    number: str
    kind: DocumentKind
    issue_date: dt.date
    due_date: dt.date
    currency: str
    amount_minor: int
    instalments: tuple[tuple[int, dt.date, int], ...]
    disputed: bool = False
    corrects: str = ""
    channel: str = ""
    terms: str = ""
    over_legal_cap: bool = False
    source: str = "api"


class DocumentRepository(Protocol):
    def find_invoice(self, number: str) -> InvoiceView | None: ...

    def customer_of(self, invoice_id: int) -> int: ...

    def add_document(self, doc: NewDocument) -> InvoiceView: ...

    def invoices(self, query: InvoiceQuery, after: Cursor, limit: int) -> list[InvoiceView]: ...

    def payment_exists(self, reference: str) -> bool: ...

    def open_items(self, customer_id: int) -> list[tuple[int, OpenItem]]:
        """The customer's instalments open now: (instalment id, OpenItem)."""
        ...

    def record_payment(self, *, customer_id: int, reference: str, date: dt.date, amount: Money,
                       allocations: list[tuple[int, Allocation]], unapplied: Money, method: str) -> PaymentView: ...

    def payments(self, query: PaymentQuery, after: Cursor, limit: int) -> list[PaymentView]:
        """Newest first (date, then id)."""
        ...

    def find_payment(self, reference: str) -> PaymentView | None: ...


class SqlDocumentRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def _views(self, rows: list[tuple[InvoiceRow, str]]) -> list[InvoiceView]:
        """Invoices with their instalments, read in one query for the whole page."""
        by_invoice: dict[int, list[InstalmentRow]] = defaultdict(list)
        if rows:
            for inst in self.session.scalars(select(InstalmentRow).where(
                    InstalmentRow.tenant_id == self.tenant,
                    InstalmentRow.invoice_id.in_([inv.id for inv, _ in rows])).order_by(InstalmentRow.seq)):
                by_invoice[inst.invoice_id].append(inst)
        return [InvoiceView(
            inv.id, inv.number, DocumentKind(inv.kind), code, inv.issue_date, inv.due_date,
            Money.from_minor(inv.amount_minor, inv.currency), Money.from_minor(inv.open_minor, inv.currency),
            InvoiceStatus(inv.status), inv.disputed, inv.corrects, inv.channel, inv.terms,
            tuple(InstalmentView(i.seq, i.due_date, Money.from_minor(i.amount_minor, i.currency),
                                 Money.from_minor(i.paid_minor, i.currency)) for i in by_invoice[inv.id]))
            for inv, code in rows]

    def _with_code(self) -> Select[InvoiceRow, str]:
        return (select(InvoiceRow, CustomerRow.code).join(CustomerRow, CustomerRow.id == InvoiceRow.customer_id)
                .where(InvoiceRow.tenant_id == self.tenant))

    def find_invoice(self, number: str) -> InvoiceView | None:
        rows = [(inv, str(code)) for inv, code in self.session.execute(
            self._with_code().where(InvoiceRow.number == number))]
        return self._views(rows)[0] if rows else None

    def customer_of(self, invoice_id: int) -> int:
        return int(self.session.scalar(select(InvoiceRow.customer_id).where(
            InvoiceRow.tenant_id == self.tenant, InvoiceRow.id == invoice_id)) or 0)

    def add_document(self, doc: NewDocument) -> InvoiceView:
        row = InvoiceRow(tenant_id=self.tenant, customer_id=doc.customer_id, number=doc.number, kind=doc.kind.value,
                         issue_date=doc.issue_date, due_date=doc.due_date, currency=doc.currency,
                         amount_minor=doc.amount_minor, open_minor=doc.amount_minor, status=InvoiceStatus.OPEN.value,
                         disputed=doc.disputed, corrects=doc.corrects, channel=doc.channel, terms=doc.terms,
                         over_legal_cap=doc.over_legal_cap, source=doc.source, content_hash=0)
        self.session.add(row)
        self.session.flush()
        for seq, due, minor in doc.instalments:
            self.session.add(InstalmentRow(tenant_id=self.tenant, invoice_id=row.id, customer_id=doc.customer_id,
                                           seq=seq, due_date=due, currency=doc.currency, amount_minor=minor,
                                           paid_minor=0, open_minor=minor))
        self.session.flush()
        found = self.find_invoice(doc.number)
        assert found is not None
        return found

    def invoices(self, query: InvoiceQuery, after: Cursor, limit: int) -> list[InvoiceView]:
        stmt = self._with_code()
        if query.customer:
            stmt = stmt.where(CustomerRow.code == query.customer)
        if query.status is not None:
            stmt = stmt.where(InvoiceRow.status == query.status.value)
        if query.kind is not None:
            stmt = stmt.where(InvoiceRow.kind == query.kind.value)
        if query.currency:
            stmt = stmt.where(InvoiceRow.currency == query.currency)
        if query.due_before is not None:
            stmt = stmt.where(InvoiceRow.due_date <= query.due_before)
        if query.due_after is not None:
            stmt = stmt.where(InvoiceRow.due_date >= query.due_after)
        descending, name = query.sort.startswith("-"), query.sort.lstrip("-")
        column: InstrumentedAttribute[str] | InstrumentedAttribute[dt.date] = (
            InvoiceRow.number if name == "number" else
            InvoiceRow.issue_date if name == "issue_date" else InvoiceRow.due_date)
        condition = keyset(column, InvoiceRow.id, after, sort=query.sort, dates=name != "number")
        if condition is not None:
            stmt = stmt.where(condition)
        order = (column.desc(), InvoiceRow.id.desc()) if descending else (column, InvoiceRow.id)
        rows = [(inv, str(code)) for inv, code in self.session.execute(stmt.order_by(*order).limit(limit))]
        return self._views(rows)

    def payment_exists(self, reference: str) -> bool:
        return bool(summary.existing_payment_refs(self.session, self.tenant, [reference]))

    def open_items(self, customer_id: int) -> list[tuple[int, OpenItem]]:
        return summary.open_items_by_customer(self.session, self.tenant, {customer_id}).get(customer_id, [])

    def record_payment(self, *, customer_id: int, reference: str, date: dt.date, amount: Money,
                       allocations: list[tuple[int, Allocation]], unapplied: Money, method: str) -> PaymentView:
        payment_id = summary.record_payment(self.session, self.tenant, customer_id=customer_id, reference=reference,
                                            date=date, amount=amount, allocations=allocations, unapplied=unapplied,
                                            method=method, source="api")
        stmt = self._payments_with_code().where(PaymentRow.id == payment_id)
        return self._payment_views([(p, str(code)) for p, code in self.session.execute(stmt)])[0]

    def _payments_with_code(self) -> Select[PaymentRow, str]:
        return (select(PaymentRow, CustomerRow.code).join(CustomerRow, CustomerRow.id == PaymentRow.customer_id)
                .where(PaymentRow.tenant_id == self.tenant))

    def find_payment(self, reference: str) -> PaymentView | None:
        stmt = self._payments_with_code().where(PaymentRow.reference == reference)
        views = self._payment_views([(p, str(code)) for p, code in self.session.execute(stmt)])
        return views[0] if views else None

    def _payment_views(self, rows: list[tuple[PaymentRow, str]]) -> list[PaymentView]:
        allocs: dict[int, list[AllocationView]] = defaultdict(list)
        if rows:
            stmt = (select(AllocationRow.payment_id, InvoiceRow.number, InstalmentRow.seq, AllocationRow.amount_minor,
                           InvoiceRow.currency)
                    .join(InstalmentRow, InstalmentRow.id == AllocationRow.instalment_id)
                    .join(InvoiceRow, InvoiceRow.id == AllocationRow.invoice_id)
                    .where(AllocationRow.tenant_id == self.tenant,
                           AllocationRow.payment_id.in_([p.id for p, _ in rows]))
                    .order_by(AllocationRow.id))
            for pid, number, seq, minor, cur in self.session.execute(stmt):
                allocs[int(pid)].append(AllocationView(str(number), int(seq), Money.from_minor(int(minor), cur)))
        return [PaymentView(p.id, p.reference, code, p.date, Money.from_minor(p.amount_minor, p.currency),
                            Money.from_minor(p.unapplied_minor, p.currency), p.method, tuple(allocs[p.id]))
                for p, code in rows]

    def payments(self, query: PaymentQuery, after: Cursor, limit: int) -> list[PaymentView]:
        stmt = self._payments_with_code()
        if query.customer:
            stmt = stmt.where(CustomerRow.code == query.customer)
        if query.currency:
            stmt = stmt.where(PaymentRow.currency == query.currency)
        if query.date_from is not None:
            stmt = stmt.where(PaymentRow.date >= query.date_from)
        if query.date_to is not None:
            stmt = stmt.where(PaymentRow.date <= query.date_to)
        condition = keyset(PaymentRow.date, PaymentRow.id, after, sort="-date", dates=True)
        if condition is not None:
            stmt = stmt.where(condition)
        stmt = stmt.order_by(PaymentRow.date.desc(), PaymentRow.id.desc()).limit(limit)
        return self._payment_views([(p, str(code)) for p, code in self.session.execute(stmt)])


DOCUMENTS: RepositoryKey[DocumentRepository] = RepositoryKey("ledger.documents", SqlDocumentRepository)
