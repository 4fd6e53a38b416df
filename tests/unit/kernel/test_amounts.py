"""The one amount grammar (`cobro.kernel.amounts`): what it reads, what it refuses, and that it round-trips."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cobro.kernel.amounts import (
    MAX_MINOR,
    AmountError,
    format_amount,
    infer_decimal,
    max_amount,
    parse_amount,
    parse_minor,
)
from cobro.kernel.money import exponent

# (text, declared decimal separator, currency, expected value)
ACCEPTED = [
    ("1234.56", ".", "EUR", "1234.56"),
    ("1.234,56", ",", "EUR", "1234.56"),
    ("1,234.56", ".", "EUR", "1234.56"),
    ("1 234,56", ",", "EUR", "1234.56"),
    ("1\u00a0234,56", ",", "EUR", "1234.56"),  # NBSP as thousands (French exports)
    ("1\u202f234,56", ",", "EUR", "1234.56"),  # narrow NBSP (CLDR's French)
    ("1'234.56", ".", "CHF", "1234.56"),
    ("(100.00)", ".", "EUR", "-100.00"),
    ("-12,50", ",", "EUR", "-12.50"),
    ("\u221212.50", ".", "EUR", "-12.50"),  # the typographic minus
    ("1.234,56-", ",", "EUR", "-1234.56"),  # SAP's trailing minus
    ("+7", ".", "EUR", "7"),
    ("€ 1.234.567,89", ",", "EUR", "1234567.89"),
    ("1.234,56 EUR", ",", "EUR", "1234.56"),
    ("eur 5", ".", "EUR", "5"),
    ("-€5", ".", "EUR", "-5"),
    ("US$ 10.00", ".", "USD", "10.00"),
    ("1.500.000", ".", "CLP", "1500000"),  # Chilean thousands dots under a declared "."
    ("1.500.000", "auto", "CLP", "1500000"),
    ("1.500", ".", "CLP", "1500"),
    ("$ 1.500.000", ",", "CLP", "1500000"),
    ("1.500.000,00", ",", "COP", "1500000.00"),  # COP keeps two decimals; Colombia writes a decimal comma
    ("10.500", ".", "EUR", "10.500"),  # trailing zeros lose nothing
    ("1.234,56", "auto", "EUR", "1234.56"),
    ("12,5", "auto", "EUR", "12.5"),
    ("1.234.567", "auto", "EUR", "1234567"),
    ("0.125", ".", "KWD", "0.125"),
    ("1000000000.00", ".", "EUR", "1000000000.00"),  # the bound itself
    ("007", ".", "EUR", "7"),
]

# (text, declared decimal, currency, what the message must say)
REFUSED = [
    ("1,50", ".", "EUR", "does not group three digits"),
    ("55,94", ".", "EUR", "does not group three digits"),  # issue 13: was imported as 5594
    ("1 234,56", ".", "EUR", "mixes thousands separators"),
    ("1e30", ".", "EUR", "contains 'e'"),
    ("12abc34", ".", "EUR", "contains 'a'"),
    ("15%", ".", "EUR", "contains '%'"),
    ("0x10", ".", "EUR", "contains 'x'"),
    ("\u0661\u0662\u0663", ".", "EUR", "use the digits 0-9"),  # Arabic-Indic digits
    ("+34 600 123 456", ".", "EUR", "largest amount"),  # a phone number: over the bound
    ("1.234,5", ".", "EUR", "after the decimal separator"),
    ("--5", ".", "EUR", "more than one sign"),
    ("(-5)", ".", "EUR", "more than one sign"),
    ("-5-", ".", "EUR", "more than one sign"),
    ("(5", ".", "EUR", "unbalanced bracket"),
    ("1,234", "auto", "EUR", "ambiguous"),
    ("1.500.000", ".", "EUR", "more than once"),
    ("10.505", ".", "EUR", "more decimals than EUR allows"),
    ("1,5", ",", "CLP", "more decimals than CLP allows"),
    ("1000000000.01", ".", "EUR", "largest amount"),
    ("9223372036854775807", ".", "EUR", "largest amount"),  # the 64-bit maximum that crashed the reports
    ("9" * 40, ".", "EUR", "largest amount"),
    ("1" * 70, ".", "EUR", "characters long"),
    ("EUR 5", ".", "USD", "is in EUR but the currency is USD"),
    ("€ 5", ".", "USD", "written in €"),
    ("XYZ 5", ".", "EUR", "not a currency"),
    ("EUR 5 EUR", ".", "EUR", "currency twice"),
    ("", ".", "EUR", "empty"),
    ("   ", ".", "EUR", "empty"),
    ("-", ".", "EUR", "no digits"),
    ("EUR", ".", "EUR", "no digits"),
    ("5.", ".", "EUR", "start and end with a digit"),
    ("1..5", ".", "EUR", "more than once"),
    ("NaN", ".", "EUR", "no digits"),
    ("Infinity", ".", "EUR", "contains"),
    ("1_000", ".", "EUR", "contains '_'"),
]


@pytest.mark.parametrize(("text", "decimal", "currency", "expected"), ACCEPTED)
def test_accepted(text: str, decimal: str, currency: str, expected: str) -> None:
    assert parse_amount(text, currency, decimal=decimal) == Decimal(expected)


@pytest.mark.parametrize(("text", "decimal", "currency", "says"), REFUSED)
def test_refused_with_a_message(text: str, decimal: str, currency: str, says: str) -> None:
    with pytest.raises(AmountError, match=None) as info:
        parse_amount(text, currency, decimal=decimal)
    assert says in str(info.value)


def test_trailing_minus_may_follow_a_blank() -> None:
    # "5 -" is how some fixed-width exports right-align the sign: still one sign, still negative
    assert parse_amount("5 -", "EUR", decimal=".") == Decimal(-5)


def test_the_message_quotes_the_value() -> None:
    with pytest.raises(AmountError) as info:
        parse_amount("1,50", "EUR", decimal=".")
    assert str(info.value) == "'1,50' has a thousands separator that does not group three digits"


def test_rounding_only_when_asked() -> None:
    assert parse_amount("10.505", "EUR", decimal=".", rounding="half_up") == Decimal("10.51")
    assert parse_amount("10.505", "EUR", decimal=".", rounding="half_even") == Decimal("10.50")
    assert parse_amount("999999999.999", "EUR", decimal=".", rounding="half_up") == max_amount("EUR")
    with pytest.raises(AmountError, match="largest amount"):
        parse_amount("1000000000.004", "EUR", decimal=".", rounding="half_up")  # would round back onto it


def test_the_bound_holds_for_ten_million_documents() -> None:
    # the sum over a tenant of 10^7 documents at the bound, in every currency, fits a signed 64-bit integer
    assert 10**7 * MAX_MINOR < 2**63 - 1
    for currency in ("EUR", "CLP", "KWD", "CLF"):
        assert parse_minor(format_amount(max_amount(currency), currency), currency) == MAX_MINOR
        assert parse_minor(format_amount(-max_amount(currency), currency), currency) == -MAX_MINOR


def test_inference_only_when_unambiguous() -> None:
    assert infer_decimal(["1.234,56", "12,00", "7"]) == ","
    assert infer_decimal(["1,234.56", "12.00"]) == "."
    assert infer_decimal(["1.234.567", "12"]) == ","
    assert infer_decimal(["1,234", "12", "5.000"]) == "auto"  # nothing proves either
    assert infer_decimal([]) == "auto"


CURRENCIES = st.sampled_from(["EUR", "USD", "CLP", "JPY", "KWD", "CLF", "GBP", "MXN"])


@st.composite
def written_amounts(draw: st.DrawFn) -> tuple[str, Decimal, str, str]:
    """An amount inside the bound on the currency's grid, written in one of the accepted styles."""
    currency = draw(CURRENCIES)
    places = exponent(currency)
    minor = draw(st.integers(-MAX_MINOR, MAX_MINOR))
    value = Decimal(minor).scaleb(-places)
    decimal = draw(st.sampled_from([".", ","]))
    thousands = draw(st.sampled_from(["", " ", "\u00a0", "\u202f", "'", "," if decimal == "." else "."]))
    symbol = draw(st.sampled_from(["", currency, "€" if currency == "EUR" else "$"]))
    text = format_amount(value, currency, decimal=decimal, thousands=thousands,
                         negative=draw(st.sampled_from(["-", "()", "trailing"])), symbol=symbol,
                         symbol_after=draw(st.booleans()))
    return text, value, currency, decimal


