"""The creditor's profile as pure values, and the rules that check it: each problem names the field.

Validation uses pure libraries only: python-stdnum (through `cobro.kernel.taxids`) for tax ids, schwifty for IBAN and
BIC, pycountry (schwifty's own dependency) for countries, email-validator without DNS look-ups, zoneinfo for time
zones, Pillow to decode PNG logos, and defusedxml for SVG logos (no entities, no DTDs, so a logo cannot make the parser fetch or expand anything).
"""

from __future__ import annotations

import dataclasses
import io
import re
import string
import zoneinfo
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import pycountry
from defusedxml import ElementTree as SafeTree
from defusedxml.common import DefusedXmlException
from email_validator import EmailNotValidError, validate_email
from PIL import Image as PILImage
from PIL.PngImagePlugin import PngImageFile
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from cobro.kernel.errors import Problem
from cobro.kernel.money import MoneyError, check_currency
from cobro.kernel.taxids import check_tax_id

MAX_LOGO_BYTES = 512 * 1024  # a letterhead logo; anything bigger is a photo, and would be copied into every PDF
PNG_MEDIA_TYPE, SVG_MEDIA_TYPE = "image/png", "image/svg+xml"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_REFERENCE_FIELDS = frozenset({"customer", "invoice"})
_LIMITS = {"legal_name": 200, "trade_name": 200, "sender_name": 200, "city": 100, "website": 200,
           "payment_instructions": 1000, "signature": 1000}
_SINGLE_LINE = ("legal_name", "trade_name", "sender_name", "city", "postal_code", "phone", "website")
MAX_ADDRESS_LINES, MAX_ADDRESS_LINE = 4, 100
MAX_SIGNATURE_LINES = 8

# The CLI option that sets each field (`cobro tenant update SLUG --<option> ...`): named in every message about it.
OPTIONS = {"address_lines": "--address"}

# What documents need of the profile.  "payment" is met by an IBAN or by payment-instructions text: a creditor
# paid by card or through a portal has no IBAN to print, but must still say how to pay.
PAYMENT = "payment"
MESSAGE_FIELDS: tuple[str, ...] = ("legal_name",)
PAYMENT_FIELDS: tuple[str, ...] = ("legal_name", PAYMENT)
LETTER_FIELDS: tuple[str, ...] = ("legal_name", "tax_id", "address_lines", "postal_code", "city", "country")


def option(field: str) -> str:
    """The CLI option of a profile field: `iban` -> `--iban`, `address_lines` -> `--address`."""
    return OPTIONS.get(field, "--" + field.replace("_", "-"))


@dataclass(frozen=True, slots=True)
class Logo:
    data: bytes
    media_type: str  # PNG_MEDIA_TYPE or SVG_MEDIA_TYPE


@dataclass(frozen=True, slots=True)
class Profile:
    """What a creditor says about itself on its documents.  Empty strings are "not set"."""

    legal_name: str = ""
    trade_name: str = ""
    tax_id: str = ""
    address_lines: tuple[str, ...] = ()
    postal_code: str = ""
    city: str = ""
    country: str = ""  # ISO 3166 alpha-2
    iban: str = ""  # compact, validated
    bic: str = ""
    payment_reference: str = ""  # a format over {customer} and {invoice}; empty: quote the invoice numbers
    payment_instructions: str = ""
    sender_name: str = ""
    sender_email: str = ""
    reply_to: str = ""
    phone: str = ""
    website: str = ""
    signature: str = ""
    language: str = ""
    time_zone: str = ""
    currency: str = ""  # ISO 4217: the base currency of reports
    logo: Logo | None = None


TEXT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Profile)
                                     if f.name not in ("address_lines", "logo"))


def check_profile(profile: Profile, *, languages: Collection[str]) -> tuple[Profile, list[Problem]]:
    """The profile with its values normalised (IBAN compact, tax id canonical, codes upper-case), and the problems
    found, each naming its field (`column`).  `languages` are those templates exist for."""
    p = _trimmed(profile)
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(f"{field}: {message}", column=field, code="invalid"))

    for field, limit in _LIMITS.items():
        if len(getattr(p, field)) > limit:
            bad(field, f"is longer than {limit} characters")
    for field in _SINGLE_LINE:
        if any(ch in getattr(p, field) for ch in "\r\n\t\x00"):
            bad(field, "must be one line")
    changes: dict[str, object] = {}
    for field, check in _CHECKS.items():
        value = getattr(p, field)
        if value:
            fixed, message = check(value, p)
            if message:
                bad(field, message)
            elif fixed != value:
                changes[field] = fixed
    if p.tax_id and not p.country:
        bad("tax_id", f"needs the country ({option('country')}) to be checked")
    if p.language and p.language not in languages:
        bad("language", f"{p.language!r} has no letter templates (available: {', '.join(sorted(languages))})")
    problems += _address_problems(p.address_lines)
    if len(p.signature.splitlines()) > MAX_SIGNATURE_LINES:
        bad("signature", f"has more than {MAX_SIGNATURE_LINES} lines")
    if p.logo is not None:
        problems += [Problem(f"logo: {m}", column="logo", code="invalid") for m in logo_problems(p.logo)]
    if p.iban and not p.bic and "bic" not in changes:
        bic = _bic_of(p.iban)
        if bic:
            changes["bic"] = bic  # the bank's BIC is known from the IBAN's bank code (schwifty's registry)
    return dataclasses.replace(p, **changes) if changes else p, problems  # type: ignore[arg-type]


