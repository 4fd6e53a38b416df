"""E-invoice parsers: Facturae, UBL 2.1 (Peppol BIS 3, Peru SUNAT, Colombia DIAN), Mexico CFDI, Chile DTE.

`parse_einvoice(path)` reads one file and returns neutral records (`EInvoiceDocument`) plus problems; nothing here
touches the database.  See docs/einvoices.md for the field mapping.
"""

from cobro.cashapp.einvoice.base import EInvoiceParseError, EInvoiceParser, parse_xml
from cobro.cashapp.einvoice.detect import PARSERS, parse_einvoice, parse_einvoice_bytes
from cobro.cashapp.einvoice.records import (
    DocumentInstalment,
    DocumentKind,
    EInvoiceDocument,
    ParsedEInvoices,
    Party,
    PaymentApplied,
)

__all__ = [
    "PARSERS",
    "DocumentInstalment",
    "DocumentKind",
    "EInvoiceDocument",
    "EInvoiceParseError",
    "EInvoiceParser",
    "ParsedEInvoices",
    "Party",
    "PaymentApplied",
    "parse_einvoice",
    "parse_einvoice_bytes",
    "parse_xml",
]
