"""UBL 2.1: Peppol BIS 3 official examples, Peru SUNAT samples and CDRs, and inline variants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cobro.cashapp.einvoice import parse_einvoice_bytes

from ._fixtures import only_document, parse_fixture


def test_peppol_base_example() -> None:
    doc = only_document("ubl-peppol/examples/base-example.xml")
    assert (doc.format, doc.kind, doc.number) == ("ubl-peppol", "invoice", "Snippet1")
    assert doc.issue_date == date(2017, 11, 13)
    assert doc.currency == "EUR"
    assert doc.total == Decimal("1656.25")
    assert doc.payable == Decimal("1656.25")
    assert [(i.due_date, i.amount) for i in doc.instalments] == [(date(2017, 12, 1), Decimal("1656.25"))]
    assert doc.seller.name == "SupplierOfficialName Ltd"
    assert doc.seller.tax_id == "GB1232434"
    assert doc.seller.country == "GB"
    assert doc.seller.address == "Main street 1, Postbox 123, London, GB 123 EW"
    assert doc.buyer.name == "Buyer Official Name"
    assert doc.buyer.tax_id == "SE4598375937"
    assert doc.buyer.country == "SE"
    assert doc.buyer.email == "lj@buyer.se"
    assert doc.payment_means == "30"
    assert doc.payee_iban == "IBAN32423940"
    assert doc.warnings == ()


def test_peppol_prepaid_amount_reduces_payable() -> None:
    doc = only_document("ubl-peppol/examples/Allowance-example.xml")
    assert doc.total == Decimal("7125")
    assert doc.payable == Decimal("6125.00")  # PrepaidAmount 1000
    assert doc.instalments[0].amount == Decimal("6125.00")


def test_norwegian_rounding_and_vat_scheme_preferred() -> None:
    doc = only_document("ubl-peppol/national-examples/NO/Norwegian-example-1.xml")
    assert (doc.number, doc.currency) == ("TOSL108", "NOK")
    assert doc.total == Decimal("1801.78")
    assert doc.payable == Decimal("802.00")
    assert doc.instalments[0].due_date == date(2013, 7, 20)
    # Two PartyTaxScheme entries (VAT and TAX "Foretaksregisteret"): the VAT one is the tax id.
    assert doc.seller.tax_id == "NO123456785MVA"
    assert doc.buyer.tax_id == "NO987654325MVA"
    assert doc.payment_means == "31"
    assert doc.payee_iban == "NO9386011117947"


def test_peppol_credit_note_with_billing_reference() -> None:
    doc = only_document("ubl-peppol/examples/base-creditnote-correction.xml")
    assert doc.kind == "credit_note"
    assert doc.corrects == "Snippet1"
    assert doc.total == doc.payable == Decimal("1656.25")
    assert doc.instalments == ()  # a credit note without a due date is not scheduled


def test_negative_invoice_keeps_sign_and_warns() -> None:
    doc = only_document("ubl-peppol/examples/base-negative-inv-correction.xml")
    assert (doc.kind, doc.number, doc.corrects) == ("invoice", "Correction1", "Snippet1")
    assert doc.payable == Decimal("-1656.25")
    assert any("negative" in w for w in doc.warnings)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("examples/vat-category-E.xml", ("Vat-Z", "GBP", "1200.00", "GB928741974", "")),
        ("examples/vat-category-O.xml", ("Vat-O", "SEK", "3200.00", "", "")),
        ("examples/vat-category-Z.xml", ("Vat-Z", "GBP", "1200.00", "GB928741974", "")),
    ],
)
def test_no_due_date_falls_back_with_warning(name: str, expected: tuple[str, str, str, str, str]) -> None:
    number, currency, payable, seller_tax_id, buyer_tax_id = expected
    doc = only_document(f"ubl-peppol/{name}")
    assert (doc.number, doc.currency, doc.payable) == (number, currency, Decimal(payable))
    assert doc.issue_date == date(2018, 8, 30)
    assert doc.instalments[0].due_date == date(2018, 9, 29)
    assert any("Payment within 30 days" in w for w in doc.warnings)
    assert (doc.seller.tax_id, doc.buyer.tax_id) == (seller_tax_id, buyer_tax_id)


@pytest.mark.parametrize(
    "name", ["examples/Vat-category-S.xml", "examples/sales-order-example.xml",
             "national-examples/GR/GR-base-example-correct.xml",
             "national-examples/GR/GR-base-example-TaxRepresentative.xml"])
def test_other_peppol_examples(name: str) -> None:
    doc = only_document(f"ubl-peppol/{name}")
    assert doc.kind == "invoice"
    assert len(doc.instalments) == 1
    assert doc.instalments[0].amount == doc.payable


def test_greek_number_and_tax_ids_as_written() -> None:
    doc = only_document("ubl-peppol/national-examples/GR/GR-base-example-correct.xml")
    assert doc.number == "061828591|01/10/2020|0|1.1|0|1"
    assert (doc.seller.tax_id, doc.buyer.tax_id) == ("EL0618285912", "EL061828591")
    assert doc.instalments[0].due_date == date(2020, 12, 1)


# --- Peru SUNAT -------------------------------------------------------------------------------------------


def test_sunat_credit_with_cuotas() -> None:
    doc = only_document("pe-ubl/openubl-conFormaPago.xml")
    assert (doc.format, doc.kind, doc.number, doc.currency) == ("ubl-pe-sunat", "invoice", "F001-1", "PEN")
    assert doc.issue_date == date(2019, 12, 24)
    assert doc.total == doc.payable == Decimal("2360.00")
    assert [(i.due_date, i.amount) for i in doc.instalments] == [
        (date(2022, 1, 20), Decimal("10.00")), (date(2022, 2, 20), Decimal("20.00"))]
    # The sample's Credito pending amount (30.00) is far below PayableAmount: flagged, not hidden.
    assert any("cuotas add up to 30.00" in w for w in doc.warnings)
    assert doc.seller == doc.seller.__class__("Softgreen S.A.C.", "12345678912", "PE")
    assert (doc.buyer.name, doc.buyer.tax_id, doc.buyer.country) == ("Carlos Feria", "12121212121", "PE")


@pytest.mark.parametrize(("name", "number", "total"), [
    ("openubl-sinFormaPago.xml", "F001-1", "2360.00"),
    ("openubl-F001-1.xml", "F001-1", "2360.00"),  # signed: ext:UBLExtensions/ds:Signature is ignored
    ("openubl-factura1Con3Items.xml", "FF11-1", "1652.00"),
])
def test_sunat_contado_is_due_at_issue(name: str, number: str, total: str) -> None:
    doc = only_document(f"pe-ubl/{name}")
    assert (doc.number, doc.payable, doc.currency) == (number, Decimal(total), "PEN")
    assert [(i.due_date, i.amount) for i in doc.instalments] == [(date(2019, 12, 24), Decimal(total))]
    assert doc.seller.tax_id == "12345678912"
    assert doc.warnings == ()


def test_sunat_credit_note() -> None:
    doc = only_document("pe-ubl/openubl-notaDeCreditoDeFactura2.xml")
    assert (doc.kind, doc.number, doc.corrects) == ("credit_note", "FF11-1", "FF11-2")
    assert doc.total == doc.payable == Decimal("590.00")
    assert doc.instalments == ()


def test_sunat_debit_note_raises_the_debt() -> None:
    doc = only_document("pe-ubl/openubl-notaDeDebitoDeFactura2.xml")
    assert (doc.kind, doc.number, doc.corrects) == ("invoice", "FF11-1", "FF11-2")
    assert doc.payable == Decimal("590.00")  # from RequestedMonetaryTotal
    assert any("debit note" in w for w in doc.warnings)


@pytest.mark.parametrize(("name", "ref"), [
    ("openubl-R-12345678901-01-F001-00000587.xml", "F001-00000587"),
    ("openubl-R-20220557805-01-F001-22Openubl.xml", "F001-22"),
])
def test_cdr_is_refused_with_a_clear_message(name: str, ref: str) -> None:
    result = parse_fixture(f"pe-ubl/{name}")
    assert result.documents == ()
    (problem,) = result.problems
    assert problem.code == "not_an_invoice"
    assert "ApplicationResponse" in problem.message and ref in problem.message
    assert problem.file == name


# --- inline variants ----------------------------------------------------------------------------------------

UBL_HEAD = """<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"{extra_ns}>
  {ext}
  <cbc:CustomizationID>{custom}</cbc:CustomizationID>
  <cbc:ID>INV-9</cbc:ID><cbc:UUID>abc123cufe</cbc:UUID><cbc:IssueDate>2024-01-10</cbc:IssueDate>
  <cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyIdentification><cbc:ID schemeID="31">900123456</cbc:ID></cac:PartyIdentification>
    <cac:PartyLegalEntity><cbc:RegistrationName>Seller SAS</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyTaxScheme><cbc:CompanyID>DE123456789</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
    </cac:PartyTaxScheme><cac:PartyLegalEntity><cbc:RegistrationName>Buyer GmbH</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  {payment}
  <cac:LegalMonetaryTotal><cbc:TaxInclusiveAmount currencyID="{currency}">1000.00</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="{currency}">1000.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
