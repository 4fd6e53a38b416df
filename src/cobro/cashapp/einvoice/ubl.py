"""UBL 2.1 Invoice / CreditNote / DebitNote: Peppol BIS Billing 3.0 (EN 16931), Peru SUNAT, Colombia DIAN.

The three share the UBL skeleton; the national variants differ in where the due dates and tax ids live:
Peppol has `cbc:DueDate` and `PartyTaxScheme/CompanyID`; SUNAT puts the schedule in `cac:PaymentTerms`
(`ID=FormaPago`, `PaymentMeansID=Credito|Contado|Cuota001…`) and the RUC in `PartyIdentification/ID@schemeID=6`
(UBL 2.1) or, in the older UBL 2.0 layout, in `CustomerAssignedAccountID` with `AdditionalAccountID` 6;
DIAN carries the CUFE in `cbc:UUID` and the due date in `PaymentMeans/PaymentDueDate`.
SUNAT CDRs and Peppol/DIAN `ApplicationResponse`s are identified so that they are refused with a clear message.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cobro.cashapp.einvoice.base import (
    EInvoiceParseError,
    Element,
    Reader,
    Tree,
    check_currency,
    check_instalments,
    country_alpha2,
    default_instalments,
    localname,
    namespace,
)
from cobro.cashapp.einvoice.records import DocumentInstalment, DocumentKind, EInvoiceDocument, Party

_DOC = "urn:oasis:names:specification:ubl:schema:xsd:{}-2"
DOCUMENT_ROOTS = ("Invoice", "CreditNote", "DebitNote")
REFUSED_ROOTS = ("ApplicationResponse",)
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
DIAN_NS = "dian:gov:co:facturaelectronica:Structures-2-1"
# UNCL1001 codes that make an `Invoice` root a credit note in practice.
_CREDIT_TYPE_CODES = {"381", "396", "81", "83", "532"}
# Identity-document schemes whose PartyIdentification/ID is a tax id: SUNAT catálogo 06 "6" = RUC, DIAN "31" = NIT.
_TAX_ID_SCHEMES = {"6", "31"}


class UblParser:
    name = "ubl"

    def identify(self, root_localname: str, namespace: str) -> bool:
        return any(root_localname == n and namespace == _DOC.format(n) for n in (*DOCUMENT_ROOTS, *REFUSED_ROOTS))

    def parse(self, tree: Tree, filename: str) -> list[EInvoiceDocument]:
        root = tree.getroot()
        r = Reader(filename, {**NS, "doc": namespace(root)})
        if localname(root) == "ApplicationResponse":
            raise _refuse_response(r, root)
        return [_document(r, root)]


def _refuse_response(r: Reader, root: Element) -> EInvoiceParseError:
    ref = r.text(root, "cac:DocumentResponse/cac:Response/cbc:ReferenceID") or r.text(
        root, "cac:DocumentResponse/cac:DocumentReference/cbc:ID")
    code = r.text(root, "cac:DocumentResponse/cac:Response/cbc:ResponseCode")
    desc = r.text(root, "cac:DocumentResponse/cac:Response/cbc:Description")
    return EInvoiceParseError(
        r.filename, r.where(root),
        f"not an invoice: this is an ApplicationResponse (SUNAT CDR / acceptance receipt) for document "
        f"{ref or '?'} (ResponseCode {code or '?'}: {desc or 'no description'}); import the invoice itself",
        code="not_an_invoice")


def _variant(r: Reader, root: Element) -> str:
    customization = r.text(root, "cbc:CustomizationID")
    if any(namespace(el) == DIAN_NS for el in root.iter() if isinstance(el.tag, str)):
        return "ubl-co-dian"
    sunat_codes = any(
        "PE:SUNAT" in (el.get("schemeAgencyName"), el.get("listAgencyName"))
        for el in root.iter() if isinstance(el.tag, str)
    )
    # UBL 2.0 (SUNAT until 2018) names the parties' RUC through AdditionalAccountID, which Peppol never uses
    old_layout = r.text(root, "cbc:UBLVersionID") == "2.0" and r.find(
        root, "cac:AccountingSupplierParty/cbc:AdditionalAccountID") is not None
    if customization in ("2.0", "1.0") or sunat_codes or old_layout:
        return "ubl-pe-sunat"
    return "ubl-peppol" if "peppol" in customization else "ubl-2.1"


def _document(r: Reader, root: Element) -> EInvoiceDocument:
    warnings: list[str] = []
    root_name = localname(root)
    variant = _variant(r, root)
    number = r.req_text(root, "cbc:ID")
    issue = r.date(root, "cbc:IssueDate")

    totals = r.find(root, "cac:LegalMonetaryTotal")
    totals_path = "cac:LegalMonetaryTotal"
    if totals is None and root_name == "DebitNote":
        totals, totals_path = r.find(root, "cac:RequestedMonetaryTotal"), "cac:RequestedMonetaryTotal"
    if totals is None:
        raise r.error(root, totals_path, "monetary totals are missing")
    payable = r.amount(totals, "cbc:PayableAmount")
    total = r.opt_amount(totals, "cbc:TaxInclusiveAmount")
    if total is None:
        total = payable
        warnings.append("no TaxInclusiveAmount: total taken from PayableAmount")
    currency_raw = r.text(root, "cbc:DocumentCurrencyCode") or r.text(totals, "cbc:PayableAmount/@currencyID")
    if not currency_raw:
        raise r.error(root, "cbc:DocumentCurrencyCode", "no document currency")
    currency = check_currency(currency_raw, warnings)

    type_code = r.text(root, "cbc:InvoiceTypeCode")
    kind: DocumentKind = "credit_note" if root_name == "CreditNote" or type_code in _CREDIT_TYPE_CODES else "invoice"
    corrects = r.text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") or r.text(
        root, "cac:DiscrepancyResponse/cbc:ReferenceID")
    if root_name == "DebitNote":
        warnings.append(f"debit note: raises the amount due on {corrects or 'an earlier invoice'}")
    if kind == "invoice" and payable < 0:
        warnings.append("invoice with a negative amount due: it works as a credit note"
                        + (f" on {corrects}" if corrects else ""))

    seller = _party(r, root, "cac:AccountingSupplierParty", variant, warnings)
    buyer = _party(r, root, "cac:AccountingCustomerParty", variant, warnings)
    means = r.find(root, "cac:PaymentMeans")
    paid_at_issue = kind == "invoice" and payable == 0 and total > 0
    if paid_at_issue:
        warnings.append("PayableAmount is 0: paid in advance (PrepaidAmount)")
        instalments: tuple[DocumentInstalment, ...] = ()
    else:
        instalments = _instalments(r, root, issue=issue, payable=payable, kind=kind, variant=variant,
                                   warnings=warnings)
    return EInvoiceDocument(
        format=variant,
        kind=kind,
        number=number,
        issue_date=issue,
        currency=currency,
        seller=seller,
        buyer=buyer,
        total=total,
        payable=payable,
        instalments=instalments,
        corrects=corrects,
        uuid=r.text(root, "cbc:UUID") if variant == "ubl-co-dian" else "",  # CUFE
        payment_means=r.text(means, "cbc:PaymentMeansCode") if means is not None else "",
        payee_iban=next((v for m in r.findall(root, "cac:PaymentMeans")
                         if (v := r.text(m, "cac:PayeeFinancialAccount/cbc:ID"))), ""),
        mandate_id=r.text(means, "cac:PaymentMandate/cbc:ID") if means is not None else "",
        paid_at_issue=paid_at_issue,
        source=f"{r.filename}#1",
        warnings=tuple(warnings),
    )


def _account_id(r: Reader, holder: Element) -> str:
    """SUNAT's UBL 2.0 layout: the party's document number beside `cac:Party`, in
    `cbc:CustomerAssignedAccountID` (both parties) or `cbc:SupplierAssignedAccountID`, its kind in
    `cbc:AdditionalAccountID` (catálogo 06: 6 = RUC).  Only a tax-id kind counts; a DNI is no company's tax id."""
    kind = r.text(holder, "cbc:AdditionalAccountID")
    if kind not in _TAX_ID_SCHEMES:
        return ""
    return r.text(holder, "cbc:CustomerAssignedAccountID") or r.text(holder, "cbc:SupplierAssignedAccountID")