def _trimmed(p: Profile) -> Profile:
    texts = {f: getattr(p, f).strip() for f in TEXT_FIELDS}
    lines = tuple(line.strip() for line in p.address_lines if line.strip())
    return dataclasses.replace(p, address_lines=lines, **texts)


def _address_problems(lines: Sequence[str]) -> list[Problem]:
    out = []
    if len(lines) > MAX_ADDRESS_LINES:
        out.append(Problem(f"address_lines: at most {MAX_ADDRESS_LINES} lines", column="address_lines"))
    out += [Problem(f"address_lines: line {n} is longer than {MAX_ADDRESS_LINE} characters", column="address_lines")
            for n, line in enumerate(lines, 1) if len(line) > MAX_ADDRESS_LINE]
    return out


# --- field checks: (value, whole profile) -> (normalised value, problem message or "") ------------------------

def _tax_id(value: str, p: Profile) -> tuple[str, str]:
    if not p.country:
        return value, ""  # reported once, as "needs the country"
    checked = check_tax_id(value, p.country)
    return (checked.normalized, "") if checked.valid else (value, checked.message)


def _country(value: str, _: Profile) -> tuple[str, str]:
    code = value.upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        return value, f"{value!r} is not an ISO 3166 country code (ES, PT, MX, ...)"
    return code, ""


def _iban(value: str, _: Profile) -> tuple[str, str]:
    try:
        return str(IBAN(value).compact), ""
    except SchwiftyException as exc:
        return value, f"{value!r} is not a valid IBAN: {exc}"


def _bic_of(iban: str) -> str:
    try:
        bic = IBAN(iban).bic
    except SchwiftyException:
        return ""
    return "" if bic is None else str(bic.compact)


def _bic(value: str, _: Profile) -> tuple[str, str]:
    try:
        return str(BIC(value).compact), ""
    except SchwiftyException as exc:
        return value, f"{value!r} is not a valid BIC: {exc}"


def _email(value: str, _: Profile) -> tuple[str, str]:
    try:
        return validate_email(value, check_deliverability=False).normalized, ""
    except EmailNotValidError as exc:
        return value, f"{value!r} is not an e-mail address: {exc}"


def _phone(value: str, _: Profile) -> tuple[str, str]:
    digits = sum(ch.isdigit() for ch in value)
    if not re.fullmatch(r"\+?[0-9 ().-]{6,40}", value) or digits < 6:
        return value, f"{value!r} is not a phone number (digits, spaces, + ( ) . -)"
    return value, ""


def _website(value: str, _: Profile) -> tuple[str, str]:
    parts = urlsplit(value if "://" in value else f"https://{value}")
    if parts.scheme not in ("http", "https") or "." not in (parts.hostname or ""):
        return value, f"{value!r} is not a web address (https://example.com)"
    return parts.geturl(), ""


def _postal_code(value: str, p: Profile) -> tuple[str, str]:
    code = value.upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9 -]{1,15}", code):
        return value, f"{value!r} is not a postal code"
    if p.country.upper() == "ES" and not re.fullmatch(r"(0[1-9]|[1-4][0-9]|5[0-2])[0-9]{3}", code):
        return value, f"{value!r} is not a Spanish postal code (five digits, 01000-52999)"
    return code, ""


def _reference(value: str, _: Profile) -> tuple[str, str]:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        return value, f"{value!r} is not a reference format: {exc}"
    unknown = names - _REFERENCE_FIELDS
    if unknown or len(value) > 100:
        return value, (f"{value!r} may only use {{customer}} and {{invoice}}" if unknown
                       else "is longer than 100 characters")
    return value, ""


def _time_zone(value: str, _: Profile) -> tuple[str, str]:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return value, f"{value!r} is not a time zone (Europe/Madrid, America/Mexico_City, ...)"
    return value, ""


def _currency(value: str, _: Profile) -> tuple[str, str]:
    try:
        return check_currency(value), ""
    except MoneyError:
        return value, f"{value!r} is not an ISO 4217 currency code (EUR, USD, MXN, ...)"


