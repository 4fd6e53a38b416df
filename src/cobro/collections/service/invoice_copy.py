"""Invoice copies for the agency: one PDF per document of an escalation case, under the creditor's letterhead.

cashapp keeps an imported e-invoice's fiscal id (CFDI UUID, CUFE) but not its XML, so the copy is always generated
here from the ledger and names the fiscal id when there is one; the agency asks the tax authority's portal for the
signed original with it.  The PDF uses fpdf2's core font (no font file is read: services open no files), so text
is transliterated to Latin-1; the creation date is the case's `as_of`, so the same case gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from fpdf import FPDF

from cobro.collections.schemas.agency import AgencyExport, CaseDocument, InvoiceCopy
from cobro.collections.service.creditor import creditor_part
from cobro.kernel.money import Money
from cobro.platform.uow import Uow
from cobro.tenancy.domain import LETTER_FIELDS
from cobro.tenancy.service import letterhead, require


def invoice_copies(uow: Uow, export: AgencyExport) -> list[InvoiceCopy]:
    """A copy of each document of the export (refused, naming the field, when the creditor's profile cannot
    carry a letterhead)."""
    sender = letterhead(uow)
    require(sender, LETTER_FIELDS, "the invoice copies")
    creditor = creditor_part(sender)
    head = [creditor.name, f"NIF/Tax id: {creditor.tax_id}" if creditor.tax_id else "", *creditor.address]
    return [InvoiceCopy(f"case-{export.case_id}-{_safe_name(doc.invoice)}.pdf",
                        _pdf(doc, head=[line for line in head if line], export=export)) for doc in export.documents]


def _safe_name(number: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in number)[:80] or "invoice"


def _latin(text: str) -> str:
    text = text.replace("€", "EUR")
    return "".join(ch if ch.encode("latin-1", "ignore") else
                   (unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1") or "?")
                   for ch in text)


def _pdf(doc: CaseDocument, *, head: list[str], export: AgencyExport) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime.combine(export.as_of, dt.time(0, 0), tzinfo=dt.UTC))
    pdf.set_margins(18, 18, 18)
    pdf.add_page()

    def line(text: str, *, size: int = 10, bold: bool = False) -> None:
        pdf.set_font("Helvetica", "B" if bold else "", size)
        pdf.multi_cell(0, 6, _latin(text), new_x="LMARGIN", new_y="NEXT")

    for text in head:
        line(text, bold=text == head[0])
    pdf.ln(4)
    line(f"COPY OF INVOICE {doc.invoice}", size=14, bold=True)
    line("Copia de factura para la gestion de cobro / copy for the collection mandate", size=8)
    pdf.ln(3)
    d = export.debtor
    line(f"Debtor: {d.legal_name} ({d.code})" + (f", tax id {d.tax_id}" if d.tax_id else ""))
    line(f"Issued: {doc.issue_date.isoformat()}    Due: {doc.due_date.isoformat()}")
    line(f"Amount: {Money.from_minor(doc.amount_minor, doc.currency)}")
    line(f"Outstanding on {export.as_of.isoformat()}: {Money.from_minor(doc.open_minor, doc.currency)}", bold=True)
    if doc.einvoice_id:
        line(f"E-invoice fiscal id: {doc.einvoice_id}")
    line(f"Escalation case #{export.case_id}" + (f", handed off to {export.agency}" if export.agency else ""),
         size=8)
    return bytes(pdf.output())
