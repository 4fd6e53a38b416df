"""Customer and contact rows: validated lines, or Problems naming file, row and column (see `rows.py`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Mapping as Lookup

from cobro.kernel.emails import email_problem
from cobro.kernel.errors import Problem
from cobro.kernel.money import MoneyError, check_currency
from cobro.kernel.terms import PaymentTerms, TermsError
from cobro.kernel.types import Channel, ContactRole
from cobro.ledger.imports.mapping import FIELDS
from cobro.ledger.imports.records import ContactLine, CustomerLine
from cobro.ledger.imports.rows import RowReader, _country, _money_minor, _required_text, _tax_id

# language names ERP exports write in an "Idioma" column
_LANGUAGES = {"espanol": "es", "español": "es", "castellano": "es", "spanish": "es", "ingles": "en", "inglés": "en",
              "english": "en", "frances": "fr", "francés": "fr", "french": "fr", "aleman": "de", "alemán": "de",
              "german": "de", "portugues": "pt", "portugués": "pt", "portuguese": "pt", "italiano": "it",
              "italian": "it", "catalan": "ca", "catalán": "ca", "català": "ca", "euskera": "eu", "gallego": "gl"}


def read_customers(reader: RowReader, stored_countries: Lookup[str, str] | None = None,
                   ) -> Iterator[CustomerLine | Problem]:
    """Customer lines; a tax id is checked under the row's country, else the stored customer's, else Spain's."""
    seen: dict[str, int] = {}
    stored = stored_countries or {}
    for row, cells in reader.rows_with_decimal():
        errors: list[Problem] = []
        code = _required_text(reader, row, cells, "code", errors)
        name = _required_text(reader, row, cells, "legal_name", errors)
        country = _country(reader, row, reader.text(cells, "country"), errors) or stored.get(code) or "ES"
        tax_id = _tax_id(reader, row, cells, country, errors)
        limit_minor: int | None = None
        limit_currency = ""
        if reader.text(cells, "credit_limit"):
            limit_currency = reader.text(cells, "credit_limit_currency") or "EUR"
            try:
                limit_currency = check_currency(limit_currency)
            except MoneyError:
                errors.append(reader.problem(row, "credit_limit_currency", f"unknown currency {limit_currency!r}"))
            limit_minor = _money_minor(reader, row, cells, "credit_limit", limit_currency, errors)
        terms = reader.text(cells, "terms") or "net 30"
        try:
            terms = PaymentTerms.parse(terms).code()
        except TermsError as exc:
            errors.append(reader.problem(row, "terms", str(exc), "bad_terms"))
        language = reader.text(cells, "language").lower()
        if language and not re.fullmatch(r"[a-z]{2}(-[a-z]{2})?", language):
            language = _LANGUAGES.get(language, language)
            if not re.fullmatch(r"[a-z]{2}(-[a-z]{2})?", language):
                errors.append(reader.problem(row, "language", f"{language!r} is not a language code (es, en, "
                                             "pt-br...) or a language name cobro knows", "bad_language"))
        if code and code in seen:
            errors.append(reader.problem(row, "code", f"customer {code!r} appears twice in this file "
                                         f"(rows {seen[code]} and {row})", "duplicate"))
        seen.setdefault(code, row)
        yield from errors
        if not any(e.severity == "error" for e in errors):
            yield CustomerLine(row, code, name, country, tax_id, reader.text(cells, "segment"),
                               reader.text(cells, "account_owner"), reader.text(cells, "collector"),
                               limit_minor, limit_currency, language or "es", terms,
                               reader.text(cells, "address"), reader.text(cells, "postal_code"),
                               reader.text(cells, "city"), reader.text(cells, "region"),
                               reader.given(cells, FIELDS["customers"]))


def read_contacts(reader: RowReader) -> Iterator[ContactLine | Problem]:
    roles = {r.value for r in ContactRole}
    channels = {c.value for c in Channel}
    role_words = {"administracion": "administration", "administración": "administration", "admin": "administration",
                  "finanzas": "finance", "contabilidad": "finance", "tesoreria": "finance", "tesorería": "finance",
                  "direccion": "management", "dirección": "management", "gerencia": "management", "otro": "other"}
    for row, cells in reader.table.rows:
        errors: list[Problem] = []
        customer = _required_text(reader, row, cells, "customer_code", errors)
        name = _required_text(reader, row, cells, "name", errors)
        role = reader.text(cells, "role").lower() or "administration"
        role = role_words.get(role, role)
        if role not in roles:
            errors.append(reader.problem(row, "role", f"unknown role {role!r}; use one of {', '.join(sorted(roles))}"))
        channel = reader.text(cells, "preferred_channel").lower() or "email"
        if channel not in channels:
            errors.append(reader.problem(row, "preferred_channel", f"unknown channel {channel!r}"))
        email = reader.text(cells, "email")
        reason = email_problem(email) if email else None  # reminders go to it: refuse what no server accepts
        if reason:
            errors.append(reader.problem(row, "email", f"not an e-mail address: {email!r}: {reason}", "bad_email"))
        language = reader.text(cells, "language").lower()
        language = _LANGUAGES.get(language, language)
        if language and not re.fullmatch(r"[a-z]{2}(-[a-z]{2})?", language):
            errors.append(reader.problem(row, "language", f"{language!r} is not a language code (es, en, pt-br...) "
                                         "or a language name cobro knows", "bad_language"))
        yield from errors
        if not errors:
            yield ContactLine(row, customer, name, role, email, reader.text(cells, "phone"), channel, language,
                              reader.given(cells, FIELDS["contacts"]))
