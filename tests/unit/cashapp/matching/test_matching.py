"""The pure matcher: references, payer identification, amounts, confidence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cobro.cashapp.domain.matching import (
    CustomerInfo,
    Item,
    Line,
    MatchIndex,
    Policy,
    find_combination,
    match_line,
)
from cobro.cashapp.domain.matching_text import (
    digit_candidates,
    name_similarity,
    name_tokens,
    reference_candidates,
)

D1 = dt.date(2026, 1, 31)
D2 = dt.date(2026, 2, 28)
D3 = dt.date(2026, 3, 31)


def index() -> MatchIndex:
    items = [
        Item(1, 10, "F-2026-000101", D1, 121000, "EUR"),
        Item(2, 10, "F-2026-000102", D2, 50000, "EUR"),
        Item(3, 10, "F-2026-000103", D3, 30050, "EUR"),
        Item(4, 20, "F-2026-000201", D1, 99900, "EUR"),
        Item(5, 20, "F-2026-000202", D2, 45000, "EUR"),
    ]
    customers = [
        CustomerInfo(10, "Construcciones Levante SL", "B12345674", (), ("ES9121000418450200051332",)),
        CustomerInfo(20, "Distribuidora Núñez SA", "A58818501"),
    ]
    return MatchIndex(items, customers)


def line(amount: int, remittance: str = "", name: str = "", account: str = "") -> Line:
    return Line("k", amount, "EUR", D3, "", remittance, "", name, account)


def test_text_normalisation() -> None:
    assert "F2026000101" in reference_candidates("PAGO FRA F-2026-000101")
    assert "2026000101" in digit_candidates("fra 2026/000101 y 2026 000102")
    assert name_tokens("CONSTRUCC. LEVANTE S.L.") == ("CONSTRUCC", "LEVANTE")
    assert name_similarity(name_tokens("CONSTRUCC. LEVANTE S.L."), name_tokens("Construcciones Levante SL")) > 0.9


def test_exact_reference_and_amount_is_automatic() -> None:
    m = match_line(line(121000, "FRA F-2026-000101"), index(), Policy())
    assert (m.customer_id, m.items, m.designated, m.auto) == (10, (1,), True, True)
    assert m.confidence >= Decimal("0.95")


def test_reference_with_prefix_spaces_and_no_series() -> None:
    m = match_line(line(171000, "FACTURAS 2026 000101, 2026/000102"), index(), Policy())
    assert set(m.items) == {1, 2} and m.auto


def test_mistyped_digit_is_found_and_corroborated_by_amount() -> None:
    m = match_line(line(99900, "FRA F-2026-000210", "DISTRIBUIDORA NUNEZ"), index(), Policy())
    assert m.items == (4,) and m.customer_id == 20 and m.auto


def test_fee_deducted() -> None:
    m = match_line(line(120250, "F-2026-000101"), index(), Policy())
    assert m.fee_minor == 750 and m.items == (1,) and m.auto


def test_partial_payment_keeps_designation() -> None:
    m = match_line(line(60000, "F-2026-000101"), index(), Policy())
    assert m.items == (1,) and "partial" in m.reason


def test_no_reference_known_iban_combination() -> None:
    m = match_line(line(80050, "", "", "ES91 2100 0418 4502 0005 1332"), index(), Policy())
    assert m.customer_id == 10 and set(m.items) == {2, 3} and m.auto and not m.designated


def test_fuzzy_payer_name_and_single_item() -> None:
    m = match_line(line(45000, "TRANSFERENCIA", "DISTRIB. NUÑEZ S.A."), index(), Policy())
    assert m.customer_id == 20 and m.items == (5,)


def test_tax_id_in_text() -> None:
    m = match_line(line(99900, "PAGO A58818501"), index(), Policy())
    assert m.customer_id == 20 and m.items == (4,)


def test_unknown_payer_goes_to_review() -> None:
    m = match_line(line(12345, "DEVOLUCION IVA", "AEAT"), index(), Policy())
    assert not m.auto and m.customer_id is None and m.confidence == 0


def test_threshold_is_the_tenants() -> None:
    lenient = match_line(line(45000, "TRANSFERENCIA", "DISTRIB. NUÑEZ S.A."), index(), Policy(threshold=Decimal("0.5")))
    strict = match_line(line(45000, "TRANSFERENCIA", "DISTRIB. NUÑEZ S.A."), index(), Policy(threshold=Decimal("0.99")))
    assert lenient.auto and not strict.auto


def test_subset_sum_is_bounded_and_prefers_exact() -> None:
    items = [Item(i, 1, f"N{i}", D1, 1000 + i, "EUR") for i in range(1, 30)]
    sols, fee = find_combination(items, 1001 + 1002 + 1003, Policy())
    assert fee == 0 and sols and sum(i.open_minor for i in sols[0]) == 3006
    assert find_combination(items, 10**9, Policy(max_combos=100)) == ([], 0)


def test_settle_lowers_open_amounts() -> None:
    idx = index()
    idx.settle({1: 121000})
    m = match_line(line(121000, "FRA F-2026-000101"), idx, Policy())
    assert 1 not in m.items
