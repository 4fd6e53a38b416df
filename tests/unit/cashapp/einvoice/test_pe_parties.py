"""Peru's party ids in both UBL layouts SUNAT has used: the RUC is the customer's tax id (and so its code).

UBL 2.0 (until 2018) writes the RUC beside `cac:Party`, in `cbc:CustomerAssignedAccountID`, with
`cbc:AdditionalAccountID` 6 (catálogo 06: RUC); UBL 2.1 in `cac:PartyIdentification/cbc:ID schemeID="6"`.
The files are written here, in each layout's shape."""

from __future__ import annotations

from cobro.cashapp.einvoice import parse_einvoice_bytes
from cobro.cashapp.service.einvoices import customer_code

NS = ('xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
      'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"')


def ubl20(root: str, number: str, *, buyer_kind: str = "6", reference: str = "") -> bytes:
    ref = (f"<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>{reference}</cbc:ID>"
           "<cbc:DocumentTypeCode>01</cbc:DocumentTypeCode></cac:InvoiceDocumentReference></cac:BillingReference>"
           if reference else "")
    return f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2" {NS}>
  <cbc:UBLVersionID>2.0</cbc:UBLVersionID>
  <cbc:CustomizationID>1.0</cbc:CustomizationID>
  <cbc:ID>{number}</cbc:ID>
  <cbc:IssueDate>2017-06-01</cbc:IssueDate>
  {'<cbc:InvoiceTypeCode>01</cbc:InvoiceTypeCode>' if root == 'Invoice' else ''}
  <cbc:DocumentCurrencyCode>PEN</cbc:DocumentCurrencyCode>
  {ref}
  <cac:AccountingSupplierParty>
    <cbc:CustomerAssignedAccountID>20100066603</cbc:CustomerAssignedAccountID>
    <cbc:AdditionalAccountID>6</cbc:AdditionalAccountID>
    <cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>Proveedora Andina SAC</cbc:RegistrationName>
    </cac:PartyLegalEntity></cac:Party>
  </cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>
    <cbc:CustomerAssignedAccountID>20512345678</cbc:CustomerAssignedAccountID>
    <cbc:AdditionalAccountID>{buyer_kind}</cbc:AdditionalAccountID>
    <cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>Comercial Lima SAC</cbc:RegistrationName>
    </cac:PartyLegalEntity></cac:Party>
  </cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="PEN">1180.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
</{root}>""".encode("iso-8859-1")


def ubl21_buyer(ruc: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" {NS}>
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:CustomizationID>2.0</cbc:CustomizationID>
  <cbc:ID>F001-170</cbc:ID><cbc:IssueDate>2024-06-01</cbc:IssueDate>
  <cbc:InvoiceTypeCode>01</cbc:InvoiceTypeCode><cbc:DocumentCurrencyCode>PEN</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party><cac:PartyIdentification><cbc:ID schemeID="6">20100066603</cbc:ID>
  </cac:PartyIdentification><cac:PartyLegalEntity><cbc:RegistrationName>Proveedora Andina SAC</cbc:RegistrationName>
  </cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party><cac:PartyIdentification><cbc:ID schemeID="6">{ruc}</cbc:ID>
  </cac:PartyIdentification><cac:PartyLegalEntity><cbc:RegistrationName>Comercial Lima SAC</cbc:RegistrationName>
  </cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>
  <cac:PaymentTerms><cbc:ID>FormaPago</cbc:ID><cbc:PaymentMeansID>Contado</cbc:PaymentMeansID></cac:PaymentTerms>
  <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="PEN">1180.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
</Invoice>""".encode()


def test_ubl20_ruc_in_customer_assigned_account_id() -> None:
    parsed = parse_einvoice_bytes(ubl20("Invoice", "E001-170"), "old.xml")
    assert parsed.ok, parsed.problems
    doc = parsed.documents[0]
    assert doc.format == "ubl-pe-sunat"
    assert (doc.buyer.tax_id, doc.buyer.country, doc.buyer.name) == ("20512345678", "PE", "Comercial Lima SAC")
    assert doc.seller.tax_id == "20100066603"
    assert customer_code(doc.buyer) == "20512345678"  # the RUC, not N-COMERCIAL-LIMA-SAC
    assert not any("no tax id" in w for w in doc.warnings)


def test_ubl20_credit_note_keeps_its_reference_as_written() -> None:
    doc = parse_einvoice_bytes(ubl20("CreditNote", "E001-9", reference="E001 - 170"), "nc.xml").documents[0]
    assert (doc.kind, doc.corrects, doc.buyer.tax_id) == ("credit_note", "E001 - 170", "20512345678")


def test_ubl20_a_dni_is_no_company_tax_id() -> None:
    doc = parse_einvoice_bytes(ubl20("Invoice", "B001-1", buyer_kind="1"), "boleta.xml").documents[0]
    assert doc.buyer.tax_id == ""
    assert any("no tax id" in w for w in doc.warnings)


def test_ubl21_ruc_in_party_identification() -> None:
    doc = parse_einvoice_bytes(ubl21_buyer("20512345678"), "new.xml").documents[0]
    assert (doc.buyer.tax_id, doc.buyer.country) == ("20512345678", "PE")
    assert customer_code(doc.buyer) == "20512345678"