@settings(max_examples=2000)
@given(written_amounts())
def test_every_written_amount_round_trips(case: tuple[str, Decimal, str, str]) -> None:
    text, value, currency, decimal = case
    assert parse_amount(text, currency, decimal=decimal) == value


ALPHABET = st.sampled_from([*"0123456789.,-+() '€$%eEx_\u00a0\u202f\u0661", "EUR", "USD"])


@settings(max_examples=5000)
@given(st.lists(ALPHABET, max_size=16).map("".join), CURRENCIES, st.sampled_from([".", ",", "auto"]))
def test_anything_is_read_exactly_or_refused(text: str, currency: str, decimal: str) -> None:
    """Hostile strings: either the typed error, or a value that re-reads to itself and keeps every digit."""
    try:
        value = parse_amount(text, currency, decimal=decimal)
    except AmountError as exc:
        assert str(exc)  # always a message
        return
    assert abs(value.scaleb(exponent(currency))) <= MAX_MINOR
    digits = "".join(ch for ch in text if "0" <= ch <= "9").lstrip("0")
    shown = format(abs(value), "f").replace(".", "").lstrip("0")
    # no digit was deleted or invented: the value's digits are the text's, up to trailing zeros
    assert digits.rstrip("0") == shown.rstrip("0")
    assert parse_amount(format_amount(value, currency), currency, decimal=".") == value
