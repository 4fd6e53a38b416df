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
      empty_clears: false         # true: an empty cell clears the stored value (default: it keeps it)
    values:                       # per-field value translation (case-insensitive)
      disputed: {"Yes": true, "No": false}

A column may also be written `tax_id: {column: NIF, empty_clears: true}` to let that one column clear values.
A re-import changes only the fields whose columns are in the file; an empty cell keeps the stored value unless
`empty_clears` says otherwise.  Without a mapping, a column whose header is the field name or one of its synonyms
(`cobro.ledger.domain.headers`, accents/case/punctuation ignored) is used; `--suggest-mapping` writes what was
inferred, with the reason for each column, as a mapping file this loader reads back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cobro.kernel.errors import InvalidInputError, Problem
from cobro.kernel.limits import DEFAULT_LIMITS, InputLimits
from cobro.ledger.domain.headers import FIELDS, KINDS, REQUIRED, HeaderMatch, match_headers
from cobro.platform.yamlsafe import YamlError, read_yaml_file

# the fields, required fields and header synonyms are one table: `cobro.ledger.domain.headers`
__all__ = ["FIELDS", "KINDS", "REQUIRED", "Mapping", "load_mapping", "match_columns", "resolve_columns",
           "suggest_mapping"]
_OPTIONS = {"date_format", "decimal", "encoding", "delimiter", "create_customers", "tax_id_invalid", "sheet",
            "empty_clears"}


@dataclass(frozen=True)
class Mapping:
    kind: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = ""
    clearing: frozenset[str] = frozenset()  # fields whose empty cells clear the stored value

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)

    def empty_clears(self, fld: str) -> bool:
        """Whether an empty cell of `fld` clears the stored value (else it keeps it)."""
        return fld in self.clearing or self.options.get("empty_clears") is True


def _columns(path: Path, raw: dict[str, Any]) -> tuple[dict[str, str], set[str]]:
    columns: dict[str, str] = {}
    clearing: set[str] = set()
    for key, entry in (raw.get("columns") or {}).items():
        value = entry
        if isinstance(value, dict):
            unknown = set(value) - {"column", "empty_clears"}
            if unknown or "column" not in value:
                raise InvalidInputError(f"{path}: columns.{key}: write a header, or {{column: HEADER, "
                                        f"empty_clears: true}}")
            if not isinstance(value.get("empty_clears", False), bool):
                raise InvalidInputError(f"{path}: columns.{key}.empty_clears: must be true or false")
            if value.get("empty_clears"):
                clearing.add(str(key))
            value = value["column"]
        columns[str(key)] = str(value)
    return columns, clearing


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
    for section in ("columns", "defaults", "values", "options"):
        value = raw.get(section) or {}
        if not isinstance(value, dict):
            raise InvalidInputError(f"{path}: {section}: must be an object")
        for key in value:
            if section == "options" and key not in _OPTIONS:
                raise InvalidInputError(f"{path}: options.{key}: unknown option; known: {', '.join(sorted(_OPTIONS))}")
            if section != "options" and key not in known:
                raise InvalidInputError(f"{path}: {section}.{key}: unknown field; known: {', '.join(sorted(known))}")
    clears = (raw.get("options") or {}).get("empty_clears", False)
    if not isinstance(clears, bool):
        raise InvalidInputError(f"{path}: options.empty_clears: must be true or false")
    unknown_top = set(raw) - {"kind", "columns", "defaults", "options", "values", "description"}
    if unknown_top:
        raise InvalidInputError(f"{path}: unknown key(s) {', '.join(sorted(unknown_top))}")
    columns, clearing = _columns(path, raw)
    return Mapping(
        kind=file_kind,
        columns=columns,
        defaults=dict(raw.get("defaults") or {}),
        options=dict(raw.get("options") or {}),
        values={k: {str(a).strip().lower(): b for a, b in (v or {}).items()} for k, v in (raw.get("values") or {}).items()},
        source=str(path),
        clearing=frozenset(clearing),
    )


def match_columns(mapping: Mapping, kind: str, headers: list[str], file: str = "") -> HeaderMatch:
    """Field → column, with the reason for each; an ambiguous header or a required mapped column that the file
    lacks is an error naming the columns (an optional mapped column may be absent: an open-items export has no
    settlement date)."""
    match = match_headers(kind, headers, mapping.columns, mapping.source or "the mapping")
    problems = [Problem(f"columns {a!r} and {b!r} both map to {fld}; keep one, or choose in a mapping file "
                        f"(columns: {{{fld}: {a!r}}})", file, 1, a, "ambiguous_column")
                for fld, a, b in match.ambiguous]
    problems += [Problem(f"column {col!r} (mapped to {fld}) is not in the file; columns are: {', '.join(headers)}",
                         file, 1, col, "missing_column")
                 for fld, col in match.missing_mapped if fld in REQUIRED[kind]]
    if problems:
        raise InvalidInputError(f"{file}: " + "; ".join(p.message for p in problems), problems)
    return match


def resolve_columns(mapping: Mapping, kind: str, headers: list[str]) -> dict[str, int]:
    """Field → column index (see `match_columns`)."""
    return match_columns(mapping, kind, headers).columns


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def suggest_mapping(kind: str, headers: list[str], match: HeaderMatch, options: dict[str, str]) -> str:
    """The mapping `match` inferred, as a mapping file (`load_mapping` reads it back), with the reason per column
    as a comment and the columns it leaves out listed at the end."""
    lines = [f"# inferred by cobro import {kind} --suggest-mapping; edit and pass it back with --mapping",
             f"kind: {kind}", "columns:"]
    for fld, idx in sorted(match.columns.items(), key=lambda item: item[1]):
        lines.append(f"  {fld}: {_quote(headers[idx])}  # {match.reasons[fld]}")
    missing = [f for f in REQUIRED[kind] if f not in match.columns]
    lines += [f"  # {fld}: required, no column found: map it here or give it a default" for fld in missing]
    lines += [f"  # {fld}: {a!r} and {b!r} both fit: {a!r} is chosen above (with no mapping the import refuses "
              "the file)" for fld, a, b in match.ambiguous]
    lines.append("options:")
    lines += [f"  {name}: {_quote(value)}  # found in the file" for name, value in options.items()]
    lines.append("  empty_clears: false  # an empty cell keeps the stored value")
    if match.unused:
        lines.append("# columns not imported:")
        lines += [f"#   {headers[i]!r}: {why}" for i, why in match.unused.items()]
    return "\n".join(lines) + "\n"
