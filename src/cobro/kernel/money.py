"""Money on Decimal, never float.

Every amount in cobro is a `Money`: a `Decimal` with an ISO 4217 currency.  Amounts are quantized to the
currency's minor unit at the boundaries (`Money.of`, `from_minor`), and split without losing cents
(`allocate`).  The database stores integer minor units (`to_minor`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

ZERO: Final = Decimal(0)

# ISO 4217 minor-unit exponents for currencies that differ from 2.  Everything else known uses 2.
_EXPONENTS: Final[dict[str, int]] = {
    "CLP": 0, "JPY": 0, "KRW": 0, "ISK": 0, "PYG": 0, "UYI": 0, "VND": 0, "XAF": 0, "XOF": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3, "JOD": 3, "IQD": 3, "LYD": 3,
    "CLF": 4, "UYW": 4,
}
# Currencies cobro accepts.  A closed list so that a typo ("EURO", "eur0") is an error, not a new currency.
KNOWN_CURRENCIES: Final[frozenset[str]] = frozenset(
    ["AED", "ARS", "AUD", "BGN", "BHD", "BOB", "BRL", "CAD", "CHF", "CLF", "CLP", "CNY", "COP", "CRC", "CZK", "DKK", "DOP", "EUR", "GBP", "GTQ", "HKD", "HNL", "HUF", "IDR", "ILS", "INR", "IQD", "ISK", "JOD", "JPY", "KRW", "KWD", "LYD", "MAD", "MXN", "NIO", "NOK", "NZD", "OMR", "PAB", "PEN", "PHP", "PLN", "PYG", "QAR", "RON", "RSD", "SAR", "SEK", "SGD", "THB", "TND", "TRY", "TWD", "USD", "UYI", "UYU", "UYW", "VES", "VND", "XAF", "XOF", "ZAR"]
)


class MoneyError(ValueError):
    """An amount or currency that cannot be money."""


def D(value: str | int | Decimal) -> Decimal:  # noqa: N802 - beancount's short constructor name
    """Build a Decimal from a string, int or Decimal.  Floats are refused on purpose."""
    if isinstance(value, bool | float):
        raise MoneyError(f"refusing to build money from {type(value).__name__} {value!r}")
    if isinstance(value, Decimal):
        return value
    try:
        result = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation as exc:
        raise MoneyError(f"not a number: {value!r}") from exc
    if not result.is_finite():
        raise MoneyError(f"not a finite number: {value!r}")
    return result


def check_currency(code: str) -> str:
    """Return the upper-cased ISO 4217 code or raise `MoneyError`."""
    normalized = code.strip().upper()
    if normalized not in KNOWN_CURRENCIES:
        raise MoneyError(f"unknown currency {code!r}")
    return normalized


def exponent(currency: str) -> int:
    """Number of decimal places of the currency's minor unit."""
    return _EXPONENTS.get(currency, 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-exponent(currency))


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An exact amount in one currency."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise MoneyError(f"Money.amount must be Decimal, got {type(self.amount).__name__}")

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Money rounded half-up to the currency's minor unit."""
        cur = check_currency(currency)
        return cls(D(amount).quantize(quantum(cur), rounding=ROUND_HALF_UP), cur)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.of(0, currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        cur = check_currency(currency)
        return cls(Decimal(int(minor)).scaleb(-exponent(cur)).quantize(quantum(cur)), cur)

    def to_minor(self) -> int:
        """Integer minor units; the amount must already be on the minor-unit grid."""
        scaled = self.amount.scaleb(exponent(self.currency))
        if scaled != scaled.to_integral_value():
            raise MoneyError(f"{self} has more decimals than {self.currency} allows")
        return int(scaled)

    def rounded(self) -> Money:
        return Money(self.amount.quantize(quantum(self.currency), rounding=ROUND_HALF_UP), self.currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, float | bool):
            raise MoneyError("multiply money by int or Decimal, not float")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_positive(self) -> bool:
        return self.amount > 0

    def is_negative(self) -> bool:
        return self.amount < 0

    def allocate(self, ratios: list[int] | list[Decimal]) -> list[Money]:
        """Split by ratios; the parts sum exactly to the whole (largest remainder gets the extra cents)."""
        if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:
            raise MoneyError("allocate needs non-negative ratios with a positive sum")
        total_minor = self.rounded().to_minor()
        weight = sum(Decimal(r) for r in ratios)
        exact = [Decimal(total_minor) * Decimal(r) / weight for r in ratios]
        floors = [int(x.to_integral_value(rounding="ROUND_FLOOR")) for x in exact]
        remainder = total_minor - sum(floors)
        order = sorted(range(len(ratios)), key=lambda i: (exact[i] - floors[i], -i), reverse=True)
        for i in order[:remainder]:
            floors[i] += 1
        return [Money.from_minor(m, self.currency) for m in floors]

    def __str__(self) -> str:
        return f"{self.amount:.{exponent(self.currency)}f} {self.currency}"

    def format_plain(self) -> str:
        """Amount as a plain decimal string on the currency's grid ("1234.50")."""
        return f"{self.amount.quantize(quantum(self.currency)):f}"


def format_minor(minor: int, currency: str) -> str:
    """`Money.from_minor(minor, currency).format_plain()` in integer arithmetic ("1234.50", "1802447"): for the
    hot paths that format every item of a cycle."""
    exp = exponent(currency)
    if not exp:
        return str(minor)
    whole, frac = divmod(abs(minor), 10 ** exp)
    return f"{'-' if minor < 0 else ''}{whole}.{frac:0{exp}d}"


def format_grouped(amount: Decimal | float, currency: str) -> str:
    """With thousands separators and the currency's decimals: "1,234.50" in EUR, "1,234" in CLP."""
    return f"{amount:,.{exponent(currency)}f}"


def sum_money(items: list[Money], currency: str) -> Money:
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total
