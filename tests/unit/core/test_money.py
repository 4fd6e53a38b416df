from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.kernel.money import D, Money, MoneyError, format_grouped, format_minor


def test_money_rounds_half_up_to_minor_unit() -> None:
    assert Money.of("10.005", "EUR").amount == Decimal("10.01")
    assert Money.of("1000.4", "CLP").amount == Decimal("1000")
    assert Money.of("1.0005", "KWD").amount == Decimal("1.001")


def test_money_refuses_floats_and_unknown_currencies() -> None:
    with pytest.raises(MoneyError):
        D(0.1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money.of("1", "EURO")
    with pytest.raises(MoneyError):
        Money.of("1", "EUR") + Money.of("1", "USD")


def test_minor_units_round_trip() -> None:
    assert Money.of("1234.56", "EUR").to_minor() == 123456
    assert Money.from_minor(123456, "EUR") == Money.of("1234.56", "EUR")
    assert Money.from_minor(5000, "CLP").format_plain() == "5000"


def test_allocate_spreads_cents_without_loss() -> None:
    parts = Money.of("100.00", "EUR").allocate([1, 1, 1])
    assert [p.format_plain() for p in parts] == ["33.34", "33.33", "33.33"]


@given(
    cents=st.integers(min_value=-10**12, max_value=10**12),
    ratios=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(lambda r: sum(r) > 0),
)
def test_allocate_sums_to_the_whole(cents: int, ratios: list[int]) -> None:
    total = Money.from_minor(cents, "EUR")
    parts = total.allocate(ratios)
    assert sum(p.to_minor() for p in parts) == cents
    assert len(parts) == len(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        if ratio == 0:
            assert part.to_minor() == 0
        exact = Decimal(cents) * ratio / sum(ratios)
        assert abs(part.to_minor() - exact) < 1


def test_format_grouped_uses_the_currency_decimals() -> None:
    assert format_grouped(Decimal("50700294"), "CLP") == "50,700,294"
    assert format_grouped(Decimal("1234.5"), "EUR") == "1,234.50"
    assert format_grouped(1234.567, "KWD") == "1,234.567"


@given(st.integers(min_value=-10**15, max_value=10**15), st.sampled_from(["EUR", "CLP", "KWD", "MXN", "JPY"]))
def test_format_minor_is_format_plain_in_integers(minor: int, currency: str) -> None:
    assert format_minor(minor, currency) == Money.from_minor(minor, currency).format_plain()
