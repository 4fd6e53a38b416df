"""Payment terms as people write them in Spanish, Latin American and English exports (`cobro.kernel.terms`)."""

from __future__ import annotations

import datetime as dt

import pytest

from cobro.kernel.terms import ACCEPTED_FORMS, PaymentTerms, TermsError


@pytest.mark.parametrize(("written", "code"), [
    ("contado", "net 0"), ("Al contado", "net 0"), ("due on receipt", "net 0"), ("Pago inmediato", "net 0"),
    ("30 días", "net 30"), ("60 días f.f.", "net 60"), ("60 DFF", "net 60"), ("30 días fecha factura", "net 30"),
    ("30 días fin de mes", "eom 30"), ("60 días F.M.", "eom 60"), ("30 days EOM", "eom 30"), ("net 30 EOM", "eom 30"),
    ("30/60/90", "net 30/60/90"), ("Giros a 30, 60 y 90 días", "net 30/60/90"), ("giro a 60 días", "net 60"),
    ("Recibo domiciliado a 30 días", "net 30"), ("días de pago 10 y 25", "net 0 pay days 10,25"),
    ("60 días, días de pago 5 y 20", "net 60 pay days 5,20"), ("Net30", "net 30"), ("N60", "net 60"),
    ("Transferencia 30 días", "net 30"), ("pagaré 90 días", "net 90"), ("confirming 120 días", "net 120"),
    ("net 60 pay days 10,25", "net 60 pay days 10,25"), ("eom 30/60 pay days 5", "eom 30/60 pay days 5"),
])
def test_written_terms_read_as_their_code(written: str, code: str) -> None:
    terms = PaymentTerms.parse(written)
    assert terms.code() == code
    assert PaymentTerms.parse(code) == terms  # the stored code reads back as the same terms


@pytest.mark.parametrize("written", ["a convenir", "contado 30 días", "30 días y algo", "", "bizum"])
def test_unknown_terms_quote_the_value_and_list_the_forms(written: str) -> None:
    with pytest.raises(TermsError) as caught:
        PaymentTerms.parse(written)
    assert repr(written.strip()) in str(caught.value)
    assert all(repr(form) in str(caught.value) for form in ACCEPTED_FORMS)


def test_instalments_fall_due_one_by_one_and_must_increase() -> None:
    terms = PaymentTerms.parse("30/60/90")
    assert terms.due_dates(dt.date(2026, 1, 31)) == (dt.date(2026, 3, 2), dt.date(2026, 4, 1), dt.date(2026, 5, 1))
    assert terms.due_date(dt.date(2026, 1, 31)) == dt.date(2026, 5, 1)  # everything due by the last one
    assert PaymentTerms.parse("30 días fin de mes").due_dates(dt.date(2026, 1, 10)) == (dt.date(2026, 3, 2),)
    with pytest.raises(TermsError, match="60/30"):
        PaymentTerms.parse("60/30")
