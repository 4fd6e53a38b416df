"""The pure rule that says which invoice a credit note's reference names, and how its credit is spread."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from cobro.kernel.money import Money
from cobro.ledger.domain.corrections import Match, apply_credit, compact, resolve_reference, series_number
from cobro.ledger.domain.payments import OpenItem

D = dt.date.fromisoformat


def test_blanks_around_the_hyphen_are_set_aside() -> None:
    found = resolve_reference("E001 - 170", ["E001-169", "E001-170", "F001-170"])
    assert (found.match, found.number) == (Match.COMPACT, "E001-170")


def test_leading_zeros_of_the_number_are_set_aside() -> None:
    found = resolve_reference("F001-00000170", ["F001-170", "F001-1700", "F002-170"])
    assert (found.match, found.number) == (Match.SERIES_NUMBER, "F001-170")
    assert resolve_reference("F001-170", ["F001-00000170"]).number == "F001-00000170"


def test_a_leading_word_is_set_aside() -> None:
    assert resolve_reference("Factura nº F-2026-0012", ["F-2026-0012", "F-2026-0013"]).number == "F-2026-0012"
    assert resolve_reference("Fra. 2026/12", ["2026-12", "2026-13"]).number == "2026-12"
    assert resolve_reference("#A-7", ["A-7"]).number == "A-7"
    # a series that looks like a word stays a series: FT-123 is not 123
    assert series_number("FT-123") == ("FT", 123) and compact("FT-123") == "FT123"


def test_a_folio_alone_finds_the_invoice_ending_in_it() -> None:
    found = resolve_reference("170", ["33-170", "33-171"])
    assert (found.match, found.number) == (Match.NUMBER_ONLY, "33-170")


def test_two_candidates_are_an_ambiguity_not_a_guess() -> None:
    found = resolve_reference("170", ["F001-170", "F002-170"])
    assert (found.match, found.number, found.candidates) == (Match.AMBIGUOUS, "", ("F001-170", "F002-170"))
    assert resolve_reference("F 1", ["F-1", "F1"]).match == Match.AMBIGUOUS
    # the exact number wins over tolerant readings of it
    assert resolve_reference("F-1", ["F-1", "F1"]).number == "F-1"


def test_nothing_named_or_nothing_found() -> None:
    assert resolve_reference("", ["F-1"]).match == Match.NONE
    assert resolve_reference("F-9", ["F-1", "F-2"]).match == Match.NONE
    assert resolve_reference("170-A", ["170"]).match == Match.NONE  # a suffix makes it another document


series = st.from_regex(r"[A-Z]{1,2}[0-9]{0,3}", fullmatch=True)


@given(series, st.integers(min_value=1, max_value=10**7), st.integers(min_value=0, max_value=6),
       st.sampled_from(["-", " - ", "/", " "]))
def test_any_spelling_of_a_series_and_number_finds_it(ser: str, number: int, zeros: int, sep: str) -> None:
    stored = f"{ser}-{number}"
    written = f"{ser}{sep}{'0' * zeros}{number}"
    other = f"{ser}-{number + 1}"
    assert resolve_reference(written, [other, stored]).number == stored


def items(*parts: tuple[str, int, str]) -> list[OpenItem]:
    return [OpenItem("F-1", seq, D(due), Money.of(amount, "EUR")) for amount, seq, due in
            ((str(a), s, d) for a, s, d in parts)]


def test_credit_goes_to_the_earliest_instalment_first_and_the_rest_stays() -> None:
    open_ = items((300, 2, "2026-03-01"), (200, 1, "2026-02-01"))
    taken, left = apply_credit(Money.of("250", "EUR"), open_)
    assert [(a.seq, a.amount) for a in taken] == [(1, Money.of("200", "EUR")), (2, Money.of("50", "EUR"))]
    assert left == Money.zero("EUR")
    taken, left = apply_credit(Money.of("800", "EUR"), open_)
    assert sum((a.amount for a in taken), Money.zero("EUR")) == Money.of("500", "EUR")
    assert left == Money.of("300", "EUR")
    assert apply_credit(Money.of("10", "USD"), open_) == ([], Money.of("10", "USD"))


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=6),
       st.integers(min_value=1, max_value=10**7))
def test_credit_is_conserved_and_never_exceeds_what_is_open(opens: list[int], credit: int) -> None:
    open_ = [OpenItem("F-1", i + 1, D("2026-01-01") + dt.timedelta(days=i), Money.from_minor(m, "EUR"))
             for i, m in enumerate(opens)]
    taken, left = apply_credit(Money.from_minor(credit, "EUR"), open_)
    applied = sum(a.amount.to_minor() for a in taken)
    assert applied + left.to_minor() == credit
    assert applied == min(credit, sum(opens))
    by_seq = {i.seq: i.open_amount.to_minor() for i in open_}
    assert all(0 < a.amount.to_minor() <= by_seq[a.seq] for a in taken)
