"""Queries behind the e-invoice import: customers and invoices by natural key, the imported-document register."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.cashapp.records import EInvoiceDocumentRow
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
