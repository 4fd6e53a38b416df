"""The creditor's logo goes on the letterhead of letters and packs; one that cannot be drawn is left out."""

from __future__ import annotations

import datetime as dt

import pytest

from cobro.delivery.service.documents import evidence_pack_pdf
from cobro.demo.creditor import LOGO_SVG
from tests.unit.tenancy.test_profile_rules import png

CREDITOR = {"name": "Suministros Iberia Demo SL", "tax_id": "B58818501", "address": ["Calle de la Industria 42"]}


def pack(logo: bytes | None) -> str:
    return evidence_pack_pdf(creditor=CREDITOR, customer={"legal_name": "Cliente SL", "code": "C1"}, invoices=[],
                             demands=[], broken_promises=[], disputes=[], interest=[], as_of=dt.date(2026, 5, 31),
                             logo=logo).text_layer()


@pytest.mark.parametrize("logo", [LOGO_SVG, png(120, 40)], ids=["svg", "png"])
def test_a_logo_is_drawn(logo: bytes) -> None:
    assert pack(logo).startswith("[logo]\n")


def test_no_logo_or_an_undrawable_one_leaves_the_document_whole() -> None:
    assert "[logo]" not in pack(None)
    text = pack(b"\x89PNG\r\n\x1a\nbroken")
    assert "[logo]" not in text and "Suministros Iberia Demo SL" in text
