"""Header matching without a mapping: one synonyms table, folded headers, ambiguity, and the docs table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cobro.ledger.domain.headers import (
    FIELDS,
    KINDS,
    REQUIRED,
    SYNONYMS,
    markdown_table,
    match_headers,
    normalise_header,
)

DOCS = Path(__file__).resolve().parents[3] / "docs" / "ledger.md"


@pytest.mark.parametrize("header", ["Nº Factura", "N.º factura", "Num. factura", "Número de factura", "NUMERO FACTURA",
                                    "nº_factura", "No. factura"])
def test_invoice_number_headers_fold_to_one(header: str) -> None:
    assert normalise_header(header) == "num_factura"
    assert match_headers("invoices", ["x", header]).columns["invoice_number"] == 1


@pytest.mark.parametrize(("kind", "headers", "expected"), [
    ("invoices", ["Nº Factura", "Cód. cliente", "Cliente", "Fecha", "Fecha vto.", "Pendiente", "Moneda"],
     {"invoice_number": 0, "customer_code": 1, "customer_name": 2, "issue_date": 3, "due_date": 4, "amount": 5,
      "currency": 6}),
    ("customers", ["Cliente", "Nombre", "CIF", "C.P.", "Población", "Provincia", "País", "Dirección", "Idioma",
                   "Forma de pago"],
     {"code": 0, "legal_name": 1, "tax_id": 2, "postal_code": 3, "city": 4, "region": 5, "country": 6, "address": 7,
      "language": 8, "terms": 9}),
    ("contacts", ["Cód. cliente", "Nombre", "E-mail", "Teléfono", "Idioma"],
     {"customer_code": 0, "name": 1, "email": 2, "phone": 3, "language": 4}),
    ("payments", ["Referencia", "Cliente", "Fecha cobro", "Importe", "Divisa", "Factura", "Forma de pago"],
     {"reference": 0, "customer_code": 1, "date": 2, "amount": 3, "currency": 4, "invoice_number": 5, "method": 6}),
    ("customers", ["CardCode", "CardName", "LicTradNum", "Country", "PymntGroup"],  # SAP Business One
     {"code": 0, "legal_name": 1, "tax_id": 2, "country": 3, "terms": 4}),
    ("invoices", ["Folio", "RFC", "Fecha", "Total", "Moneda", "Customer ID"],  # Contpaqi-like
     {"invoice_number": 0, "tax_id": 1, "issue_date": 2, "amount": 3, "currency": 4, "customer_code": 5}),
])
def test_erp_headers_map_with_no_mapping(kind: str, headers: list[str], expected: dict[str, int]) -> None:
    match = match_headers(kind, headers)
    assert match.columns == expected
    assert not match.ambiguous and not match.unused


def test_best_tier_wins_and_same_tier_is_ambiguous() -> None:
    better = match_headers("invoices", ["Total", "Pendiente"])
    assert better.columns["amount"] == 0
    assert "also names amount" in better.unused[1]
    assert match_headers("customers", ["NIF", "CIF"]).ambiguous == [("tax_id", "NIF", "CIF")]


def test_a_mapped_column_wins_and_the_reason_says_so() -> None:
    match = match_headers("invoices", ["Importe", "Total"], {"amount": "Importe"}, "m.yaml")
    assert match.columns["amount"] == 0
    assert match.reasons["amount"] == "mapped to 'Importe' in m.yaml"
    assert match_headers("invoices", ["Factura"]).reasons["invoice_number"] == "tier-1 synonym of invoice_number"


def test_every_kind_has_its_required_fields_and_synonyms_are_unique_per_tier() -> None:
    for kind in KINDS:
        assert set(REQUIRED[kind]) <= set(FIELDS[kind])
        for fld, tiers in SYNONYMS[kind].items():
            seen = [normalise_header(w) for tier in tiers for w in tier]
            dupes = {n for n in seen if seen.count(n) > 1} - {"cod_cliente"}  # "Cód." and "Código" fold alike
            assert not dupes, (kind, fld, dupes)
            assert all(normalise_header(w) for tier in tiers for w in tier)


def test_the_docs_table_is_generated_from_the_synonyms() -> None:
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(r"<!-- import-fields:start -->\n(.*?)<!-- import-fields:end -->", text, re.DOTALL)
    assert found, "docs/ledger.md lost its import-fields block"
    assert found.group(1) == markdown_table(), (
        "docs/ledger.md is out of date: paste cobro.ledger.domain.headers.markdown_table() between the markers")
