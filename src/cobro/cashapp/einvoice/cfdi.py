"""Mexico CFDI 4.0 and 3.3, with the payment complement (Pagos 2.0 and 1.0).

Everything lives in attributes of `cfdi:Comprobante` and its children.  TipoDeComprobante I = invoice,
E = egreso (credit note), P = payment (REP); T (traslado) and N (nómina) carry no receivable and are refused.
MetodoPago PPD = paid later or in parts (a receivable with an open balance); PUE = paid in one go at issue.
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
    country_alpha2,
    default_instalments,
    namespace,
)
from cobro.cashapp.einvoice.records import (
    DocumentInstalment,
    DocumentKind,
    EInvoiceDocument,
    Party,
    PaymentApplied,
)

VERSIONS = {"http://www.sat.gob.mx/cfd/4": "4.0", "http://www.sat.gob.mx/cfd/3": "3.3"}
TFD_NS = "http://www.sat.gob.mx/TimbreFiscalDigital"
PAGOS_NS = {"http://www.sat.gob.mx/Pagos20": "2.0", "http://www.sat.gob.mx/Pagos": "1.0"}
_KINDS: dict[str, DocumentKind] = {"I": "invoice", "E": "credit_note", "P": "payment"}
# c_TipoRelacion: 01 nota de crédito, 03 devolución, 07 aplicación de anticipo → which invoice an egreso corrects.
_CREDIT_RELATIONS = {"01", "02", "03", "07"}


class CfdiParser:
    name = "cfdi"

    def identify(self, root_localname: str, namespace: str) -> bool:
        return root_localname == "Comprobante" and namespace in VERSIONS

    def parse(self, tree: Tree, filename: str) -> list[EInvoiceDocument]:
        root = tree.getroot()
        version = VERSIONS[namespace(root)]
        r = Reader(filename, {"cfdi": namespace(root), "tfd": TFD_NS})
        return [_comprobante(r, root, version)]


def _party(r: Reader, root: Element, tag: str) -> Party:
    el = r.find(root, f"cfdi:{tag}")
    if el is None:
        raise r.error(root, f"cfdi:{tag}", "party is missing")
    # The RFC is taken as written (some SAT samples carry a leading space; strip only that).
    rfc = r.req_text(el, "@Rfc")
    foreign = r.text(el, "@ResidenciaFiscal")
    address = r.text(el, "@DomicilioFiscalReceptor")
    return Party(
        name=r.text(el, "@Nombre"),
        tax_id=rfc,
        country=country_alpha2(foreign) if foreign else "MX",
        address=f"CP {address}" if address else "",
    )


def _comprobante(r: Reader, root: Element, version: str) -> EInvoiceDocument:
    warnings: list[str] = []
    tipo = r.req_text(root, "@TipoDeComprobante")
    if tipo not in _KINDS:
        raise EInvoiceParseError(
            r.filename, r.where(root, "@TipoDeComprobante"),
            f"not a receivable document: TipoDeComprobante {tipo!r} (T traslado / N nómina carry no debt)",
            code="not_an_invoice")
    kind = _KINDS[tipo]
    issue = r.date(root, "@Fecha")
    uuid = r.text(root, "cfdi:Complemento/tfd:TimbreFiscalDigital/@UUID")
    if not uuid:
        warnings.append("not stamped: no TimbreFiscalDigital, so no folio fiscal (UUID)")
    serie, folio = r.text(root, "@Serie"), r.text(root, "@Folio")
    number = f"{serie}-{folio}" if serie and folio else (folio or serie or uuid)
    if not number:
        warnings.append("no Serie/Folio and no UUID: the document has no number")
    total = r.amount(root, "@Total")
    currency = check_currency(r.req_text(root, "@Moneda"), warnings)
    metodo = r.text(root, "@MetodoPago")
    related = [
        r.text(rel, "@UUID")
        for group in r.findall(root, "cfdi:CfdiRelacionados")
        if r.text(group, "@TipoRelacion") in _CREDIT_RELATIONS
        for rel in r.findall(group, "cfdi:CfdiRelacionado")
    ]
    payments: tuple[PaymentApplied, ...] = ()
    paid_at_issue = False
    instalments: tuple[DocumentInstalment, ...] = ()
    payable = total
    pago_means = ""
    pagos = _pagos_elements(root)
    if kind == "payment":
        payments, total, currency, pago_means = _payments(r, pagos, total, currency, warnings)
        payable = Decimal(0)  # a payment creates no debt
    elif kind == "invoice":
        if pagos:
            warnings.append(f"a type {tipo} CFDI carries a Pagos complement: payments read anyway")
            payments = _payments(r, pagos, total, currency, warnings)[0]
        if metodo == "PUE":
            paid_at_issue = True
            instalments = (DocumentInstalment(issue, total),)
        else:
            if metodo != "PPD":
                warnings.append(f"MetodoPago is {metodo or 'missing'}: treated as PPD (paid later)")
            terms = r.text(root, "@CondicionesDePago")
            why = f"CondicionesDePago {terms!r}" if terms else "CFDI has no due date field"
            instalments = default_instalments(issue, None, total, warnings, why)
    if len(related) > 1:
        warnings.append(f"relates to several CFDIs: {', '.join(related)}")
    return EInvoiceDocument(
        format=f"cfdi-{version}",
        kind=kind,
        number=number,
        issue_date=issue,
        currency=currency,
        seller=_party(r, root, "Emisor"),
        buyer=_party(r, root, "Receptor"),
        total=total,
        payable=payable,
        instalments=instalments,
        corrects=related[0] if related and kind == "credit_note" else "",
        uuid=uuid,
        payment_means=r.text(root, "@FormaPago") or pago_means,
        paid_at_issue=paid_at_issue,
        payments=payments,
        source=f"{r.filename}#1",
        warnings=tuple(warnings),
    )


def _pagos_elements(root: Element) -> list[tuple[Element, str]]:
    """`Pagos` complements of either version, whatever prefix the file uses."""
    found: list[tuple[Element, str]] = []
    for ns, version in PAGOS_NS.items():
        found.extend((el, version) for el in root.iter(f"{{{ns}}}Pagos"))
    return found


def _payments(r: Reader, pagos: list[tuple[Element, str]], total: Decimal, currency: str,
              warnings: list[str]) -> tuple[tuple[PaymentApplied, ...], Decimal, str, str]:
    """DoctoRelacionado rows of every Pago, plus the payments' total, currency and first FormaDePagoP."""
    if not pagos:
        warnings.append("payment CFDI (type P) without a Pagos complement: no payment to apply")
        return (), total, currency, ""
    rows: list[PaymentApplied] = []
    summed = Decimal(0)
    currencies: set[str] = set()
    declared: Decimal | None = None
    means = ""
    for pagos_el, version in pagos:
        pr = Reader(r.filename, {"p": namespace(pagos_el)})
        declared = pr.opt_amount(pagos_el, "p:Totales/@MontoTotalPagos")  # Pagos 2.0, always in MXN
        for pago in pr.findall(pagos_el, "p:Pago"):
            paid_on: date = pr.date(pago, "@FechaPago")
            monto = pr.amount(pago, "@Monto")
            pago_currency = pr.req_text(pago, "@MonedaP")
            summed += monto
            currencies.add(pago_currency)
            means = means or pr.text(pago, "@FormaDePagoP")
            doctos = pr.findall(pago, "p:DoctoRelacionado")
            for docto in doctos:
                paid = pr.opt_amount(docto, "@ImpPagado")
                if paid is None:
                    # Pagos 1.0 lets ImpPagado be omitted when the payment covers a single document.
                    if len(doctos) != 1:
                        raise pr.error(docto, "@ImpPagado", "missing while the payment covers several documents")
                    paid = monto
                    warnings.append(f"Pagos {version}: ImpPagado missing, taken from Pago/@Monto {monto}")
                partiality = pr.text(docto, "@NumParcialidad")
                rows.append(PaymentApplied(
                    document_ref=pr.req_text(docto, "@IdDocumento"),
                    amount=paid,
                    date=paid_on,
                    currency=pr.text(docto, "@MonedaDR") or pago_currency,
                    partiality=int(partiality) if partiality.isdigit() else None,
                    balance_after=pr.opt_amount(docto, "@ImpSaldoInsoluto"),
                ))
    if len(currencies) != 1:
        warnings.append(f"payments in several currencies ({', '.join(sorted(currencies))}): total left as {total}")
        return tuple(rows), total, currency, means
    # The Comprobante of a REP says Total 0 / Moneda XXX; what was received is the sum of the Pago amounts.
    (only,) = currencies
    if declared is not None and only == "MXN" and declared != summed:
        warnings.append(f"Totales/@MontoTotalPagos {declared} differs from the sum of Pago/@Monto {summed}")
    return tuple(rows), summed, check_currency(only, warnings), means
