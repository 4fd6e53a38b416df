"""The one table of import fields and the column headers ERP exports give them, and how a file's headers are matched.

Spanish and Latin American ERPs (A3, Sage/ContaPlus, Holded, Odoo, Contasol, Factusol, SAP Business One, Siigo,
Alegra, Contpaqi ...) and English ones name the same columns many ways.  Each field lists its synonyms in tiers: the
field's own name first, then tier 1 (specific: "Nº factura"), tier 2 (generic: "Número").  A header matches a
synonym after `normalise_header` (accents, case, punctuation, "Nº"/"Num."/"Número" and "de"/"of" folded), so
"Nº Factura", "N.º factura", "Num. factura" and "Número de factura" are the same header.

Matching takes, per field, the best tier present; two columns at that tier are an ambiguity (an error naming both),
a lower-tier column left over is reported as not imported.  `docs/ledger.md` shows this table; a test regenerates
it from `markdown_table()` so the page cannot drift.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

KINDS = ("customers", "contacts", "invoices", "payments")

_TAX_ID = (("NIF", "CIF", "NIF/CIF", "CIF/NIF", "DNI/NIF", "NIF-IVA", "RFC", "RUT", "NIT", "RUC", "CUIT", "Tax ID",
            "VAT number", "VAT ID", "Tax number", "LicTradNum"),
           ("Identificación fiscal", "Número de identificación", "Identificación", "VAT"))
_TERMS = (("Forma de pago", "Formas de pago", "Condiciones de pago", "Condición de pago", "Plazo de pago",
           "Plazos de pago", "Términos de pago", "Payment terms", "Terms of payment", "PymntGroup"),
          ("Condiciones", "Plazo", "Terms"))
_COUNTRY = (("País", "Código país", "Country", "Country code"),)
_LANGUAGE = (("Idioma", "Lengua", "Language", "Lang"),)
_CURRENCY = (("Moneda", "Divisa", "Currency", "Cód. moneda", "DocCur"),)
_CUSTOMER_REF = (("Cód. cliente", "Código cliente", "Nº cliente", "Cuenta cliente", "Customer code", "Customer ID",
                  "CustomerID", "Customer number", "CardCode", "Account number"),
                 ("Cliente", "Customer", "Código", "Cuenta", "Account"))

# kind -> field -> synonym tiers (the field's own name is tier 0 and not listed)
SYNONYMS: dict[str, dict[str, tuple[tuple[str, ...], ...]]] = {
    "customers": {
        "code": (("Código", "Cód. cliente", "Código cliente", "Nº cliente", "Cuenta cliente", "Customer code",
                  "Customer ID", "CustomerID", "Customer number", "Account number", "CardCode",
                  "Subcuenta"),
                 ("Cliente", "Cuenta", "Customer", "Account", "ID")),
        "legal_name": (("Razón social", "Nombre fiscal", "Denominación social", "Nombre o razón social",
                        "Nombre/Razón social", "Legal name", "Company name", "Customer name", "CardName"),
                       ("Nombre", "Nombre cliente", "Denominación", "Empresa", "Company", "Name")),
        "country": _COUNTRY,
        "tax_id": _TAX_ID,
        "segment": (("Segmento", "Sector", "Actividad", "Tipo de cliente", "Grupo de clientes", "Segment",
                     "Industry", "Customer group"),
                    ("Grupo", "Categoría", "Category")),
        "account_owner": (("Comercial", "Vendedor", "Agente", "Agente comercial", "Representante", "Sales rep",
                           "Salesperson", "Account owner", "Account manager"),
                          ("Owner",)),
        "collector": (("Gestor de cobro", "Gestor de cobros", "Cobrador", "Responsable de cobro", "Collector"),
                      ("Gestor",)),
        "credit_limit": (("Límite de crédito", "Riesgo concedido", "Riesgo máximo",
                          "Límite de riesgo", "Credit limit"),
                         ("Riesgo", "Límite", "Crédito")),
        "credit_limit_currency": (("Moneda límite", "Divisa límite", "Credit limit currency"),
                                  ("Moneda", "Divisa", "Currency")),
        "language": _LANGUAGE,
        "terms": _TERMS,
        "address": (("Dirección", "Domicilio", "Dirección fiscal", "Domicilio fiscal", "Address", "Street",
                     "Address line 1", "Billing address"),
                    ("Calle",)),
        "postal_code": (("CP", "Código postal", "Postal code", "ZIP", "ZIP code", "Postcode"),),
        "city": (("Población", "Localidad", "Ciudad", "Municipio", "City", "Town"),),
        "region": (("Provincia", "Estado", "Departamento", "Región", "State", "Province", "County"),),
    },
    "contacts": {
        "customer_code": _CUSTOMER_REF,
        "name": (("Nombre", "Nombre contacto", "Contacto", "Persona de contacto",
                  "Nombre y apellidos", "Contact name", "Contact", "Full name"),
                 ("Name",)),
        # a job title ("Cargo", "Puesto") is free text, not one of cobro's roles: it stays out
        "role": (("Rol", "Tipo de contacto", "Role", "Contact role"),),
        "email": (("Email", "E-mail", "Correo", "Correo electrónico", "Mail", "Email address"),),
        "phone": (("Teléfono", "Tel.", "Tfno.", "Móvil", "Celular", "Phone", "Telephone", "Mobile"),),
        "preferred_channel": (("Canal preferido", "Preferred channel"), ("Canal", "Channel")),
        "language": _LANGUAGE,
    },
    "invoices": {
        "invoice_number": (("Nº factura", "Factura", "Nº documento", "Invoice number", "Invoice",
                            "Folio", "DocNum", "Comprobante"),
                           ("Número", "Documento", "Document")),
        "customer_code": _CUSTOMER_REF,
        "customer_name": (("Razón social", "Nombre cliente", "Customer name", "CardName", "Nombre"),
                          ("Cliente", "Customer")),
        "issue_date": (("Fecha factura", "Fecha emisión", "Fecha expedición", "Fecha documento", "Invoice date",
                        "Issue date", "Document date", "DocDate"),
                       ("Fecha", "Date")),
        "due_date": (("Vencimiento", "Fecha vencimiento", "Fecha vto.", "Vto.", "F. vencimiento", "Due date",
                      "Payment due", "DocDueDate"),
                     ("Due",)),
        "amount": (("Total", "Total factura", "Importe total", "Total documento", "Invoice amount", "Total amount",
                    "Gross amount", "DocTotal"),
                   ("Importe", "Monto", "Valor", "Amount"),
                   ("Pendiente", "Importe pendiente", "Saldo", "Saldo pendiente", "Open amount", "Balance",
                    "Outstanding")),
        "currency": _CURRENCY,
        "kind": (("Tipo de documento", "Clase de documento", "Document type", "Type", "Kind"),
                 ("Tipo", "Clase")),
        "disputed": (("En disputa", "Disputa", "Disputada", "Reclamada", "Disputed", "In dispute"),),
        "corrects": (("Factura rectificada", "Rectifica", "Factura original", "Corrige", "Original invoice",
                      "Credited invoice", "Corrects"),),
        "channel": (("Canal", "Channel"),),
        "terms": _TERMS,
        "settled_date": (("Fecha cobro", "Fecha pago", "Cobrada el", "Paid date", "Settled date", "Date paid"),),
        "instalment": (("Nº vencimiento", "Nº plazo", "Instalment", "Installment", "Installment number"),),
        "segment": (("Segmento", "Segment"),),
        "country": _COUNTRY,
        "tax_id": _TAX_ID,
    },
    "payments": {
        "reference": (("Referencia", "Ref.", "Nº cobro", "Nº recibo", "Justificante", "Payment reference",
                       "Payment ID", "Transaction ID", "Reference"),
                      ("Número", "Documento")),
        "customer_code": _CUSTOMER_REF,
        "date": (("Fecha cobro", "Fecha pago", "Fecha valor", "Payment date", "Value date"), ("Fecha", "Date")),
        "amount": (("Importe cobrado", "Cobrado", "Amount paid", "Paid amount"),
                   ("Importe", "Monto", "Total", "Amount", "Paid")),
        "currency": _CURRENCY,
        "invoice_number": (("Nº factura", "Factura", "Facturas", "Invoice number", "Invoice", "Invoices",
                            "Aplicado a", "Applied to"),),
        "method": (("Forma de cobro", "Medio de pago", "Método de pago", "Forma de pago", "Payment method",
                    "Method"),),
    },
}
FIELDS: dict[str, tuple[str, ...]] = {kind: tuple(fields) for kind, fields in SYNONYMS.items()}
REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("code", "legal_name"),
    "contacts": ("customer_code", "name"),
    "invoices": ("invoice_number", "customer_code", "issue_date", "amount", "currency"),
    "payments": ("reference", "customer_code", "date", "amount", "currency"),
}
# what a column that is not imported may be for, said in its warning
HINTS: dict[str, dict[str, str]] = {
    "customers": {"email": "e-mail and phone belong to contacts: cobro import contacts",
                  "phone": "e-mail and phone belong to contacts: cobro import contacts"},
}

_DROP = re.compile(r"[.'’`ºª°]")
_SPLIT = re.compile(r"[^a-z0-9]+")
_STOP = {"de", "del", "la", "el", "los", "las", "of", "the"}
_NUMBER = {"n", "no", "nr", "nro", "num", "numero", "number", "nbr"}
_CODE = {"cod", "codigo", "code"}


def normalise_header(header: str) -> str:
    """The comparable form of a header: ASCII, lower case, words joined by `_`, "Nº"/"Num."/"Número" → `num`,
    "Cód."/"Código"/"code" → `cod`, "de"/"of" dropped: "N.º de factura" → `num_factura`."""
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower()
    words = [w for w in _SPLIT.split(_DROP.sub("", text)) if w and w not in _STOP]
    return "_".join("num" if w in _NUMBER else "cod" if w in _CODE else w for w in words)


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """How a file's headers feed the fields of one kind: field → column index, with the reason for each."""

    columns: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    ambiguous: list[tuple[str, str, str]] = field(default_factory=list)  # (field, header, other header)
    missing_mapped: list[tuple[str, str]] = field(default_factory=list)  # (field, mapped header absent)
    unused: dict[int, str] = field(default_factory=dict)  # column index → why it is not imported


