"""Queries behind the e-invoice import: customers and invoices by natural key, the imported-document register."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.cashapp.records import EInvoiceDocumentRow
from cobro.ledger.domain.status import status_for
from cobro.ledger.records import CustomerRow, InstalmentRow, InvoiceRow


def customer_by_code(session: Session, tenant: int, code: str) -> CustomerRow | None:
    return session.scalar(select(CustomerRow).where(CustomerRow.tenant_id == tenant, CustomerRow.code == code))


def invoice_by_number(session: Session, tenant: int, number: str) -> InvoiceRow | None:
    return session.scalar(select(InvoiceRow).where(InvoiceRow.tenant_id == tenant, InvoiceRow.number == number))


def invoice(session: Session, invoice_id: int) -> InvoiceRow | None:
    return session.get(InvoiceRow, invoice_id)


def document_invoice_id(session: Session, tenant: int, doc_id: str) -> int | None:
    """The ledger invoice an imported document (by UUID or `number:…` key) became, if it was imported."""
    return session.scalar(select(EInvoiceDocumentRow.invoice_id).where(
        EInvoiceDocumentRow.tenant_id == tenant, EInvoiceDocumentRow.doc_id == doc_id))


def document_number(session: Session, tenant: int, doc_id: str) -> str | None:
    """The invoice number of an imported document, if it was imported."""
    return session.scalar(select(EInvoiceDocumentRow.number).where(
        EInvoiceDocumentRow.tenant_id == tenant, EInvoiceDocumentRow.doc_id == doc_id))


def open_instalments(session: Session, invoice_id: int) -> list[InstalmentRow]:
    """An invoice's instalments with something still open, earliest due first."""
    return list(session.scalars(select(InstalmentRow).where(
        InstalmentRow.invoice_id == invoice_id, InstalmentRow.open_minor > 0).order_by(InstalmentRow.due_date)))


def add_customer(session: Session, tenant: int, *, code: str, legal_name: str, country: str, tax_id: str) -> int:
    """A customer first seen as an e-invoice's buyer (the ledger's defaults otherwise); its id."""
    row = CustomerRow(tenant_id=tenant, code=code, legal_name=legal_name[:300], country=country[:2],
                      tax_id=tax_id[:40], segment="", account_owner="", collector="", credit_limit_minor=None,
                      credit_limit_currency="", language="es", terms="net 30", behaviour="", row_hash="")
    session.add(row)
    session.flush()
    return int(row.id)


def add_invoice(session: Session, tenant: int, *, customer_id: int, number: str, kind: str, issue_date: dt.date,
                due_date: dt.date, currency: str, amount_minor: int, corrects: str, source: str,
                schedule: list[tuple[dt.date, int]], doc_id: str) -> int:
    """An imported document as a ledger invoice (or credit note) with its instalments (due date, minor units),
    registered under `doc_id` so a re-import finds it; the invoice's id.  Its status is the ledger's rule
    (`status_for`): a document of 0 is settled on arrival, like a zero-amount row of an invoice file."""
    inv = InvoiceRow(tenant_id=tenant, customer_id=customer_id, number=number[:64], kind=kind,
                     issue_date=issue_date, due_date=due_date, currency=currency,
                     amount_minor=amount_minor, open_minor=amount_minor, status=status_for(amount_minor), disputed=False,
                     corrects=corrects[:64], channel="einvoice", terms="", over_legal_cap=False,
                     source=source[:200], content_hash=0)
    session.add(inv)
    session.flush()
    for seq, (day, minor) in enumerate(schedule, 1):
        session.add(InstalmentRow(tenant_id=tenant, invoice_id=inv.id, customer_id=customer_id, seq=seq,
                                  due_date=day, currency=currency, amount_minor=minor, paid_minor=0,
                                  open_minor=minor))
    session.add(EInvoiceDocumentRow(tenant_id=tenant, doc_id=doc_id[:80], kind=kind, number=number[:64],
                                    invoice_id=inv.id, source=source[:200]))
    session.flush()
    return int(inv.id)