def _language(value: str, _: Profile) -> tuple[str, str]:
    return value.lower(), ""


_CHECKS = {"country": _country, "tax_id": _tax_id, "iban": _iban, "bic": _bic, "sender_email": _email,
           "reply_to": _email, "phone": _phone, "website": _website, "postal_code": _postal_code,
           "payment_reference": _reference, "time_zone": _time_zone, "currency": _currency, "language": _language}


# --- the logo -------------------------------------------------------------------------------------------------

def sniff_logo(data: bytes) -> Logo:
    """The logo with its media type read from the bytes (never from a file name): PNG by signature, else SVG."""
    return Logo(data, PNG_MEDIA_TYPE if data.startswith(_PNG_SIGNATURE) else SVG_MEDIA_TYPE)


def logo_problems(logo: Logo) -> list[str]:
    """Why this logo cannot go on a letterhead: too big, not PNG or SVG, or an SVG that could run script."""
    if len(logo.data) > MAX_LOGO_BYTES:
        return [f"is {len(logo.data) // 1024} KiB; at most {MAX_LOGO_BYTES // 1024} KiB"]
    if logo.media_type == PNG_MEDIA_TYPE:
        return _png_problems(logo.data)
    if logo.media_type == SVG_MEDIA_TYPE:
        return _svg_problems(logo.data)
    return [f"must be PNG or SVG, not {logo.media_type!r}"]


MAX_LOGO_PIXELS = 4096  # per side: a letterhead mark, never a decompression bomb in every PDF


def _png_problems(data: bytes) -> list[str]:
    """A PNG that decodes (every PDF it goes into must be drawable) and is of letterhead size."""
    if not (data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR"):
        return ["is not a PNG image"]
    try:
        with PngImageFile(io.BytesIO(data)) as img:  # bytes in memory, never a file
            size = img.size
            img.load()  # decodes every chunk: a truncated or corrupt image fails here, not in a letter
    except (OSError, ValueError, SyntaxError, PILImage.DecompressionBombError) as exc:
        return [f"is not a readable PNG image ({exc})"]
    if max(size) > MAX_LOGO_PIXELS:
        return [f"is {size[0]}x{size[1]} pixels; at most {MAX_LOGO_PIXELS} per side"]
    return []


_URL_ATTRIBUTES = frozenset({"href", "src"})


def _svg_problems(data: bytes) -> list[str]:
    try:
        root = SafeTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        return [f"SVG refused: {type(exc).__name__} (DTDs and entities are not allowed)"]
    except SafeTree.ParseError as exc:
        return [f"is neither PNG nor SVG (not well-formed XML: {exc})"]
    if _local(root.tag) != "svg":
        return [f"is neither PNG nor SVG (the XML root is <{_local(root.tag)}>)"]
    for node in root.iter():
        tag = _local(node.tag) if isinstance(node.tag, str) else ""
        if tag in ("script", "foreignObject"):
            return [f"SVG refused: it contains <{tag}>, which can run code in a browser"]
        for name, value in node.attrib.items():
            attr = _local(name).lower()
            if attr.startswith("on"):
                return [f"SVG refused: <{tag}> has an event handler ({attr}), which is script"]
            if attr in _URL_ATTRIBUTES and not value.strip().startswith("#"):
                return [f"SVG refused: <{tag}> {attr} points outside the image ({value[:60]!r})"]
    return []


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


# --- what a document needs ----------------------------------------------------------------------------------

def missing_fields(profile: Profile, fields: Sequence[str]) -> list[str]:
    """The fields of `fields` the profile has not set (`PAYMENT`: neither an IBAN nor payment instructions)."""
    out = []
    for field in fields:
        if field == PAYMENT:
            if not (profile.iban or profile.payment_instructions):
                out.append(PAYMENT)
        elif not getattr(profile, field):
            out.append(field)
    return out


def missing_message(tenant: str, missing: Sequence[str], purpose: str) -> str:
    """"the terms letter needs the creditor's iban or payment_instructions: set it with `cobro tenant update ...`"."""
    names = ", ".join("iban or payment_instructions" if f == PAYMENT else f for f in missing)
    sets = " ".join(dict.fromkeys(f"{option('iban' if f == PAYMENT else f)} ..." for f in missing))
    return (f"{purpose} needs the creditor's {names}, which tenant {tenant!r} has not set: "
            f"run `cobro tenant update {tenant} {sets}`")


def payment_reference(fmt: str, *, customer: str, invoices: Sequence[str]) -> str:
    """The reference a payment should quote: the profile's format over the customer code and the invoice numbers
    (several invoices are listed, separated by spaces); empty when the profile has no format."""
    if not fmt:
        return ""
    return fmt.format(customer=customer, invoice=" ".join(invoices))
