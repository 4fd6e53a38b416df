"""Spain Facturae 3.2 / 3.2.1 / 3.2.2, plain `.xml` or XAdES-signed `.xsig`.

Only the root `fe:Facturae` is namespaced; its descendants are unqualified (elementFormDefault="unqualified"), so
paths below the root have no prefix.  The enveloped `ds:Signature` is a sibling of `Invoices` and is not read:
verifying the XAdES signature is a separate concern from reading what the invoice says.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from cobro.cashapp.einvoice.base import (
    Element,
    Reader,
    Tree,
    check_currency,
    check_instalments,
    country_alpha2,
    default_instalments,
    namespace,
)
from cobro.cashapp.einvoice.records import DocumentInstalment, DocumentKind, EInvoiceDocument, Party

NAMESPACES = {
    "http://www.facturae.es/Facturae/2009/v3.2/Facturae": "3.2",
    "http://www.facturae.es/Facturae/2014/v3.2.1/Facturae": "3.2.1",
    "http://www.facturae.gob.es/formato/Versiones/Facturaev3_2_2.xml": "3.2.2",
}
# InvoiceClass: OR = rectificativa, CR = copia de rectificativa.
_CORRECTIVE_CLASSES = {"OR", "CR"}


class FacturaeParser:
    name = "facturae"

    def identify(self, root_localname: str, namespace: str) -> bool:
        return root_localname == "Facturae" and namespace in NAMESPACES

    def parse(self, tree: Tree, filename: str) -> list[EInvoiceDocument]:
        root = tree.getroot()
        version = NAMESPACES[namespace(root)]
        r = Reader(filename)
        batch_currency = r.text(root, "FileHeader/Batch/InvoiceCurrencyCode")
        seller = _party(r, root, "Parties/SellerParty")
        buyer = _party(r, root, "Parties/BuyerParty")
        invoices = r.findall(root, "Invoices/Invoice")
        if not invoices:
            raise r.error(root, "Invoices/Invoice", "the batch contains no invoice")

        batch_warnings: list[str] = []
        declared = r.text(root, "FileHeader/Batch/InvoicesCount")
        if declared and declared != str(len(invoices)):
            batch_warnings.append(f"FileHeader/Batch/InvoicesCount says {declared}, the file holds {len(invoices)}")
        docs = [
            _invoice(r, inv, index, version=version, seller=seller, buyer=buyer, batch_currency=batch_currency,
                     batch_warnings=batch_warnings)
            for index, inv in enumerate(invoices, start=1)
        ]
        batch_total = r.opt_amount(root, "FileHeader/Batch/TotalExecutableAmount/TotalAmount")
        executable = sum((d.payable if d.kind == "invoice" else -d.payable for d in docs), Decimal(0))
        if batch_total is not None and batch_total != executable:
            note = f"batch TotalExecutableAmount {batch_total} differs from the invoices' sum {executable}"
            docs = [_with_warning(d, note) for d in docs]
        return docs


def _with_warning(doc: EInvoiceDocument, note: str) -> EInvoiceDocument:
    return replace(doc, warnings=(*doc.warnings, note))


def _party(r: Reader, root: Element, path: str) -> Party:
    el = r.find(root, path)
    if el is None:
        raise r.error(root, path, "party is missing")
    tax_id = r.req_text(el, "TaxIdentification/TaxIdentificationNumber")
    entity = r.find(el, "LegalEntity")
    if entity is not None:
        name = r.text(entity, "CorporateName") or r.text(entity, "TradeName")
    else:
        entity = r.find(el, "Individual")
        if entity is None:
            raise r.error(el, "LegalEntity", "party has neither LegalEntity nor Individual")
        name = " ".join(filter(None, (r.text(entity, p) for p in ("Name", "FirstSurname", "SecondSurname"))))
    spain = r.find(entity, "AddressInSpain")
    if spain is not None:
        parts = [r.text(spain, p) for p in ("Address", "PostCode", "Town", "Province")]
        country = r.text(spain, "CountryCode", "ESP")
    else:
        abroad = r.find(entity, "OverseasAddress")
        parts = [r.text(abroad, p) for p in ("Address", "PostCodeAndTown", "Province")] if abroad is not None else []
        country = r.text(abroad, "CountryCode") if abroad is not None else ""
    return Party(
        name=name,
        tax_id=tax_id,
        country=country_alpha2(country),
        email=r.text(entity, "ContactDetails/ElectronicMail"),
        address=", ".join(p for p in parts if p),
    )


def _invoice(r: Reader, inv: Element, index: int, *, version: str, seller: Party, buyer: Party,
             batch_currency: str, batch_warnings: list[str]) -> EInvoiceDocument:
    warnings = list(batch_warnings)
    series = r.text(inv, "InvoiceHeader/InvoiceSeriesCode")
    number = r.req_text(inv, "InvoiceHeader/InvoiceNumber")
    issue = r.date(inv, "InvoiceIssueData/IssueDate")
    currency_raw = r.text(inv, "InvoiceIssueData/InvoiceCurrencyCode") or batch_currency
    if not currency_raw:
        raise r.error(inv, "InvoiceIssueData/InvoiceCurrencyCode", "no currency in the invoice nor in the batch")
    currency = check_currency(currency_raw, warnings)
    total = r.amount(inv, "InvoiceTotals/InvoiceTotal")
    # TotalExecutableAmount = what is really due after advances and withholdings (IRPF).
    payable = r.amount(inv, "InvoiceTotals/TotalExecutableAmount")

    kind: DocumentKind = "invoice"
    corrects = ""
    corrective = r.find(inv, "InvoiceHeader/Corrective")
    if corrective is not None or r.text(inv, "InvoiceHeader/InvoiceClass") in _CORRECTIVE_CLASSES:
        if corrective is not None:
            # numbered as this parser numbers invoices ("series-number"), so the ledger finds it as written
            corrected_series, corrected = r.text(corrective, "InvoiceSeriesCode"), r.text(corrective, "InvoiceNumber")
            corrects = f"{corrected_series}-{corrected}" if corrected_series and corrected else corrected
        if payable < 0 or total < 0:
            # A rectificativa that reduces the debt is written with negative amounts; cobro's credit notes
            # carry the amount credited as a positive number.
            kind, total, payable = "credit_note", -total, -payable
        else:
            warnings.append("corrective invoice (rectificativa) that increases the amount due")

    instalments, means, iban = _instalments(r, inv, issue=issue, payable=payable, kind=kind, warnings=warnings)
    return EInvoiceDocument(
        format=f"facturae-{version}",
        kind=kind,
        number=f"{series}-{number}" if series else number,
        issue_date=issue,
        currency=currency,
        seller=seller,
        buyer=buyer,
        total=total,
        payable=payable,
        instalments=instalments,
        corrects=corrects,
        payment_means=means,
        payee_iban=iban,
        source=f"{r.filename}#{index}",
        warnings=tuple(warnings),
    )


def _instalments(r: Reader, inv: Element, *, issue: date, payable: Decimal, kind: DocumentKind,
                 warnings: list[str]) -> tuple[tuple[DocumentInstalment, ...], str, str]:
    rows = r.findall(inv, "PaymentDetails/Installment")
    means = r.text(rows[0], "PaymentMeans") if rows else ""
    iban = ""
    for row in rows:
        iban = iban or r.text(row, "AccountToBeCredited/IBAN")
    if rows:
        instalments = tuple(
            DocumentInstalment(r.date(row, "InstallmentDueDate"), r.amount(row, "InstallmentAmount"))
            for row in rows
        )
        check_instalments(instalments, payable, warnings)
        return instalments, means, iban
    if kind == "credit_note":
        return (), means, iban
    return default_instalments(issue, None, payable, warnings, "no PaymentDetails/Installment"), means, iban