def _party(r: Reader, root: Element, holder_path: str, variant: str, warnings: list[str]) -> Party:
    path = f"{holder_path}/cac:Party"
    holder = r.find(root, holder_path)
    party = r.find(holder, "cac:Party") if holder is not None else None
    if holder is None or party is None:
        raise r.error(root, path, "party is missing")
    name = r.text(party, "cac:PartyLegalEntity/cbc:RegistrationName") or r.text(party, "cac:PartyName/cbc:Name")
    schemes = r.findall(party, "cac:PartyTaxScheme")
    vat = [s for s in schemes if r.text(s, "cac:TaxScheme/cbc:ID") == "VAT"]
    tax_id = next((v for s in (*vat, *schemes) if (v := r.text(s, "cbc:CompanyID"))), "")
    country = r.text(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode")
    if not tax_id:
        for ident in r.findall(party, "cac:PartyIdentification/cbc:ID"):
            if ident.get("schemeID") in _TAX_ID_SCHEMES and (ident.text or "").strip():
                tax_id = (ident.text or "").strip()
                # A RUC only exists in Peru, a NIT in Colombia: the scheme implies the country.
                if not country and variant == "ubl-pe-sunat":
                    country = "PE"
                elif not country and variant == "ubl-co-dian":
                    country = "CO"
                break
    if not tax_id and (tax_id := _account_id(r, holder)) and not country and variant == "ubl-pe-sunat":
        country = "PE"
    if not tax_id:
        tax_id = r.text(party, "cac:PartyLegalEntity/cbc:CompanyID")
    if not tax_id:
        warnings.append(f"{r.where(party)}: no tax id (PartyTaxScheme/CompanyID or PartyLegalEntity/CompanyID)")
    address = r.find(party, "cac:PostalAddress")
    parts: list[str] = []
    if address is not None:
        parts = [r.text(address, p) for p in ("cbc:StreetName", "cbc:AdditionalStreetName", "cac:AddressLine/cbc:Line",
                                               "cbc:CityName", "cbc:PostalZone", "cbc:CountrySubentity")]
    else:
        registered = r.find(party, "cac:PartyLegalEntity/cac:RegistrationAddress")
        if registered is not None:
            parts = [r.text(registered, p) for p in ("cac:AddressLine/cbc:Line", "cbc:CityName", "cbc:District")]
            country = country or r.text(registered, "cac:Country/cbc:IdentificationCode")
    return Party(
        name=name,
        tax_id=tax_id,
        country=country_alpha2(country),
        email=r.text(party, "cac:Contact/cbc:ElectronicMail"),
        address=", ".join(p for p in parts if p),
    )


def _instalments(r: Reader, root: Element, *, issue: date, payable: Decimal, kind: DocumentKind,
                 variant: str, warnings: list[str]) -> tuple[DocumentInstalment, ...]:
    terms = r.findall(root, "cac:PaymentTerms")
    forma = [t for t in terms if r.text(t, "cbc:ID") == "FormaPago"]
    if forma:
        return _sunat_forma_pago(r, forma, issue, payable, warnings)
    # Generic UBL instalments: one PaymentTerms per due date with its amount.
    dated = [t for t in terms if r.text(t, "cbc:PaymentDueDate") and r.text(t, "cbc:Amount")]
    if dated:
        rows = tuple(DocumentInstalment(r.date(t, "cbc:PaymentDueDate"), r.amount(t, "cbc:Amount")) for t in dated)
        check_instalments(rows, payable, warnings)
        return rows
    due = r.opt_date(root, "cbc:DueDate")
    for means in r.findall(root, "cac:PaymentMeans"):
        due = due or r.opt_date(means, "cbc:PaymentDueDate")
    for term in terms:
        due = due or r.opt_date(term, "cbc:PaymentDueDate")
    if kind == "credit_note" and due is None:
        return ()
    note = next((n for t in terms if (n := r.text(t, "cbc:Note"))), "")
    why = f"payment terms say {note!r}, not read as a date" if note else ""
    if variant == "ubl-pe-sunat" and due is None:
        warnings.append("SUNAT invoice without cac:PaymentTerms FormaPago (mandatory since 2021)")
    return default_instalments(issue, due, payable, warnings, why)


def _sunat_forma_pago(r: Reader, forma: list[Element], issue: date, payable: Decimal,
                      warnings: list[str]) -> tuple[DocumentInstalment, ...]:
    head = r.text(forma[0], "cbc:PaymentMeansID")
    if head == "Contado":
        # Cash sale: due on the issue date.
        return (DocumentInstalment(issue, payable),)
    cuotas = [t for t in forma if r.text(t, "cbc:PaymentMeansID").startswith("Cuota")]
    if not cuotas:
        raise r.error(forma[0], "cbc:PaymentMeansID", f"FormaPago {head!r} without Cuota### instalments")
    rows = tuple(DocumentInstalment(r.date(t, "cbc:PaymentDueDate"), r.amount(t, "cbc:Amount")) for t in cuotas)
    pending = r.opt_amount(forma[0], "cbc:Amount")
    total = sum((row.amount for row in rows), Decimal(0))
    if pending is not None and pending != total:
        warnings.append(f"FormaPago Credito pending amount {pending} differs from the sum of the cuotas {total}")
    if total != payable:
        # SUNAT's pending amount is net of detracción/retención, so it may be below PayableAmount.
        warnings.append(f"cuotas add up to {total} but PayableAmount is {payable} "
                        "(detracción or retención withheld by the buyer?)")
    return rows
