"""One grammar for every amount cobro reads: CSV/XLSX cells, statements, e-invoices, financials, API fields.

An amount is, in this order:

    [sign] [currency] [sign] digits [decimal-separator digits] [currency] [trailing minus]

or the same inside brackets (accounting negative, ``(1.234,56)``).  The rules, each a refusal with a short message:

- **Digits are ASCII 0-9.**  No exponent (``1e30``), no hex (``0x10``), no other scripts (``١٢٣``): an
  unexpected character is named, never deleted.
- **Thousands separators group exactly three digits** (``1.234.567``, ``1 234``, ``1'234``, NBSP and narrow
  NBSP too) and one value uses one kind.  ``1,50`` under decimal ``.`` is an error, not 150.
- **One decimal separator**, ``.`` or ``,``: declared by the caller, or inferred from the value only when that is
  unambiguous (``1.234,5``; ``12,5``; ``1.234.567``).  ``1,234`` with nothing declared is ambiguous and refused,
  except in a zero-decimal currency, where ``1.500.000`` CLP can only mean thousands (Chilean usage): there a
  separator that groups three digits is read as thousands whatever was declared.  COP keeps its ISO 4217 two
  decimals (DIAN e-invoices carry them); Colombian files write ``1.500.000,00`` with a decimal comma, which the
  declared or inferred separator reads as it is.
- **One sign**: a leading ``+``/``-``/``−``, brackets, or a trailing ``-`` (SAP exports write ``1.234,56-``).
  ``--5`` and ``(-5)`` are refused.
- **No more decimals than the currency allows** (trailing zeros are fine: ``10.500`` EUR is 10.50), unless the
  caller passes an explicit rounding rule (a `decimal` rounding constant).
- **A bounded magnitude**: at most `MAX_MINOR` minor units (see below).
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

from cobro.kernel.money import KNOWN_CURRENCIES, exponent

# The bound.  Every stored amount is a signed 64-bit integer of minor units, and every report sums them
# (SQLite's SUM raises "integer overflow" past 2^63 - 1 ≈ 9.22e18; Python and polars int64 columns wrap or fail).
# A tenant of 10 million invoices, each at the bound, must still sum inside 2^63 - 1:
#     10^7 invoices × 10^11 minor units = 10^18 < 9.22 × 10^18,
# which leaves 9x headroom for payments, credit notes and allocations summed in the same query (balances are
# differences of such sums).  10^11 minor units is 1,000,000,000.00 EUR or USD per document, 10^11 CLP
# (≈ 100 million EUR), 10^8 KWD: far above any real B2B invoice, far below anything that can overflow.
MAX_MINOR: Final = 10**11
MAX_LENGTH: Final = 64  # longer text is never an amount; refusing early keeps hostile cells cheap

ROUNDING_RULES: Final = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}

_SIGNS: Final = {"-": True, "\u2212": True, "+": False}
_GROUPERS: Final = frozenset({".", ",", " ", "\u00a0", "\u202f", "\u2009", "'", "\u2019"})
_DECIMALS: Final = frozenset({".", ","})
# symbol -> the currencies it may stand for (empty: too many to check, e.g. "$")
_SYMBOLS: Final[dict[str, frozenset[str]]] = {
    "US$": frozenset({"USD"}), "R$": frozenset({"BRL"}), "S/.": frozenset({"PEN"}), "S/": frozenset({"PEN"}),
    "€": frozenset({"EUR"}), "£": frozenset({"GBP"}), "¥": frozenset({"JPY", "CNY"}), "$": frozenset(),
    "₹": frozenset({"INR"}), "₩": frozenset({"KRW"}), "₡": frozenset({"CRC"}), "₲": frozenset({"PYG"}),
    "₫": frozenset({"VND"}), "₺": frozenset({"TRY"}), "zł": frozenset({"PLN"}), "Kč": frozenset({"CZK"}),
}
_PLAIN: Final = {".": re.compile(r"[0-9]{1,40}(?:\.[0-9]{1,20})?"), ",": re.compile(r"[0-9]{1,40}(?:,[0-9]{1,20})?")}
_CODE_PREFIX: Final = re.compile(r"^([A-Za-z]{3})(?![A-Za-z])")
_CODE_SUFFIX: Final = re.compile(r"(?<![A-Za-z])([A-Za-z]{3})$")


class AmountError(ValueError):
    """Text that is not an amount under the grammar; the message quotes the value and says why."""


def max_amount(currency: str) -> Decimal:
    """The largest magnitude accepted in `currency` (`MAX_MINOR` minor units)."""
    return Decimal(MAX_MINOR).scaleb(-exponent(currency))


def parse_amount(text: str, currency: str = "", *, decimal: str = "auto", rounding: str | None = None) -> Decimal:
    """The amount `text` denotes, or `AmountError`.

    `currency` ("" when unknown: two decimals are assumed for the checks) sets the allowed decimals and the
    bound, and must agree with a symbol or code written in the value.  `decimal` is ".", "," or "auto".
    `rounding` is None (more decimals than the currency allows is an error) or a `decimal` rounding mode.
    """
    plain = _PLAIN.get(decimal)
    if plain is not None and plain.fullmatch(text) and (exponent(currency) if currency else 2) > 0:
        # the common cell ("1234,56" under its file's own separator) read without the general scanner: the
        # same value the grammar gives (no grouping, no sign; zero-decimal currencies take the long way)
        return check_amount(Decimal(text.replace(",", ".")), currency, rounding=rounding, shown=text)
    value, written = _read(text, currency, decimal)
    cur = currency or (written.upper() if written.upper() in KNOWN_CURRENCIES else "")
    return check_amount(value, cur, rounding=rounding, shown=text)


def parse_number(text: str, *, decimal: str) -> Decimal:
    """The grammar's number without the currency's rules: for formats whose currency is settled later (a bank
    statement's entries, an e-invoice's totals), which must pass what they store through `check_amount` with
    that currency, and for figures that are not receivables (a debtor's balance sheet may exceed the bound)."""
    value, _written = _read(text, "", decimal, places=None)
    return value


def _read(raw: str, currency: str, decimal: str, places: int | None = -1) -> tuple[Decimal, str]:
    """(signed value, currency symbol or code written in the text); `places` None skips the zero-decimal rule."""
    if decimal not in ("auto", ".", ","):
        raise ValueError(f"decimal separator must be '.', ',' or 'auto', not {decimal!r}")
    if len(raw) > MAX_LENGTH:
        raise AmountError(f"{raw[:20]!r}… is {len(raw)} characters long: not an amount")
    s = raw.strip()
    if not s:
        raise AmountError("amount is empty")
    negative, core, written = _split_sign_and_currency(raw, s)
    if written and currency:
        _check_written_currency(raw, written, currency)
    if places == -1:
        cur = currency or (written.upper() if written.upper() in KNOWN_CURRENCIES else "")
        places = exponent(cur) if cur else 2
    value = _number(raw, core, decimal, places)
    return (-value if negative else value), written


def parse_minor(text: str, currency: str, *, decimal: str = "auto", rounding: str | None = None) -> int:
    """`parse_amount` as integer minor units of `currency`."""
    return to_minor(parse_amount(text, currency, decimal=decimal, rounding=rounding), currency)


def check_amount(value: Decimal, currency: str = "", *, rounding: str | None = None, shown: str = "") -> Decimal:
    """Apply the bound and decimals rules to a number that did not come as text (XLSX cells, XML decimals)."""
    label = repr(shown) if shown else f"'{value}'"
    if not value.is_finite():
        raise AmountError(f"{label} is not a finite number")
    places = exponent(currency) if currency else 2
    _check_bound(value, currency, places, label)  # first: a huge exponent must not reach quantize()
    quantum = Decimal(1).scaleb(-places)
    if value.quantize(quantum, rounding=ROUND_DOWN) != value:
        if rounding is None:
            allowed = f"{places} decimals" if places else "no decimals"
            raise AmountError(f"{label} has more decimals than {currency or 'the currency'} allows ({allowed})")
        value = value.quantize(quantum, rounding=ROUNDING_RULES.get(rounding, rounding))
        _check_bound(value, currency, places, label)
    return value


def _check_bound(value: Decimal, currency: str, places: int, label: str) -> None:
    limit = Decimal(MAX_MINOR).scaleb(-places)
    if value.adjusted() > limit.adjusted() or abs(value) > limit:
        shown = f"{limit:,.{places}f} {currency}".rstrip()
        raise AmountError(f"{label} is above the largest amount cobro accepts ({shown})")


def to_minor(value: Decimal, currency: str) -> int:
    """Integer minor units of a value `check_amount` accepted."""
    return int(value.scaleb(exponent(currency) if currency else 2).to_integral_value())


def format_amount(value: Decimal, currency: str = "", *, decimal: str = ".", thousands: str = "",
                  negative: str = "-", symbol: str = "", symbol_after: bool = False) -> str:
    """Write `value` in one of the forms the grammar reads (the property tests' inverse of `parse_amount`).

    `negative` is "-" (leading), "()" (brackets) or "trailing" (SAP's trailing minus).
    """
    places = max(0, -int(value.as_tuple().exponent)) if value.is_finite() else 0
    digits = f"{abs(value):.{places}f}"
    whole, _, frac = digits.partition(".")
    if thousands:
        groups = [whole[max(0, i - 3):i] for i in range(len(whole), 0, -3)][::-1]
        whole = thousands.join(groups)
    body = whole + (decimal + frac if frac else "")
    if symbol:
        body = f"{body} {symbol}" if symbol_after else f"{symbol} {body}"
    if value >= 0:
        return body
    if negative == "()":
        return f"({body})"
    if negative == "trailing":
        return f"{body}-"
    return f"-{body}"


def _split_sign_and_currency(raw: str, s: str) -> tuple[bool, str, str]:
    """(negative, the number's text, the currency code or symbol written) — or AmountError."""
    signs = 0
    negative = False
    if s.startswith("(") or s.endswith(")"):
        if not (s.startswith("(") and s.endswith(")")):
            raise AmountError(f"{raw!r} has an unbalanced bracket")
        s, negative, signs = s[1:-1].strip(), True, 1
    written = ""

    def take_sign(text: str, at_end: bool) -> str:
        nonlocal negative, signs
        ch = text[-1:] if at_end else text[:1]
        if ch and ch in _SIGNS and not (at_end and ch == "+"):
            signs += 1
            negative = negative or _SIGNS[ch]
            return (text[:-1] if at_end else text[1:]).strip()
        return text

    def take_currency(text: str, at_end: bool) -> str:
        nonlocal written
        found = _currency_at(text, at_end)
        if not found:
            return text
        if written:
            raise AmountError(f"{raw!r} names a currency twice")
        written = found
        return (text[:-len(found)] if at_end else text[len(found):]).strip()

    s = take_sign(s, at_end=False)
    s = take_currency(s, at_end=False)
    s = take_sign(s, at_end=False)
    s = take_sign(s, at_end=True)
    s = take_currency(s, at_end=True)
    s = take_sign(s, at_end=True)
    if signs > 1:
        raise AmountError(f"{raw!r} has more than one sign")
    if not s:
        raise AmountError(f"{raw!r} has no digits")
    return negative, s, written


def _currency_at(text: str, at_end: bool) -> str:
    for symbol in sorted(_SYMBOLS, key=len, reverse=True):
        if text.endswith(symbol) if at_end else text.startswith(symbol):
            return symbol
    m = (_CODE_SUFFIX if at_end else _CODE_PREFIX).search(text)
    return m.group(1) if m else ""


def _check_written_currency(raw: str, written: str, currency: str) -> None:
    if written in _SYMBOLS:
        allowed = _SYMBOLS[written]
        if allowed and currency not in allowed:
            raise AmountError(f"{raw!r} is written in {written} but the currency is {currency}")
        return
    code = written.upper()
    if code not in KNOWN_CURRENCIES:
        raise AmountError(f"{raw!r} names {written!r}, which is not a currency")
    if code != currency:
        raise AmountError(f"{raw!r} is in {code} but the currency is {currency}")


def _number(raw: str, core: str, declared: str, places: int | None) -> Decimal:
    """The unsigned number in `core` under the separator rules (see the module)."""
    for ch in core:
        if not ("0" <= ch <= "9" or ch in _GROUPERS):
            hint = " (use the digits 0-9)" if ch.isdigit() else ""
            raise AmountError(f"{raw!r} contains {ch!r}, which is not part of an amount{hint}")
    if not ("0" <= core[0] <= "9" or core[0] in _DECIMALS) or not "0" <= core[-1] <= "9":
        raise AmountError(f"{raw!r} does not start and end with a digit")
    separators = [ch for ch in core if ch in _GROUPERS]
    dec = _decimal_separator(raw, core, declared, places, separators)
    whole, frac = (core.rsplit(dec, 1) if dec else (core, ""))
    if any(not ("0" <= ch <= "9") for ch in frac):
        raise AmountError(f"{raw!r} has a separator after the decimal separator {dec!r}")
    digits = _grouped_digits(raw, whole)
    if dec and not frac:
        raise AmountError(f"{raw!r} has no digits after the decimal separator")
    try:
        return Decimal(f"{digits or '0'}.{frac}" if frac else digits)
    except InvalidOperation as exc:  # pragma: no cover - the checks above admit only digits
        raise AmountError(f"{raw!r} is not an amount") from exc


def _decimal_separator(raw: str, core: str, declared: str, places: int | None, separators: list[str]) -> str:
    """Which of "." / "," is the decimal separator in this value ("" when it has none)."""
    marks = [ch for ch in separators if ch in _DECIMALS]
    if not marks:
        return ""
    last = marks[-1]
    tail = core.rsplit(last, 1)[1]
    kinds = set(separators)
    if places == 0 and len(kinds) == 1 and _groups_of_three(core, last):
        return ""  # 1.500.000 CLP: a zero-decimal currency has no decimals to separate
    if declared != "auto":
        if marks.count(declared) > 1:
            raise AmountError(f"{raw!r} uses the decimal separator {declared!r} more than once")
        return declared if declared in marks else ""
    if len(set(marks)) == 2:
        if marks.count(last) > 1:
            raise AmountError(f"{raw!r} uses the decimal separator {last!r} more than once")
        return last
    if len(marks) > 1:
        return ""  # 1.234.567: a repeated mark is a thousands separator
    if len(tail) == 3 and len(kinds) == 1 and _groups_of_three(core, last):
        raise AmountError(f"{raw!r} is ambiguous: {last!r} may be a decimal or a thousands separator "
                          "(declare the decimal separator)")
    return last


def _groups_of_three(core: str, sep: str) -> bool:
    parts = core.split(sep)
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


def _grouped_digits(raw: str, whole: str) -> str:
    """The digits of the integer part, checking that thousands separators group exactly three digits."""
    seps = {ch for ch in whole if ch in _GROUPERS}
    if not seps:
        return whole
    if len(seps) > 1:
        raise AmountError(f"{raw!r} mixes thousands separators {', '.join(repr(c) for c in sorted(seps))}")
    sep = seps.pop()
    if not _groups_of_three(whole, sep):
        raise AmountError(f"{raw!r} has a thousands separator that does not group three digits")
    return whole.replace(sep, "")


def decimal_evidence(text: str) -> str:
    """The decimal separator one value proves ("." or ","), or "" when it proves nothing (``1,234``, ``12``)."""
    marks = [ch for ch in text if ch in _DECIMALS]
    if not marks:
        return ""
    if len(set(marks)) == 2:
        return marks[-1]
    if len(marks) > 1:
        return "," if marks[0] == "." else "."
    head, tail = text.rsplit(marks[0], 1)
    head, tail = head.lstrip("(-+ "), tail.rstrip(")- ")
    if not (tail.isdigit() and tail.isascii()):
        return ""
    # "1,234" proves nothing; "12,5" and "1234,567" do (a thousands group has 1-3 digits before it)
    return marks[0] if len(tail) != 3 or not 1 <= len(head) <= 3 else ""


def infer_decimal(samples: list[str]) -> str:
    """The file's decimal separator from sample values: the one most values prove, "auto" when none proves one.

    "auto" keeps the per-value rule, so an ambiguous ``1,234`` is refused instead of guessed.
    """
    votes = [e for e in (decimal_evidence(s.strip()) for s in samples) if e]
    comma, dot = votes.count(","), votes.count(".")
    if comma == dot:
        return "auto"
    return "," if comma > dot else "."
