"""Joint evidence: amounts weighed by how rare a coincidence is, mistyped and truncated references that the
amount picks out, unique amounts in the whole book, word order in payer names."""

from __future__ import annotations

import datetime as dt

from cobro.cashapp.domain.matching import CustomerInfo, Item, Line, MatchIndex, Policy, match_line
from cobro.cashapp.domain.matching_amount import amount_lr, bayes, find_combination, fit_lr
from cobro.cashapp.domain.matching_text import name_similarity, name_tokens

D = dt.date(2026, 3, 31)


def line(amount: int, remittance: str = "", name: str = "", account: str = "") -> Line:
    return Line("k", amount, "EUR", D, "", remittance, "", name, account)


def book(n_customers: int = 40, per: int = 10) -> tuple[list[Item], list[CustomerInfo]]:
    """Dense sequential numbering (every one-digit variant of a number exists) and spread-out amounts."""
    items, customers, seq = [], [], 0
    for c in range(1, n_customers + 1):
        customers.append(CustomerInfo(c, f"Cliente{c:03d} Talleres SL"))
        for _ in range(per):
            seq += 1
            items.append(Item(seq, c, f"F2026-{seq:07d}", D, 10_000 + seq * 7_919 % 900_000 + 13, "EUR"))
    return items, customers


def test_bayes_and_capped_likelihood_ratio() -> None:
    assert abs(bayes(0.5, 1.0) - 0.5) < 1e-9
    assert bayes(0.5, 9.0) > 0.89
    policy = Policy()
    assert amount_lr(0.0, policy) == policy.max_amount_lr  # never certainty
    assert amount_lr(10.0, policy) < 0.1  # a fit expected by chance is no evidence


def test_fit_lr_exact_beats_fee_and_no_fit_counts_against() -> None:
    items = [Item(i, 1, f"N{i}", D, 100_000 + 5_237 * i, "EUR") for i in range(1, 11)]
    policy = Policy()
    exact_sols, fee = find_combination(items, items[0].open_minor, policy)
    exact = fit_lr(items, exact_sols, fee, items[0].open_minor, 1e-6, policy)
    short_sols, short_fee = find_combination(items, items[0].open_minor - 700, policy)
    short = fit_lr(items, short_sols, short_fee, items[0].open_minor - 700, 1e-6, policy)
    assert short_fee == 700 and exact > short > 1.0
    assert fit_lr(items, [], 0, 1, 1e-6, policy) < 1.0


def test_amount_rate_reflects_the_book() -> None:
    idx = MatchIndex(*book())
    common = idx.amount_rate(450_000)
    assert common > idx.amount_rate(50_000_000)  # far outside the book: rare
    assert idx.amount_rate(450_013) < idx.amount_rate(450_000)  # whole units: round figures are likelier


def test_word_order_breaks_a_tie_between_names() -> None:
    payer = name_tokens("HIERROS GIL SANTIAGO")
    assert name_similarity(payer, name_tokens("Hierros Gil Santiago SA")) > \
        name_similarity(payer, name_tokens("Hierros Santiago Gil SA"))


def test_weak_name_plus_exact_amount_is_joint_evidence() -> None:
    items = [Item(1, 1, "F2026-0000001", D, 123_457, "EUR"), Item(2, 1, "F2026-0000002", D, 88_001, "EUR"),
             Item(3, 2, "F2026-0000003", D, 123_000, "EUR"), Item(4, 2, "F2026-0000004", D, 70_011, "EUR")]
    customers = [CustomerInfo(1, "Hierros Gil Santiago SA"), CustomerInfo(2, "Hierros Santiago Gil SA")]
    idx = MatchIndex(items, customers)
    # both names fit the payer about equally: alone that is a coin toss, but only customer 2 has this amount
    m = match_line(line(70_011, "PAGO", "HIERROS SANTIAGO GIL"), idx, Policy())
    assert m.customer_id == 2 and m.items == (4,) and m.auto
    # ... and without the amount fitting anyone, the same name goes to review
    m = match_line(line(55_555, "PAGO", "HIERROS SANTIAGO GIL"), idx, Policy())
    assert not m.auto


def test_mistyped_digit_onto_an_existing_number_is_retargeted_by_the_amount() -> None:
    idx = MatchIndex(*book())
    true = idx.by_id[123]  # F2026-0000123; the payer typed 0000132 (swapped), which also exists
    typed = idx.by_id[132]
    assert typed.open_minor != true.open_minor
    m = match_line(line(true.open_minor, f"FRA {typed.number}", "CLIENTE013 TALLERES"), idx, Policy())
    assert m.items == (123,) and m.customer_id == true.customer_id and m.auto
    # the named invoice paid in full stays the named invoice
    m = match_line(line(typed.open_minor, f"FRA {typed.number}"), idx, Policy())
    assert m.items == (132,)


def test_mistyped_digit_to_a_missing_number_is_picked_by_the_amount() -> None:
    items, customers = book()
    idx = MatchIndex(items, customers)
    true = idx.by_id[205]  # F2026-0000205 typed with a digit that exists nowhere: 2 -> 9 gives 0000905
    m = match_line(line(true.open_minor, "FRA F2026-0000905"), idx, Policy())
    assert m.items == (205,) and m.auto


def test_truncated_reference_with_many_completions_is_picked_by_the_amount() -> None:
    idx = MatchIndex(*book())
    true = idx.by_id[215]  # F2026-0000215: '2026000021' completes to 2026000021x, ten numbers
    m = match_line(line(true.open_minor, "PAGO FACTURA F2026-000021"), idx, Policy())
    assert m.items == (215,) and m.customer_id == true.customer_id and m.auto
    m = match_line(line(1, "PAGO FACTURA F2026-000021"), idx, Policy())
    assert not m.auto  # a truncated reference alone is ambiguous


def test_unique_rare_amount_in_the_whole_book() -> None:
    items, customers = book()
    items.append(Item(999, 7, "F2026-0000999", D, 98_765_432, "EUR"))  # far above every other amount
    idx = MatchIndex(items, customers)
    m = match_line(line(98_765_432, "TRANSFERENCIA", "", "ES7620770024003102575766"), idx, Policy())
    assert m.customer_id == 7 and m.items == (999,) and m.auto and not m.designated
    # a payer name that is not that customer's contradicts it
    m = match_line(line(98_765_432, "DEVOLUCION", "AGENCIA TRIBUTARIA"), idx, Policy())
    assert m.customer_id is None and not m.auto
    # in a band where the book is dense, a unique exact amount is no evidence: coincidences are expected
    dense = [Item(10_000 + k, 1 + k % 40, f"G2026-{k:07d}", D, 200_000 + 3 * k, "EUR") for k in range(3000)]
    idx = MatchIndex(items + dense, customers)
    m = match_line(line(200_000 + 3 * 1234, "TRANSFERENCIA"), idx, Policy())
    assert idx.amount_hits(200_000 + 3 * 1234)[0] == 1 and not m.auto


def test_settle_keeps_the_amount_lookup_honest() -> None:
    items, customers = book()
    items.append(Item(999, 7, "F2026-0000999", D, 98_765_432, "EUR"))
    idx = MatchIndex(items, customers)
    assert idx.amount_hits(98_765_432) == (1, idx.by_id[999])
    idx.settle({999: 98_765_432})
    assert idx.amount_hits(98_765_432)[0] == 0
    assert not match_line(line(98_765_432, "TRANSFERENCIA"), idx, Policy()).auto
