"""The checks one value entered through the API passes (`ledger.domain.fields`): the import's rules, each failure
naming the field first."""

from __future__ import annotations

import pytest

from cobro.kernel.errors import InvalidInputError
from cobro.kernel.types import Channel, ContactRole
from cobro.ledger.domain import fields


def refused(call: object, *args: object) -> str:
    with pytest.raises(InvalidInputError) as caught:
        call(*args)  # type: ignore[operator]
    return str(caught.value)


def test_values_are_normalised_as_an_import_would() -> None:
    assert fields.country("country", " es ") == "ES"
    assert fields.tax_id("tax_id", "b-12345674", "ES") == "B12345674"
    assert fields.tax_id("tax_id", "  ", "ES") == ""  # none on file
    assert fields.currency("currency", "usd") == "USD"
    assert fields.amount_minor("amount", "1234.5", "EUR") == 123450
    assert fields.amount_minor("amount", "1500", "CLP") == 1500
    assert fields.terms("terms", "NET 60") == "net 60"
    assert fields.role("role", "Finance") is ContactRole.FINANCE
    assert fields.channel("preferred_channel", "WhatsApp") is Channel.WHATSAPP
    assert fields.email("email", " ana@example.com ") == "ana@example.com"
    assert fields.language("language", "pt-BR") == "pt-br"


@pytest.mark.parametrize(("call", "args", "field"), [
    (fields.country, ("country", "Chile"), "country"),
    (fields.tax_id, ("tax_id", "B12345670", "ES"), "tax_id"),
    (fields.currency, ("currency", "EURO"), "currency"),
    (fields.amount_minor, ("amount", "1e30", "EUR"), "amount"),
    (fields.amount_minor, ("amount", "10.001", "EUR"), "amount"),
    (fields.amount_minor, ("amount", "1,50", "EUR"), "amount"),  # decimal point only: no float, no guessing
    (fields.amount_minor, ("amount", "0", "EUR"), "amount"),
    (fields.amount_minor, ("amount", "-5", "EUR"), "amount"),
    (fields.terms, ("terms", "soon"), "terms"),
    (fields.email, ("email", "maria@"), "email"),
    (fields.role, ("role", "boss"), "role"),
    (fields.channel, ("preferred_channel", "fax"), "preferred_channel"),
    (fields.language, ("language", "español"), "language"),
    (fields.required, ("legal_name", "  "), "legal_name"),
])
def test_each_refusal_names_its_field(call: object, args: tuple[object, ...], field: str) -> None:
    assert refused(call, *args).startswith(f"{field}: ")


def test_a_negative_amount_is_allowed_only_when_asked() -> None:
    assert fields.amount_minor("credit_limit", "-5", "EUR", positive=False) == -500