def _tiers(kind: str, fld: str) -> tuple[tuple[str, ...], ...]:
    return ((fld,), *SYNONYMS[kind][fld])


def match_headers(kind: str, headers: list[str], mapped: Mapping[str, str] | None = None,
                  mapping_name: str = "the mapping") -> HeaderMatch:
    """Match `headers` to the fields of `kind`: mapped columns first, then the best synonym tier per field."""
    result = HeaderMatch()
    mapped = mapped or {}
    exact = {h.strip(): i for i, h in enumerate(headers)}
    norms = [normalise_header(h) for h in headers]
    taken: dict[int, str] = {}
    for fld, col in mapped.items():
        idx = exact.get(col.strip())
        if idx is None and normalise_header(col) in norms:
            idx = norms.index(normalise_header(col))
        if idx is None:
            result.missing_mapped.append((fld, col))
            continue
        result.columns[fld], taken[idx] = idx, fld
        result.reasons[fld] = f"mapped to {headers[idx]!r} in {mapping_name}"
    for fld in FIELDS[kind]:
        if fld in mapped:
            continue
        for tier, words in enumerate(_tiers(kind, fld)):
            wanted: dict[str, str] = {}
            for word in words:
                wanted.setdefault(normalise_header(word), word)
            hits = [i for i, n in enumerate(norms) if n in wanted and i not in taken]
            if not hits:
                continue
            if len(hits) > 1:
                result.ambiguous.append((fld, headers[hits[0]], headers[hits[1]]))
            idx = hits[0]
            result.columns[fld], taken[idx] = idx, fld
            written = wanted[norms[idx]]
            result.reasons[fld] = ("the header is the field's name" if tier == 0 else
                                   f"tier-{tier} synonym of {fld}" + (f" ({written!r})" if written != headers[idx]
                                                                      else ""))
            break
    for i, header in enumerate(headers):
        if i in taken or not header.strip():
            continue
        result.unused[i] = _why_unused(kind, norms[i], result)
    return result


def _why_unused(kind: str, norm: str, match: HeaderMatch) -> str:
    for fld in FIELDS[kind]:
        if any(normalise_header(w) == norm for tier in _tiers(kind, fld) for w in tier) and fld in match.columns:
            return f"it also names {fld}, which is read from another column"
    for other, hint in HINTS.get(kind, {}).items():
        if norm == other or any(normalise_header(w) == norm for k in KINDS for f, tiers in SYNONYMS[k].items()
                                if f == other for tier in tiers for w in tier):
            return hint
    return "no cobro field has this name; map it in a mapping file (--suggest-mapping writes one) or drop it"


def markdown_table() -> str:
    """The docs table of every field of every kind with its synonyms (tiers separated by `;`)."""
    lines = ["| kind | field | required | recognised headers (best first; `;` separates tiers) |",
             "|---|---|---|---|"]
    for kind in KINDS:
        for fld in FIELDS[kind]:
            tiers = "; ".join(", ".join(tier) for tier in SYNONYMS[kind][fld])
            required = "yes" if fld in REQUIRED[kind] else ""
            lines.append(f"| {kind} | `{fld}` | {required} | {tiers} |")
    return "\n".join(lines) + "\n"