</Invoice>"""


def _ubl(payment: str, custom: str = "urn:cen.eu:en16931:2017", currency: str = "EUR", ext: str = "",
         extra_ns: str = "") -> bytes:
    return UBL_HEAD.format(payment=payment, custom=custom, currency=currency, ext=ext, extra_ns=extra_ns).encode()


def test_generic_payment_terms_instalments_and_direct_debit_mandate() -> None:
    payment = """<cac:PaymentMeans><cbc:PaymentMeansCode>59</cbc:PaymentMeansCode>
      <cac:PaymentMandate><cbc:ID>MANDATE-42</cbc:ID></cac:PaymentMandate></cac:PaymentMeans>
      <cac:PaymentTerms><cbc:Amount currencyID="EUR">600.00</cbc:Amount><cbc:PaymentDueDate>2024-02-10</cbc:PaymentDueDate></cac:PaymentTerms>
      <cac:PaymentTerms><cbc:Amount currencyID="EUR">400.00</cbc:Amount><cbc:PaymentDueDate>2024-03-10</cbc:PaymentDueDate></cac:PaymentTerms>"""
    (doc,) = parse_einvoice_bytes(_ubl(payment), "terms.xml").documents
    assert doc.format == "ubl-2.1"
    assert doc.payment_means == "59"
    assert doc.mandate_id == "MANDATE-42"
    assert [(i.due_date, i.amount) for i in doc.instalments] == [
        (date(2024, 2, 10), Decimal("600.00")), (date(2024, 3, 10), Decimal("400.00"))]
    assert doc.warnings == ()


def test_colombia_dian_variant() -> None:
    ext = ('<ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><sts:DianExtensions>'
           '<sts:InvoiceSource/></sts:DianExtensions></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>')
    extra_ns = ('\n  xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"'
                '\n  xmlns:sts="dian:gov:co:facturaelectronica:Structures-2-1"')
    payment = ("<cac:PaymentMeans><cbc:ID>2</cbc:ID><cbc:PaymentMeansCode>ZZZ</cbc:PaymentMeansCode>"
               "<cbc:PaymentDueDate>2024-02-09</cbc:PaymentDueDate></cac:PaymentMeans>")
    (doc,) = parse_einvoice_bytes(_ubl(payment, custom="10", currency="COP", ext=ext, extra_ns=extra_ns),
                                  "co.xml").documents
    assert doc.format == "ubl-co-dian"
    assert doc.uuid == "abc123cufe"  # CUFE
    assert (doc.seller.tax_id, doc.seller.country) == ("900123456", "CO")  # NIT, schemeID 31
    assert doc.instalments[0].due_date == date(2024, 2, 9)
    assert doc.currency == "COP"


def test_missing_payable_amount_names_the_path() -> None:
    data = _ubl("").replace(b'<cbc:PayableAmount currencyID="EUR">1000.00</cbc:PayableAmount>', b"")
    (problem,) = parse_einvoice_bytes(data, "x.xml").problems
    assert problem.column == "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount"
    assert str(problem).startswith("x.xml")
