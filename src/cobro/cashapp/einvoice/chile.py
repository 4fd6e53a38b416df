"""Chile SII DTE (Documento Tributario Electrónico): facturas 33/34, nota de débito 56, nota de crédito 61.

Files come as a single `DTE`, a `EnvioDTE/SetDTE` envelope holding several, or a bare `Documento` (signed
fragment).  Real files exist both with the `http://www.sii.cl/SiiDte` namespace and without any, so the
namespace is taken from the root.  Encoding is ISO-8859-1, declared in the prolog (lxml decodes it from bytes).
Amounts are whole pesos (CLP has no minor unit).
"""

from __future__ import annotations

from cobro.cashapp.einvoice.base import (
    EInvoiceParseError,
    Element,
    Reader,
    Tree,
    check_instalments,
    default_instalments,
    localname,
    namespace,
)
from cobro.cashapp.einvoice.records import DocumentInstalment, DocumentKind, EInvoiceDocument, Party

SII_NS = "http://www.sii.cl/SiiDte"
_KINDS: dict[str, DocumentKind] = {"33": "invoice", "34": "invoice", "46": "invoice", "56": "invoice", "61": "credit_note"}
_NAMES = {"33": "factura electrónica", "34": "factura exenta", "46": "factura de compra", "52": "guía de despacho",
          "56": "nota de débito", "61": "nota de crédito", "39": "boleta", "41": "boleta exenta"}


class ChileDteParser:
    name = "cl-dte"

    def identify(self, root_localname: str, namespace: str) -> bool:
        if namespace == SII_NS:
            return root_localname in ("DTE", "EnvioDTE", "Documento")
        return namespace == "" and root_localname in ("DTE", "EnvioDTE")

    def parse(self, tree: Tree, filename: str) -> list[EInvoiceDocument]:
        root = tree.getroot()
        r = Reader(filename, default_ns=namespace(root))
        name = localname(root)
        if name == "Documento":
            documentos = [root]
        elif name == "DTE":
            documentos = r.findall(root, "Documento")
        else:
            documentos = r.findall(root, "SetDTE/DTE/Documento")
        if not documentos:
            raise r.error(root, "Documento", "no Documento inside")
        return [_documento(r, doc, index) for index, doc in enumerate(documentos, start=1)]


def _documento(r: Reader, doc: Element, index: int) -> EInvoiceDocument:
    warnings: list[str] = []
    head = r.find(doc, "Encabezado")
    if head is None:
        raise r.error(doc, "Encabezado", "missing")
    tipo = r.req_text(head, "IdDoc/TipoDTE")
    if tipo not in _KINDS:
        raise EInvoiceParseError(r.filename, r.where(head, "IdDoc/TipoDTE"),
                                 f"not a receivable document: TipoDTE {tipo} ({_NAMES.get(tipo, 'unknown type')})",
                                 code="not_an_invoice")
    kind = _KINDS[tipo]
    if tipo == "56":
        warnings.append("nota de débito (56): raises the amount due on the referenced document")
    issue = r.date(head, "IdDoc/FchEmis")
    total = r.amount(head, "Totales/MntTotal")
    # VlrPagar = amount to pay when earlier balances (SaldoAnterior) or advances change it.
    payable = r.opt_amount(head, "Totales/VlrPagar")
    if payable is None:
        payable = total
    forma = r.text(head, "IdDoc/FmaPago")
    paid_at_issue = forma == "1" and bool(r.text(head, "IdDoc/FchCancel"))
    if forma == "3":
        warnings.append("FmaPago 3 (sin costo): nothing is charged")

    rows = r.findall(head, "IdDoc/MntPagos")
    instalments: tuple[DocumentInstalment, ...]
    if rows:
        instalments = tuple(DocumentInstalment(r.date(p, "FchPago"), r.amount(p, "MntPago")) for p in rows)
        check_instalments(instalments, payable, warnings)
    else:
        due = r.opt_date(head, "IdDoc/FchVenc")
        if forma == "1" and due is None:
            due = issue  # contado: due at issue
        if kind == "credit_note" and due is None:
            instalments = ()
        else:
            instalments = default_instalments(issue, due, payable, warnings)

    corrects = ""
    if tipo in ("56", "61"):
        refs = [ref for ref in r.findall(doc, "Referencia") if r.text(ref, "TpoDocRef") in _KINDS]
        if refs:
            corrects = r.text(refs[0], "FolioRef")
        else:
            warnings.append("no Referencia to a DTE: the corrected document is unknown")
    return EInvoiceDocument(
        format="cl-dte",
        kind=kind,
        number=r.req_text(head, "IdDoc/Folio"),
        issue_date=issue,
        currency=r.text(head, "Totales/TpoMoneda") or "CLP",
        seller=_party(r, head, "Emisor", ("RUTEmisor", "RznSoc", "CorreoEmisor", "DirOrigen", "CmnaOrigen",
                                           "CiudadOrigen")),
        buyer=_party(r, head, "Receptor", ("RUTRecep", "RznSocRecep", "CorreoRecep", "DirRecep", "CmnaRecep",
                                            "CiudadRecep")),
        total=total,
        payable=payable,
        instalments=instalments,
        corrects=corrects,
        payment_means=r.text(head, "IdDoc/MedioPago"),
        paid_at_issue=paid_at_issue,
        source=f"{r.filename}#{index}",
        warnings=tuple(warnings),
    )


def _party(r: Reader, head: Element, tag: str, fields: tuple[str, str, str, str, str, str]) -> Party:
    el = r.find(head, tag)
    if el is None:
        raise r.error(head, tag, "party is missing")
    rut, name, email, *address = fields
    return Party(
        name=r.text(el, name),
        tax_id=r.req_text(el, rut),  # RUT as written, with hyphen and check digit ("76354771-K")
        country="CL",
        email=r.text(el, email),
        address=", ".join(v for v in (r.text(el, a) for a in address) if v),
    )

