"""Facturae 3.2 / 3.2.1 / 3.2.2: the OCA signed samples plus inline documents for what they lack."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cobro.cashapp.einvoice import parse_einvoice_bytes

from ._fixtures import only_document

NS_322 = "http://www.facturae.gob.es/formato/Versiones/Facturaev3_2_2.xml"


@pytest.mark.parametrize(
    ("name", "seller_tax_id", "seller_country", "number", "version"),
    [
        ("oca-facturae_01.xsig", "R3028604A", "ES", "18972", "3.2"),
        ("oca-facturae_02.xsig", "0477472701", "BE", "18972", "3.2"),
        ("oca-facturae_03.xsig", "DE123456788", "DE", "18972", "3.2"),
        ("oca-facturae_04.xsig", "DE111111125", "DE", "18973", "3.2.1"),
    ],
)
def test_oca_samples(name: str, seller_tax_id: str, seller_country: str, number: str, version: str) -> None:
    doc = only_document(f"facturae/{name}")
    assert doc.format == f"facturae-{version}"
    assert doc.kind == "invoice"
    assert doc.number == number
    assert doc.issue_date == date(2017, 12, 4)
    assert doc.currency == "EUR"
    assert doc.total == Decimal("121.00")
    assert doc.payable == Decimal("121.00")  # TotalExecutableAmount
    assert doc.seller.tax_id == seller_tax_id
    assert doc.seller.country == seller_country
    assert doc.seller.name == "TEST"
    assert doc.buyer.tax_id == "Q3831135C"
    assert doc.buyer.country == "ES"
    assert doc.buyer.address == "Street, 08001, Barcelona, Barcelona"
    # No PaymentDetails in these samples: one instalment at issue + 30 days, flagged.
    assert [(i.due_date, i.amount) for i in doc.instalments] == [(date(2018, 1, 3), Decimal("121.00"))]
    assert any("no due date" in w for w in doc.warnings)
    assert doc.source == f"{name}#1"


def _facturae(invoices: str, ns: str = NS_322, count: int = 2, executable: str = "1200.00") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<fe:Facturae xmlns:fe="{ns}">
  <FileHeader><SchemaVersion>3.2.2</SchemaVersion><Modality>L</Modality><InvoiceIssuerType>EM</InvoiceIssuerType>
    <Batch><BatchIdentifier>B1</BatchIdentifier><InvoicesCount>{count}</InvoicesCount>
      <TotalExecutableAmount><TotalAmount>{executable}</TotalAmount></TotalExecutableAmount>
      <InvoiceCurrencyCode>EUR</InvoiceCurrencyCode></Batch></FileHeader>
  <Parties>
    <SellerParty><TaxIdentification><PersonTypeCode>J</PersonTypeCode><ResidenceTypeCode>R</ResidenceTypeCode>
      <TaxIdentificationNumber>ESB12345674</TaxIdentificationNumber></TaxIdentification>
      <LegalEntity><CorporateName>Acme SL</CorporateName>
        <AddressInSpain><Address>Calle 1</Address><PostCode>28001</PostCode><Town>Madrid</Town>
          <Province>Madrid</Province><CountryCode>ESP</CountryCode></AddressInSpain>
        <ContactDetails><ElectronicMail>cobros@acme.es</ElectronicMail></ContactDetails></LegalEntity></SellerParty>
    <BuyerParty><TaxIdentification><PersonTypeCode>F</PersonTypeCode><ResidenceTypeCode>R</ResidenceTypeCode>
      <TaxIdentificationNumber>12345678Z</TaxIdentificationNumber></TaxIdentification>
      <Individual><Name>Ana</Name><FirstSurname>García</FirstSurname><SecondSurname>López</SecondSurname>
        <AddressInSpain><Address>Calle 2</Address><PostCode>08001</PostCode><Town>Barcelona</Town>
          <Province>Barcelona</Province><CountryCode>ESP</CountryCode></AddressInSpain></Individual></BuyerParty>
  </Parties>
  <Invoices>{invoices}</Invoices>
</fe:Facturae>""".encode()


