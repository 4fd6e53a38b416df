"""Mexico CFDI 4.0 / 3.3 and the Pagos 2.0 / 1.0 complement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cobro.cashapp.einvoice import parse_einvoice_bytes

from ._fixtures import only_document

PPD_UUID = "6d7434a6-e3f2-47ad-9e4c-08849946afa0"


def test_ppd_invoice_is_an_open_receivable() -> None:
    doc = only_document("cfdi/satcfdi-ingreso-ppd-stamped.xml")
    assert (doc.format, doc.kind, doc.number) == ("cfdi-4.0", "invoice", "A-123456")
    assert doc.uuid == PPD_UUID
    assert doc.issue_date == date(2020, 1, 1)
    assert doc.currency == "MXN"
    assert doc.total == doc.payable == Decimal("17852.75")
    assert doc.paid_at_issue is False
    assert [(i.due_date, i.amount) for i in doc.instalments] == [(date(2020, 1, 31), Decimal("17852.75"))]
    assert any("no due date" in w for w in doc.warnings)
    # '&amp;' in the XML is the character '&' in the RFC.
    assert (doc.seller.tax_id, doc.seller.name) == ("H&E951128469", "HERRERIA & ELECTRICOS S DE CV")
    assert (doc.buyer.tax_id, doc.buyer.name, doc.buyer.country) == ("KIJ0906199R1", "KIJ, S.A DE C.V.", "MX")


def test_pue_invoice_is_paid_at_issue() -> None:
    doc = only_document("cfdi/satcfdi-ingreso-pue-stamped.xml")
    assert doc.paid_at_issue is True
    assert doc.uuid == "6e546729-960a-4505-8e81-2d2952145bd9"
    assert doc.payment_means == "03"
    assert doc.payable == Decimal("17852.75")
    assert [(i.due_date, i.amount) for i in doc.instalments] == [(date(2020, 1, 1), Decimal("17852.75"))]
    assert doc.warnings == ()


def test_pago20_pays_the_ppd_invoice() -> None:
    invoice = only_document("cfdi/satcfdi-ingreso-ppd-stamped.xml")
    doc = only_document("cfdi/satcfdi-pago20-for-ingreso.xml")
    assert (doc.kind, doc.uuid) == ("payment", "5b64ada3-aa4c-40b4-a2f5-572ced52be31")
    assert doc.total == Decimal("17852.75")  # Σ Pago/@Monto, the Comprobante itself says Total 0 / XXX
    assert doc.currency == "MXN"
    assert doc.payable == Decimal(0)
    assert doc.instalments == ()
    assert doc.payment_means == "03"  # FormaDePagoP
    (paid,) = doc.payments
    assert paid.document_ref == invoice.uuid
    assert paid.amount == Decimal("17852.75")
    assert paid.date == date(2020, 1, 2)
    assert (paid.currency, paid.partiality, paid.balance_after) == ("MXN", 1, Decimal("0.00"))
    assert doc.warnings == ()


def test_pago20_several_payments() -> None:
    doc = only_document("cfdi/satcfdi-cfdv40-pagos20.xml")
    assert doc.total == Decimal("15166.65")
    assert [(p.document_ref, p.amount, p.date) for p in doc.payments] == [
        ("C1DF8D01-8436-4E7D-BECF-20F31624280D", Decimal("6066.66"), date(2021, 12, 3)),
        ("CB675288-97C8-45C2-9618-27FEF433AD59", Decimal("5055.55"), date(2021, 12, 4)),
        ("CB36554D-AF7B-4EBC-97CB-8C40FDFD9E20", Decimal("4044.44"), date(2021, 12, 5)),
    ]
    assert all(p.partiality == 2 and p.balance_after == Decimal(0) for p in doc.payments)
    # The leading space in Rfc=" AAA010101AAA" is formatting, not part of the RFC.
    assert doc.seller.tax_id == "AAA010101AAA"
    assert doc.buyer.tax_id == "BASJ600902KL9"
    assert any("not stamped" in w for w in doc.warnings)


def test_pago20_min_flags_inconsistent_totals() -> None:
    doc = only_document("cfdi/satcfdi-cfdv40-pagos20-min.xml")
    (paid,) = doc.payments
    assert (paid.amount, paid.partiality) == (Decimal("1.00"), 2)
    assert any("MontoTotalPagos 15166.65" in w for w in doc.warnings)


def test_pago20_all_foreign_currency() -> None:
    doc = only_document("cfdi/satcfdi-cfdv40-pagos20-all.xml")
    (paid,) = doc.payments
    assert (paid.currency, paid.amount, paid.balance_after) == ("ZWL", Decimal("1.00"), Decimal("1.00"))
    assert doc.currency == "ZWL"
    assert any("ZWL" in w for w in doc.warnings)


def test_cfdi33_with_pagos10() -> None:
    doc = only_document("cfdi/satcfdi-cfdv33-pagos10.xml")
    assert (doc.format, doc.kind) == ("cfdi-3.3", "invoice")
    assert doc.issue_date == date(2017, 5, 1)
    assert doc.total == Decimal("1500")
    (paid,) = doc.payments
    assert paid.document_ref == "DEADBEEF-CAFE-BABE-1234-123456789012"
    assert (paid.amount, paid.partiality, paid.balance_after) == (Decimal("1.234"), 109, Decimal("0.456"))
    assert paid.date == date(2017, 5, 1)


@pytest.mark.parametrize(("name", "kind", "total"), [
    ("satcfdi-cfdv40-min.xml", "invoice", "1500"),
    ("satcfdi-cfdv40-ejemplo.xml", "payment", "1500"),
    ("satcfdi-cfdv40-ejemplo-signed-tfd.xml", "payment", "1500"),
    ("satcfdi-cfdv40-divisas.xml", "payment", "0"),
])
def test_reference_examples_parse(name: str, kind: str, total: str) -> None:
    doc = only_document(f"cfdi/{name}")
    assert (doc.kind, doc.total) == (kind, Decimal(total))
    assert doc.seller.tax_id == "AAA010101AAA"


def test_signed_example_has_uuid_and_number() -> None:
    doc = only_document("cfdi/satcfdi-cfdv40-ejemplo-signed-tfd.xml")
    assert (doc.number, doc.uuid) == ("A-123ABC", "499e9a70-36ac-448a-bbd9-f3f52102e4be")
    assert doc.issue_date == date(2021, 12, 7)


def _cfdi(tipo: str, extra: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" xmlns:tfd="http://www.sat.gob.mx/TimbreFiscalDigital"
  Version="4.0" Serie="NC" Folio="7" Fecha="2024-02-01T10:00:00" Moneda="MXN" SubTotal="100" Total="116"
  TipoDeComprobante="{tipo}" MetodoPago="PUE" FormaPago="03" Exportacion="01" LugarExpedicion="01000">
  <cfdi:CfdiRelacionados TipoRelacion="01"><cfdi:CfdiRelacionado UUID="{PPD_UUID}"/></cfdi:CfdiRelacionados>
  <cfdi:Emisor Rfc="EKU9003173C9" Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="601"/>
  <cfdi:Receptor Rfc="XEXX010101000" Nombre="FOREIGN BUYER" ResidenciaFiscal="USA" UsoCFDI="G02"
    DomicilioFiscalReceptor="01000" RegimenFiscalReceptor="616"/>
  <cfdi:Complemento><tfd:TimbreFiscalDigital Version="1.1" UUID="11111111-2222-3333-4444-555555555555"/>{extra}</cfdi:Complemento>
</cfdi:Comprobante>""".encode()


def test_egreso_is_a_credit_note_for_the_related_uuid() -> None:
    (doc,) = parse_einvoice_bytes(_cfdi("E"), "nc.xml").documents
    assert (doc.kind, doc.number, doc.corrects) == ("credit_note", "NC-7", PPD_UUID)
    assert doc.total == Decimal("116")
    assert doc.buyer.country == "US"  # ResidenciaFiscal USA
    assert doc.buyer.tax_id == "XEXX010101000"


def test_traslado_is_refused() -> None:
    (problem,) = parse_einvoice_bytes(_cfdi("T"), "t.xml").problems
    assert problem.code == "not_an_invoice"
    assert problem.column == "/cfdi:Comprobante/@TipoDeComprobante"
