"""Entry point: read one file, pick the parser by root element and namespace, return records and problems.

Nothing here raises for bad input: an unreadable, unsafe, unknown or refused file becomes a `Problem` (with a
stable `code`) so that a batch import of many files can report them all at once.
"""

from __future__ import annotations

from pathlib import Path

from cobro.cashapp.einvoice.base import EInvoiceParseError, EInvoiceParser, localname, namespace, parse_xml
from cobro.cashapp.einvoice.cfdi import CfdiParser
from cobro.cashapp.einvoice.chile import ChileDteParser
from cobro.cashapp.einvoice.facturae import FacturaeParser
from cobro.cashapp.einvoice.records import ParsedEInvoices
from cobro.cashapp.einvoice.ubl import UblParser
from cobro.kernel.errors import Problem

PARSERS: tuple[EInvoiceParser, ...] = (FacturaeParser(), UblParser(), CfdiParser(), ChileDteParser())

# Roots we recognise but that are not invoices; named so the user learns what the file is.
_NOT_INVOICES = {
    ("Signature", "http://www.w3.org/2000/09/xmldsig#"): "a detached XML signature",
    ("AEC", "http://www.sii.cl/SiiDte"): "a Chilean AEC (assignment of an invoice to a factor), not an invoice",
    ("DocumentoAEC", "http://www.sii.cl/SiiDte"): "a Chilean AEC fragment, not an invoice",
    ("AttachedDocument", "urn:oasis:names:specification:ubl:schema:xsd:AttachedDocument-2"):
        "a UBL AttachedDocument envelope (Colombia DIAN); extract the Invoice it carries",
}


def parse_einvoice(path: Path) -> ParsedEInvoices:
    """Parse one e-invoice file (Facturae, UBL/Peppol/SUNAT/DIAN, CFDI, Chile DTE) into neutral records."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _failed(Problem(f"cannot read the file: {exc.strerror or exc}", file=path.name, code="unreadable"))
    return parse_einvoice_bytes(data, path.name)


def parse_einvoice_bytes(data: bytes, filename: str) -> ParsedEInvoices:
    """Same as `parse_einvoice` for an upload held in memory; `filename` is used in messages and `source`."""
    try:
        tree = parse_xml(data, filename)
        root = tree.getroot()
        key = (localname(root), namespace(root))
        for parser in PARSERS:
            if parser.identify(*key):
                return ParsedEInvoices(documents=tuple(parser.parse(tree, filename)))
        what = _NOT_INVOICES.get(key)
        if what:
            raise EInvoiceParseError(filename, f"/{key[0]}", f"not an invoice: this is {what}", code="not_an_invoice")
        ns = f" in namespace {key[1]!r}" if key[1] else " without namespace"
        raise EInvoiceParseError(filename, f"/{key[0]}",
                                 f"unknown e-invoice format: root element {key[0]!r}{ns}", code="unknown_format")
    except EInvoiceParseError as exc:
        return _failed(Problem(exc.detail, file=filename, column=exc.xpath, code=exc.code))


def _failed(problem: Problem) -> ParsedEInvoices:
    return ParsedEInvoices(documents=(), problems=(problem,))
