"""Chile SII DTE (ISO-8859-1, with and without the SiiDte namespace, EnvioDTE envelopes)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cobro.cashapp.einvoice import parse_einvoice_bytes

from ._fixtures import only_document, parse_fixture

F170 = ["DTE--76354771-K--33--170.xml", "DTE--76354771-K--33--170--cleaned.xml",
        "DTE--76354771-K--33--170--cleaned-signed_data.xml", "DTE--76354771-K--33--170--cleaned-mod-bad-cert.xml",
        "DTE--76354771-K--33--170--cleaned-mod-removed-signature.xml"]


@pytest.mark.parametrize("name", F170)
def test_factura_170(name: str) -> None:
    doc = only_document(f"cl-sii/sii-dte/{name}")
    assert (doc.format, doc.kind, doc.number) == ("cl-dte", "invoice", "170")
    assert doc.issue_date == date(2019, 4, 1)
    assert doc.currency == "CLP"
    assert doc.total == doc.payable == Decimal("2996301")
    assert (doc.seller.tax_id, doc.seller.name, doc.seller.country) == ("76354771-K", "INGENIERIA ENACON SPA", "CL")
    assert doc.seller.email == "ENACONLTDA@GMAIL.COM"
    assert (doc.buyer.tax_id, doc.buyer.name) == ("96790240-3", "MINERA LOS PELAMBRES")
    # FmaPago 2 (crédito) without FchVenc: issue + 30, flagged.
    assert doc.instalments[0].due_date == date(2019, 5, 1)
    assert doc.paid_at_issue is False


def test_changed_amount_is_read_as_written() -> None:
    # Signature verification (which would reject this tampered file) is not the parser's job.
    assert only_document("cl-sii/sii-dte/DTE--76354771-K--33--170--cleaned-mod-changed-monto.xml").total == Decimal(
        "2995230")


def test_contado_with_fchcancel_is_paid_at_issue() -> None:
    doc = only_document("cl-sii/sii-dte/DTE--60910000-1--33--2336600.xml")
    assert (doc.number, doc.total, doc.paid_at_issue) == ("2336600", Decimal("10642"), True)
    assert doc.instalments[0].due_date == date(2019, 8, 8)
    assert doc.buyer.tax_id == "76555835-2"
    assert doc.seller.name == "Universidad de Chile"


def test_factura_25568() -> None:
    doc = only_document("cl-sii/sii-dte/DTE--76399752-9--33--25568.xml")
    assert (doc.number, doc.issue_date, doc.total) == ("25568", date(2019, 3, 29), Decimal("230992"))
    assert (doc.seller.tax_id, doc.buyer.tax_id) == ("76399752-9", "96874030-K")


@pytest.mark.parametrize("name", ["DTE--96670340-7--61--110616.xml", "DTE--96670340-7--61--110616--cleaned.xml"])
def test_nota_de_credito(name: str) -> None:
    doc = only_document(f"cl-sii/sii-dte/{name}")
    assert (doc.kind, doc.number, doc.corrects) == ("credit_note", "110616", "115885")
    assert doc.issue_date == date(2019, 8, 2)
    assert doc.total == doc.payable == Decimal("57347078")
    assert doc.seller.name == "Bata Chile S.A."
    assert doc.instalments[0].due_date == date(2019, 9, 1)  # FchVenc


@pytest.mark.parametrize("name", ["sii-rtc/AEC--76354771-K--33--170--SEQ-2.xml",
                                  "sii-rtc/AEC--76399752-9--33--25568--SEQ-1.xml",
                                  "sii-dte/DTE--76354771-K--33--170--cleaned-signature_xml.xml"])
def test_aec_and_signatures_are_refused(name: str) -> None:
    result = parse_fixture(f"cl-sii/{name}")
    assert result.documents == ()
    assert result.problems[0].code == "not_an_invoice"


def test_envio_dte_with_several_documents() -> None:
    def dte(folio: str, tipo: str = "33", extra: str = "") -> str:
        return f"""<DTE version="1.0"><Documento ID="F{folio}"><Encabezado>
          <IdDoc><TipoDTE>{tipo}</TipoDTE><Folio>{folio}</Folio><FchEmis>2024-01-05</FchEmis><FmaPago>2</FmaPago>
            {extra}</IdDoc>
          <Emisor><RUTEmisor>76354771-K</RUTEmisor><RznSoc>Señor Ñandú SpA</RznSoc></Emisor>
          <Receptor><RUTRecep>96790240-3</RUTRecep><RznSocRecep>Cliente</RznSocRecep></Receptor>
          <Totales><MntNeto>100000</MntNeto><IVA>19000</IVA><MntTotal>119000</MntTotal></Totales>
        </Encabezado></Documento></DTE>"""

    cuotas = ("<MntPagos><FchPago>2024-02-05</FchPago><MntPago>59500</MntPago></MntPagos>"
              "<MntPagos><FchPago>2024-03-05</FchPago><MntPago>59500</MntPago></MntPagos>")
    xml = (f'<?xml version="1.0" encoding="ISO-8859-1"?><EnvioDTE xmlns="http://www.sii.cl/SiiDte" version="1.0">'
           f'<SetDTE ID="S">{dte("1", extra=cuotas)}{dte("2", extra="<FchVenc>2024-02-04</FchVenc>")}</SetDTE>'
           f"</EnvioDTE>").encode("iso-8859-1")
    result = parse_einvoice_bytes(xml, "envio.xml")
    assert not result.problems
    first, second = result.documents
    assert first.seller.name == "Señor Ñandú SpA"  # decoded from ISO-8859-1
    assert [(i.due_date, i.amount) for i in first.instalments] == [
        (date(2024, 2, 5), Decimal("59500")), (date(2024, 3, 5), Decimal("59500"))]
    assert (second.number, second.source) == ("2", "envio.xml#2")
    assert second.instalments[0].due_date == date(2024, 2, 4)
    assert second.warnings == ()


def test_guia_de_despacho_is_refused() -> None:
    xml = b"""<DTE version="1.0"><Documento><Encabezado><IdDoc><TipoDTE>52</TipoDTE><Folio>9</Folio>
      <FchEmis>2024-01-05</FchEmis></IdDoc></Encabezado></Documento></DTE>"""
    (problem,) = parse_einvoice_bytes(xml, "guia.xml").problems
    assert problem.code == "not_an_invoice"
    assert "guía de despacho" in problem.message
    assert problem.column == "/DTE/Documento/Encabezado/IdDoc/TipoDTE"
