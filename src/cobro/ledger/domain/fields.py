"""The checks one entered value passes, the same ones the importers apply to a cell (`ledger/imports/rows.py`).

The API's single-entity creates and updates call these; each failure is an `InvalidInputError` whose message starts
with the field's name (`"tax_id: ..."`), so the problem document names the field the client sent.
"""

from __future__ import annotations

import re

from cobro.kernel.amounts import AmountError, parse_amount, to_minor
from cobro.kernel.emails import email_problem
from cobro.kernel.errors import InvalidInputError
from cobro.kernel.money import MoneyError, check_currency
from cobro.kernel.taxids import check_tax_id
from cobro.kernel.terms import PaymentTerms, TermsError
from cobro.kernel.types import Channel, ContactRole

_COUNTRY = re.compile(r"[A-Z]{2}")


def required(field: str, value: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInputError(f"{field}: must not be empty")
    return text


def country(field: str, value: str) -> str:
    """An ISO 3166 two-letter code, upper-cased ("Chile"[:2] would silently be Switzerland, so no guessing)."""
    code = value.strip().upper()
    if not _COUNTRY.fullmatch(code):
        raise InvalidInputError(f"{field}: {value!r} is not an ISO 3166 two-letter country code (ES, MX, CL...)")
    return code


def tax_id(field: str, value: str, country_code: str) -> str:
    """The tax id normalised by its country's rule; "" stays "" (a customer may have none on file)."""
    if not value.strip():
        return ""
    check = check_tax_id(value, country_code or "ES")
    if not check.valid:
        raise InvalidInputError(f"{field}: {check.message}")
    return check.normalized


def currency(field: str, value: str) -> str:
    try:
        return check_currency(value.strip().upper())
    except MoneyError as exc:
        raise InvalidInputError(f"{field}: unknown currency {value!r} (ISO 4217 code expected)") from exc


def amount_minor(field: str, value: str, currency_code: str, *, positive: bool = True) -> int:
    """Integer minor units of `value` under the one amount grammar (decimal point, the currency's decimals, the
    bound); an API amount is a string so it never passes through a float."""
    try:
        amount = parse_amount(value, currency_code, decimal=".")
    except AmountError as exc:
        raise InvalidInputError(f"{field}: {exc}") from exc
    minor = to_minor(amount, currency_code)
    if positive and minor <= 0:
        raise InvalidInputError(f"{field}: must be above zero (record credit with a credit note)")
    return minor


def terms(field: str, value: str) -> str:
    """The canonical code of payment terms ('net 30', 'eom 60 pay days 10,25')."""
    try:
        return PaymentTerms.parse(value.strip()).code()
    except TermsError as exc:
        raise InvalidInputError(f"{field}: {exc}") from exc


def email(field: str, value: str) -> str:
    """"" or one address a mail server accepts (reminders go to it)."""
    address = value.strip()
    reason = email_problem(address) if address else None
    if reason:
        raise InvalidInputError(f"{field}: not an e-mail address: {address!r}: {reason}")
    return address


def role(field: str, value: str) -> ContactRole:
    try:
        return ContactRole(value.strip().lower())
    except ValueError as exc:
        raise InvalidInputError(f"{field}: unknown role {value!r}; use one of "
                                f"{', '.join(r.value for r in ContactRole)}") from exc


def channel(field: str, value: str) -> Channel:
    try:
        return Channel(value.strip().lower())
    except ValueError as exc:
        raise InvalidInputError(f"{field}: unknown channel {value!r}; use one of "
                                f"{', '.join(c.value for c in Channel)}") from exc


def language(field: str, value: str) -> str:
    code = value.strip().lower()
    if code and not re.fullmatch(r"[a-z]{2}(-[a-z]{2})?", code):
        raise InvalidInputError(f"{field}: {value!r} is not a language code (es, en, pt-br...)")
    return code