def _invoice(number: str, total: str, executable: str, *, extra_header: str = "", payment: str = "",
             klass: str = "OO") -> str:
    return f"""<Invoice>
  <InvoiceHeader><InvoiceNumber>{number}</InvoiceNumber><InvoiceSeriesCode>A</InvoiceSeriesCode>
    <InvoiceDocumentType>FC</InvoiceDocumentType><InvoiceClass>{klass}</InvoiceClass>{extra_header}</InvoiceHeader>
  <InvoiceIssueData><IssueDate>2024-03-01</IssueDate><InvoiceCurrencyCode>EUR</InvoiceCurrencyCode>
    <TaxCurrencyCode>EUR</TaxCurrencyCode><LanguageName>es</LanguageName></InvoiceIssueData>
  <InvoiceTotals><InvoiceTotal>{total}</InvoiceTotal><TotalOutstandingAmount>{total}</TotalOutstandingAmount>
    <TotalExecutableAmount>{executable}</TotalExecutableAmount></InvoiceTotals>
  {payment}
</Invoice>"""


INSTALMENTS = """<PaymentDetails>
  <Installment><InstallmentDueDate>2024-04-01</InstallmentDueDate><InstallmentAmount>400.00</InstallmentAmount>
    <PaymentMeans>02</PaymentMeans><AccountToBeCredited><IBAN>ES9121000418450200051332</IBAN></AccountToBeCredited>
  </Installment>
  <Installment><InstallmentDueDate>2024-05-01</InstallmentDueDate><InstallmentAmount>400.00</InstallmentAmount>
    <PaymentMeans>02</PaymentMeans></Installment>
</PaymentDetails>"""


def test_322_batch_with_instalments_and_withholding() -> None:
    # Invoice 1: 1000 + IVA - IRPF withheld → executable 800 in two instalments; invoice 2: 400 without schedule.
    data = _facturae(_invoice("1", "1000.00", "800.00", payment=INSTALMENTS) + _invoice("2", "400.00", "400.00"))
    result = parse_einvoice_bytes(data, "batch.xml")
    assert not result.problems
    first, second = result.documents
    assert first.format == "facturae-3.2.2"
    assert first.number == "A-1"
    assert first.total == Decimal("1000.00")
    assert first.payable == Decimal("800.00")
    assert [(i.due_date, i.amount) for i in first.instalments] == [
        (date(2024, 4, 1), Decimal("400.00")), (date(2024, 5, 1), Decimal("400.00"))]
    assert first.payment_means == "02"
    assert first.payee_iban == "ES9121000418450200051332"
    assert first.seller.email == "cobros@acme.es"
    assert first.buyer.name == "Ana García López"
    assert first.buyer.tax_id == "12345678Z"
    assert first.warnings == ()
    assert second.number == "A-2"
    assert second.source == "batch.xml#2"
    assert second.instalments[0].due_date == date(2024, 3, 31)


def test_batch_mismatch_is_a_warning() -> None:
    data = _facturae(_invoice("1", "100.00", "100.00"), count=2, executable="999.00")
    (doc,) = parse_einvoice_bytes(data, "b.xml").documents
    assert any("InvoicesCount says 2" in w for w in doc.warnings)
    assert any("TotalExecutableAmount 999.00" in w for w in doc.warnings)


def test_rectificativa_with_negative_amounts_is_a_credit_note() -> None:
    corrective = ("<Corrective><InvoiceNumber>7</InvoiceNumber><InvoiceSeriesCode>A</InvoiceSeriesCode>"
                  "<ReasonCode>01</ReasonCode></Corrective>")
    data = _facturae(_invoice("R1", "-121.00", "-121.00", extra_header=corrective, klass="OR"),
                     count=1, executable="-121.00")
    (doc,) = parse_einvoice_bytes(data, "r.xml").documents
    assert doc.kind == "credit_note"
    assert doc.corrects == "A-7"  # numbered as the parser numbers invoices, so the ledger finds it as written
    assert doc.total == Decimal("121.00")
    assert doc.payable == Decimal("121.00")
    assert doc.instalments == ()


def test_missing_total_names_file_and_path() -> None:
    data = _facturae(_invoice("1", "100.00", "100.00").replace("<TotalExecutableAmount>100.00</TotalExecutableAmount>",
                                                               ""), count=1, executable="100.00")
    result = parse_einvoice_bytes(data, "broken.xml")
    assert not result.documents
    (problem,) = result.problems
    assert problem.file == "broken.xml"
    assert problem.column == "/fe:Facturae/Invoices/Invoice/InvoiceTotals/TotalExecutableAmount"
    assert "broken.xml" in str(problem) and "TotalExecutableAmount" in str(problem)
