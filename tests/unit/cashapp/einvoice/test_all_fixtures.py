"""Sweep: every sample in the e-invoice fixture folders is either parsed or refused as "not an invoice"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cobro.cashapp.einvoice import parse_einvoice

from ._fixtures import FIXTURES

FOLDERS = ("facturae", "ubl-peppol", "cfdi", "pe-ubl", "cl-sii/sii-dte", "cl-sii/sii-rtc")
REFUSED = {"openubl-R-12345678901-01-F001-00000587.xml", "openubl-R-20220557805-01-F001-22Openubl.xml"}


def _samples() -> list[str]:
    found = []
    for folder in FOLDERS:
        base = FIXTURES / folder
        if base.exists():
            found.extend(str(p.relative_to(FIXTURES)) for p in sorted(base.rglob("*"))
                         if p.suffix in (".xml", ".xsig"))
    return found


SAMPLES = _samples()


@pytest.mark.skipif(not SAMPLES, reason=f"e-invoice fixtures not available at {FIXTURES}")
@pytest.mark.parametrize("relative", SAMPLES or ["-"])
def test_sample(relative: str) -> None:
    result = parse_einvoice(FIXTURES / relative)
    name = relative.rsplit("/", 1)[-1]
    if name in REFUSED or "AEC--" in name or "signature_xml" in name:
        assert result.documents == ()
        assert [p.code for p in result.problems] == ["not_an_invoice"]
        return
    assert not result.problems, [str(p) for p in result.problems]
    assert result.documents
    for doc in result.documents:
        assert isinstance(doc.total, Decimal) and isinstance(doc.payable, Decimal)
        assert doc.currency and doc.issue_date
        assert doc.seller.tax_id or doc.warnings, "a missing tax id is always reported"
        assert all(isinstance(i.amount, Decimal) for i in doc.instalments)
        if doc.kind == "invoice" and not doc.paid_at_issue:
            assert doc.instalments, "an open invoice always has a schedule"
        assert doc.source.startswith(name + "#")
