"""PDFs: text-layer snapshots, deterministic bytes with a fixed creation date, Latin-1 fallback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from cobro.delivery.channels import pdf
from cobro.interest.domain import compute_late_interest
from cobro.platform.rates import RateBook

CREATED = dt.datetime(2026, 3, 21, 9, 0, tzinfo=dt.UTC)


def _statement(context: dict[str, Any], language: str) -> pdf.PdfDocument:
    claims = [pdf.InterestClaim("F-2026-0101", "EUR", Decimal("1234.56"), 40, Decimal("13.73"), Decimal("40.00"),
                                "10.15 %")]
    return pdf.statement_pdf(creditor=context["creditor"], customer=context["customer"], items=context["items"],
                             total=context["total"], as_of=context["as_of"], language=language, interest=claims,
                             created=CREATED)


def _pack(context: dict[str, Any], language: str) -> pdf.PdfDocument:
    result = compute_late_interest("ES", Decimal("1234.56"), "EUR", dt.date(2026, 2, 9), dt.date(2025, 3, 21)
                                   .replace(year=2026), rates=RateBook())
    demands = [
        pdf.Demand(dt.date(2026, 2, 12), "email", "reminder_1", "ana@ferreteria.example",
                   "<cobro.default.1f2e@example.com>"),
        pdf.Demand(dt.date(2026, 3, 2), "whatsapp", "whatsapp_reminder", "+34600111222", "wamid.HBgL"),
        pdf.Demand(dt.date(2026, 3, 16), "letter", "final_notice", "Ferretería Martínez", "letters/default-7.pdf"),
    ]
    return pdf.evidence_pack_pdf(
        creditor=context["creditor"], customer=context["customer"], invoices=context["items"], demands=demands,
        broken_promises=[pdf.BrokenPromise(dt.date(2026, 3, 1), Decimal("500.00"), "EUR", "Ana López", "phone")],
        disputes=[pdf.Dispute(dt.date(2026, 2, 20), "price difference", Decimal("120.00"), "EUR", "resolved",
                              "F-2026-0150")],
        interest=[pdf.interest_claim("F-2026-0101", result)], as_of=context["as_of"], case_reference="ESC-0001",
        credit_stop=True, language=language, created=CREATED)


@pytest.mark.parametrize("language", ["es", "en"])
def test_statement_snapshot(context: dict[str, Any], snapshot: Callable[[str, str], None], language: str) -> None:
    doc = _statement(context, language)
    assert doc.content.startswith(b"%PDF-")
    snapshot(f"{language}-statement.pdf.txt", doc.text_layer())


@pytest.mark.parametrize("language", ["es", "en"])
def test_evidence_pack_snapshot(context: dict[str, Any], snapshot: Callable[[str, str], None],
                                language: str) -> None:
    doc = _pack(context, language)
    text = doc.text_layer()
    assert "wamid.HBgL" in text and "ESC-0001" in text
    snapshot(f"{language}-evidence-pack.pdf.txt", text)


def test_letter_snapshot(context: dict[str, Any], snapshot: Callable[[str, str], None]) -> None:
    doc = pdf.letter_pdf(creditor=context["creditor"], recipient={"name": "Ferretería Martínez",
                         "address": ["Av. Sol 3", "41001 Sevilla"]}, title="Requerimiento de pago",
                         body="Estimado cliente:\n\nLe requerimos el pago de 1.234,56 €.", date="2026-03-21",
                         created=CREATED)
    snapshot("es-letter.pdf.txt", doc.text_layer())


def test_same_input_same_bytes(context: dict[str, Any]) -> None:
    assert _pack(context, "es").content == _pack(context, "es").content
    assert _statement(context, "en").content == _statement(context, "en").content


def test_core_font_fallback_transliterates(context: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Any) -> None:
    monkeypatch.setattr(pdf, "DEJAVU_DIR", tmp_path)  # no fonts there
    context["customer"]["legal_name"] = "Łódź Trading Sp. z o.o. “Ω”"
    doc = _statement(context, "es")
    assert doc.content.startswith(b"%PDF-")
    assert b"/Helvetica" in doc.content
