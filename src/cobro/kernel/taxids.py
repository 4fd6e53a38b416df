"""Tax identifiers validated with python-stdnum.

python-stdnum is a pure validation library (no frameworks), so the domain may use it.  Mexican RFCs are
checked *with* their check digit, which `stdnum.mx.rfc.is_valid` skips by default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stdnum import exceptions as stdnum_exceptions
from stdnum.cl import rut
from stdnum.co import nit
from stdnum.es import nif
from stdnum.eu import vat
from stdnum.mx import rfc
from stdnum.pe import ruc

EU_VAT_PREFIXES = frozenset(
    ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI"]
)


@dataclass(frozen=True, slots=True)
class TaxIdCheck:
    valid: bool
    normalized: str
    kind: str
    message: str = ""


def _mx_validate(value: str) -> str:
    return str(rfc.validate(value, validate_check_digits=True))


_VALIDATORS: dict[str, tuple[str, Callable[[str], str]]] = {
    "ES": ("ES NIF/CIF/NIE", nif.validate),
    "MX": ("MX RFC", _mx_validate),
    "CL": ("CL RUT", rut.validate),
    "CO": ("CO NIT", nit.validate),
    "PE": ("PE RUC", ruc.validate),
}


def check_tax_id(value: str, country: str) -> TaxIdCheck:
    """Validate `value` as the tax id of a company in `country` (ISO 3166 alpha-2).

    A value that starts with an EU VAT prefix is checked as an EU VAT number.  Countries without a
    validator here are accepted as given (kind "unchecked").
    """
    raw = value.strip().upper()
    country = country.strip().upper()
    if not raw:
        return TaxIdCheck(False, "", "missing", "tax id is empty")
    # an EU VAT number starts with its country prefix; a Mexican RFC may start with "DE" or "IT" too, so the
    # prefix only counts for customers outside the Latin American countries validated below
    latam = country in _VALIDATORS and country != "ES"
    if not latam and raw[:2] in EU_VAT_PREFIXES and (country != "ES" or raw[:2] == "ES") and len(raw) > 4:
        try:
            return TaxIdCheck(True, str(vat.validate(raw)), "EU VAT")
        except stdnum_exceptions.ValidationError as exc:
            return TaxIdCheck(False, raw, "EU VAT", f"invalid EU VAT number {value!r}: {exc}")
    if country in _VALIDATORS:
        kind, validate = _VALIDATORS[country]
        try:
            return TaxIdCheck(True, validate(raw), kind)
        except stdnum_exceptions.ValidationError as exc:
            return TaxIdCheck(False, raw, kind, f"invalid {kind} {value!r}: {exc}")
    return TaxIdCheck(True, raw, "unchecked")
