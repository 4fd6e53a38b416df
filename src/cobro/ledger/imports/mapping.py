"""Column mappings: which column of a messy export feeds which cobro field, and how to read it.

A mapping is a small YAML file::

    kind: invoices                # customers | contacts | invoices | payments
    columns:                      # cobro field: column header in the file
      invoice_number: Factura
      customer_code: Cliente
      amount: Importe
    defaults:                     # value used when the column is absent or empty
      currency: EUR
    options:
      date_format: "%d/%m/%Y"     # strptime format; "auto" tries ISO, d/m/Y and Excel serials
      decimal: auto               # "," or "." or auto (inferred from the file)
      encoding: auto              # utf-8, utf-8-sig, cp1252, latin-1 or auto
      delimiter: auto             # "," ";" "\\t" "|" or auto
      create_customers: false     # invoices may create the customers they name
      tax_id_invalid: error       # error | warning
      sheet: ""                   # XLSX sheet name (default: the first)
    values:                       # per-field value translation (case-insensitive)
      disputed: {"Yes": true, "No": false}

Without a mapping, a column whose header equals the field name (or a known synonym) is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cobro.kernel.errors import InvalidInputError
from cobro.kernel.limits import DEFAULT_LIMITS, InputLimits
from cobro.platform.yamlsafe import YamlError, read_yaml_file

KINDS = ("customers", "contacts", "invoices", "payments")

FIELDS: dict[str, tuple[str, ...]] = {
    "customers": ("code", "legal_name", "country", "tax_id", "segment", "account_owner", "collector",
                  "credit_limit", "credit_limit_currency", "language", "terms"),
    "contacts": ("customer_code", "name", "role", "email", "phone", "preferred_channel", "language"),
    "invoices": ("invoice_number", "customer_code", "customer_name", "issue_date", "due_date", "amount",
                 "currency", "kind", "disputed", "corrects", "channel", "terms", "settled_date", "instalment",
                 "segment", "country", "tax_id"),
    "payments": ("reference", "customer_code", "date", "amount", "currency", "invoice_number", "method"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("code", "legal_name"),
    "contacts": ("customer_code", "name"),
    "invoices": ("invoice_number", "customer_code", "issue_date", "amount", "currency"),
    "payments": ("reference", "customer_code", "date", "amount", "currency"),
}
# Header synonyms seen in Spanish and English exports, matched case- and accent-insensitively.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "code": ("customer_code", "cliente", "codigo", "codigo_cliente", "customer", "customerid", "cod_cliente"),
    "customer_code": ("cliente", "codigo_cliente", "customer", "customerid", "cod_cliente", "code"),
    "legal_name": ("name", "razon_social", "nombre", "customer_name", "company"),
    "customer_name": ("razon_social", "nombre_cliente", "name"),
    "tax_id": ("nif", "cif", "vat", "rfc", "rut", "nit", "ruc", "tax_number"),
    "country": ("pais", "country_code"),
    "invoice_number": ("factura", "numero", "numero_factura", "invoice", "invoicenumber", "num_factura", "number"),
    "issue_date": ("fecha", "fecha_factura", "fecha_emision", "invoicedate", "date", "invoice_date"),
    "due_date": ("vencimiento", "fecha_vencimiento", "duedate"),
    "amount": ("importe", "total", "invoiceamount", "importe_total", "monto"),
    "currency": ("moneda", "divisa"),
    "settled_date": ("fecha_cobro", "fecha_pago", "settleddate", "paid_date"),
    "reference": ("referencia", "payment_reference", "ref"),
    "date": ("fecha", "fecha_pago", "payment_date"),
    "email": ("correo", "e-mail", "mail"),
    "phone": ("telefono", "movil", "tel"),
    "role": ("rol", "cargo"),
    "segment": ("segmento",),
    "credit_limit": ("limite_credito", "limite_de_credito", "limite", "riesgo_concedido"),
    "terms": ("condiciones", "condiciones_pago", "forma_pago", "payment_terms", "plazo"),
    "account_owner": ("comercial", "vendedor", "sales_rep", "owner"),
    "collector": ("gestor_cobro", "cobrador", "gestor"),
    "disputed": ("disputa", "en_disputa"),
}


@dataclass(frozen=True)
class Mapping:
    kind: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = ""

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)


def _norm(header: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().strip().lower()
    return text.replace(" ", "_").replace("-", "_").replace(".", "")


def load_mapping(path: Path | None, kind: str = "", limits: InputLimits = DEFAULT_LIMITS) -> Mapping:
    """Read and check a mapping file; an unknown field or option is an error naming the YAML path."""
    if path is None:
        return Mapping(kind=kind)
    try:
        raw = read_yaml_file(path, limits=limits) or {}  # bounded: size, depth, aliases; duplicate keys refused
    except FileNotFoundError as exc:
        raise InvalidInputError(f"{path}: mapping file not found") from exc
    except YamlError as exc:
        raise InvalidInputError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise InvalidInputError(f"{path}: a mapping must be a YAML object with 'columns', 'defaults', 'options'")
    file_kind = str(raw.get("kind") or kind)
    if file_kind and file_kind not in KINDS:
        raise InvalidInputError(f"{path}: kind: {file_kind!r} is not one of {', '.join(KINDS)}")
    known = set(FIELDS.get(file_kind, ())) or {f for fs in FIELDS.values() for f in fs}
    for section in ("columns", "defaults", "values"):
        value = raw.get(section) or {}
        if not isinstance(value, dict):
            raise InvalidInputError(f"{path}: {section}: must be an object")
        for key in value:
            if key not in known:
                raise InvalidInputError(f"{path}: {section}.{key}: unknown field; known: {', '.join(sorted(known))}")
    unknown_top = set(raw) - {"kind", "columns", "defaults", "options", "values", "description"}
    if unknown_top:
        raise InvalidInputError(f"{path}: unknown key(s) {', '.join(sorted(unknown_top))}")
    return Mapping(
        kind=file_kind,
        columns={k: str(v) for k, v in (raw.get("columns") or {}).items()},
        defaults=dict(raw.get("defaults") or {}),
        options=dict(raw.get("options") or {}),
        values={k: {str(a).strip().lower(): b for a, b in (v or {}).items()} for k, v in (raw.get("values") or {}).items()},
        source=str(path),
    )


def resolve_columns(mapping: Mapping, kind: str, headers: list[str]) -> dict[str, int]:
    """Field → column index.  Mapped columns must exist; unmapped fields are found by name or synonym."""
    positions = {h.strip(): i for i, h in enumerate(headers)}
    normalized = {_norm(h): i for i, h in enumerate(headers)}
    result: dict[str, int] = {}
    for fld in FIELDS[kind]:
        if fld in mapping.columns:
            col = mapping.columns[fld]
            if col in positions:
                result[fld] = positions[col]
            elif _norm(col) in normalized:
                result[fld] = normalized[_norm(col)]
            elif fld not in REQUIRED[kind]:
                # an optional mapped column may be absent: an open-items export has no settlement date
                continue
            else:
                raise InvalidInputError(
                    f"column {col!r} (mapped to {fld}) is not in the file; columns are: {', '.join(headers)}"
                )
            continue
        for candidate in (fld, *SYNONYMS.get(fld, ())):
            if _norm(candidate) in normalized and normalized[_norm(candidate)] not in result.values():
                result[fld] = normalized[_norm(candidate)]
                break
    return result
