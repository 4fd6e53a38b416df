"""E-invoice amounts under the one grammar: xs:decimal only, refused with the XML path; the bound at import."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cobro.cashapp.einvoice import parse_einvoice_bytes

from .test_ubl import _ubl

PAYABLE = b'<cbc:PayableAmount currencyID="EUR">1000.00</cbc:PayableAmount>'


@pytest.mark.parametrize(("value", "says"), [
    (b"1e30", "contains 'e'"),  # Decimal() read this as 10^30
    (b"NaN", "no digits"),
    (b"Infinity", "contains 'I'"),
    (b"0x10", "contains 'x'"),
    (b"12abc34", "contains 'a'"),
    (b"1,50", "does not group three digits"),
    (b"9" * 70, "characters long"),  # the bound itself is checked at import, in the document's currency
])
def test_hostile_payable_amounts_name_the_path(value: bytes, says: str) -> None:
    data = _ubl("")
    assert PAYABLE in data
    result = parse_einvoice_bytes(data.replace(PAYABLE, b'<cbc:PayableAmount currencyID="EUR">' + value
                                               + b"</cbc:PayableAmount>"), "x.xml")
    assert not result.documents
    (problem,) = result.problems
    assert problem.column == "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount"
    assert says in problem.message


def test_negative_and_plain_amounts_still_read() -> None:
    for text, value in ((b"-1000.00", "-1000.00"), (b"1000", "1000"), (b"+1000.5", "1000.5")):
        (doc,) = parse_einvoice_bytes(_ubl("").replace(PAYABLE, b'<cbc:PayableAmount currencyID="EUR">' + text
                                                       + b"</cbc:PayableAmount>"), "x.xml").documents
        assert doc.payable == Decimal(value)
