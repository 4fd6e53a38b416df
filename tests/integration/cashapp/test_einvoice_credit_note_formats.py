"""Credit notes of Mexico (CFDI egreso, related by UUID) and Chile (DTE 61, Referencia FolioRef) applied to the
invoice they name, fully or in part, on SQLite and PostgreSQL.  The documents are written here, in each format's
shape (only the elements the import reads)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.db.engine import normalize_url
from tests.unit.cashapp.einvoice.test_facturae import INSTALMENTS, _facturae, _invoice

runner = CliRunner()
UUID_I = "6F1C2A3B-0000-4000-8000-000000000170"
UUID_E = "6F1C2A3B-0000-4000-8000-000000000171"


def cobro_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert isinstance(data, dict)
    return data


def state(db_url: str) -> dict[str, tuple[int, str]]:
    engine = create_engine(normalize_url(db_url))
    with engine.connect() as conn:
        found = {str(n): (int(o), str(s)) for n, o, s in conn.execute(text(
            "SELECT number, open_minor, status FROM invoices"))}
    engine.dispose()
    return found


def cfdi(tipo: str, folio: str, total: str, uuid: str, related: str = "") -> bytes:
    relation = (f'<cfdi:CfdiRelacionados TipoRelacion="01"><cfdi:CfdiRelacionado UUID="{related}"/>'
                "</cfdi:CfdiRelacionados>" if related else "")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" xmlns:tfd="http://www.sat.gob.mx/TimbreFiscalDigital"
  Version="4.0" Serie="A" Folio="{folio}" Fecha="2026-02-01T10:00:00" Moneda="MXN" Total="{total}" SubTotal="{total}"
  TipoDeComprobante="{tipo}" MetodoPago="PPD" FormaPago="99" Exportacion="01" LugarExpedicion="06600">
  {relation}
  <cfdi:Emisor Rfc="EKU9003173C9" Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="601"/>
  <cfdi:Receptor Rfc="DBA970101AB1" Nombre="DISTRIBUIDORA DEL BAJIO" DomicilioFiscalReceptor="37000"
    RegimenFiscalReceptor="601" UsoCFDI="G02"/>
  <cfdi:Complemento><tfd:TimbreFiscalDigital Version="1.1" UUID="{uuid}"/></cfdi:Complemento>
</cfdi:Comprobante>""".encode()


def dte(tipo: str, folio: str, total: str, reference: str = "") -> bytes:
    ref = (f"<Referencia><NroLinRef>1</NroLinRef><TpoDocRef>33</TpoDocRef><FolioRef>{reference}</FolioRef>"
           "<FchRef>2026-02-01</FchRef><CodRef>1</CodRef></Referencia>" if reference else "")
    return f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<DTE xmlns="http://www.sii.cl/SiiDte" version="1.0"><Documento ID="D{tipo}-{folio}">
 <Encabezado>
  <IdDoc><TipoDTE>{tipo}</TipoDTE><Folio>{folio}</Folio><FchEmis>2026-02-10</FchEmis><FmaPago>2</FmaPago>
   <FchVenc>2026-03-12</FchVenc></IdDoc>
  <Emisor><RUTEmisor>76354771-K</RUTEmisor><RznSoc>Ferreteria Andes SpA</RznSoc></Emisor>
  <Receptor><RUTRecep>96790240-3</RUTRecep><RznSocRecep>Constructora Sur Ltda</RznSocRecep></Receptor>
  <Totales><MntNeto>{total}</MntNeto><MntTotal>{total}</MntTotal></Totales>
 </Encabezado>
 {ref}
</Documento></DTE>""".encode("iso-8859-1")


def test_a_cfdi_egreso_reduces_the_invoice_it_relates_by_uuid(db_url: str, cli_env: dict[str, str],
                                                               tmp_path: Path) -> None:
    (tmp_path / "i.xml").write_bytes(cfdi("I", "170", "11600.00", UUID_I))
    (tmp_path / "e.xml").write_bytes(cfdi("E", "900", "1600.00", UUID_E, related=UUID_I))
    report = cobro_json("import", "einvoice", str(tmp_path / "i.xml"), str(tmp_path / "e.xml"))
    assert report["errors"] == [] and report["details"]["credit_notes_applied"] == 1  # type: ignore[index]
    assert state(db_url) == {"A-170": (1_000_000, "open"), "A-900": (0, "paid")}  # reduced by 1,600.00
    summary = cobro_json("ledger", "summary")
    assert summary["open_amount"] == {"MXN": "10000.00"} and summary["unapplied_credit"] == {}


def test_a_chilean_nota_de_credito_closes_the_factura_it_references(db_url: str, cli_env: dict[str, str],
                                                                     tmp_path: Path) -> None:
    (tmp_path / "f.xml").write_bytes(dte("33", "170", "119000"))
    cobro_json("import", "einvoice", str(tmp_path / "f.xml"))
    (tmp_path / "nc.xml").write_bytes(dte("61", "12", "150000", reference="170"))  # more than the factura
    report = cobro_json("import", "einvoice", str(tmp_path / "nc.xml"))
    assert any("119000 applied to 170, all it had open; 31000 CLP stays as credit" in str(w["message"])
               for w in report["warnings"])  # type: ignore[union-attr]
    assert state(db_url) == {"170": (0, "paid"), "12": (31000, "open")}
    assert cobro_json("ledger", "summary")["unapplied_credit"] == {"CLP": "31000"}


def test_a_facturae_rectificativa_reduces_the_invoice_it_corrects(db_url: str, cli_env: dict[str, str],
                                                                   tmp_path: Path) -> None:
    """A-1 is owed in two instalments of 400; the rectificativa R-1 (-500) corrects it: the first instalment is
    settled and the second reduced to 300, from the rectificativa's date."""
    corrective = ("<Corrective><InvoiceNumber>1</InvoiceNumber><InvoiceSeriesCode>A</InvoiceSeriesCode>"
                  "<ReasonCode>01</ReasonCode></Corrective>")
    (tmp_path / "fa.xml").write_bytes(_facturae(_invoice("1", "1000.00", "800.00", payment=INSTALMENTS), count=1,
                                                executable="800.00"))
    (tmp_path / "rect.xml").write_bytes(_facturae(
        _invoice("1", "-500.00", "-500.00", extra_header=corrective, klass="OR").replace(
            "<InvoiceSeriesCode>A</InvoiceSeriesCode>\n    <InvoiceDocumentType>",
            "<InvoiceSeriesCode>R</InvoiceSeriesCode>\n    <InvoiceDocumentType>"), count=1, executable="-500.00"))
    cobro_json("import", "einvoice", str(tmp_path / "fa.xml"))
    report = cobro_json("import", "einvoice", str(tmp_path / "rect.xml"))
    assert report["details"] == {"credit_notes": 1, "credit_notes_applied": 1}, report
    assert state(db_url) == {"A-1": (30000, "open"), "R-1": (0, "paid")}
    engine = create_engine(normalize_url(db_url))
    with engine.connect() as conn:
        left = [tuple(r) for r in conn.execute(text(
            "SELECT s.seq, s.open_minor FROM instalments s JOIN invoices i ON i.id = s.invoice_id"
            " WHERE i.number = 'A-1' ORDER BY s.seq"))]
    engine.dispose()
    assert left == [(1, 0), (2, 30000)]
