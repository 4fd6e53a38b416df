"""Statutory late-payment interest and fixed compensation (docs/domain.md §1, implementation spec §1.9).

Business rules, per jurisdiction (`compute_late_interest(jurisdiction=...)`):

* ``ES`` Ley 3/2004 art. 7-8: the published legal rate of the calendar half-year in which *each day* falls (split at
  1 Jan, 1 Jul and at 2013-02-24); EUR 40 per late invoice.
* ``EU`` Directive 2011/7/EU (generic member state): ECB MRO rate in force on 1 Jan / 1 Jul + 8 points, per half-year
  (dynamic, like Spain); EUR 40 per late invoice.
* ``UK`` (alias ``GB``) Late Payment of Commercial Debts (Interest) Act 1998: Bank of England base rate + 8 points,
  FIXED for the whole debt by the half-year in which it fell overdue (the day after the due date); £40 / £70 / £100
  by debt size (< 1,000; < 10,000; ≥ 10,000).
* ``CL`` Ley 19.983: the CMF "interés corriente" of each month (operator-supplied table); fixed fee 1 % of the
  unpaid balance.
* ``MX`` Código de Comercio art. 362: 6 % a year unless a rate was agreed.
* ``CO`` Código de Comercio art. 884: 1.5 × the "interés bancario corriente" of each month (operator-supplied).
* ``PE`` Código Civil arts. 1244-1246: the BCRP legal rate of each period (operator-supplied).

Conventions: simple interest ``I = P × r × d / basis`` with Decimal throughout and a single half-up rounding of the
total; default basis ACT/365 Fixed.  Interest runs from the day after the due date up to and including the end
(payment) date, i.e. ``(end − due).days`` days.  A partial payment dated ``p`` still bears interest on day ``p`` and
reduces the principal from ``p + 1`` (so paying everything on ``p`` equals one final payment on ``p``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, Literal

from cobro.kernel.errors import CobroError
from cobro.kernel.money import ZERO, quantum
from cobro.kernel.rates import RateRow, RateSource, RateTable, half_year_bounds, half_year_label

DayCount = Literal["ACT/365F", "ACT/360", "ACT/ACT"]
_HUNDRED: Final = Decimal(100)


class InterestError(CobroError):
    """Late interest cannot be computed: unknown jurisdiction, missing rate, bad amounts or dates."""


@dataclass(frozen=True, slots=True)
class Payment:
    """A partial payment of `amount` received on `date`."""

    date: dt.date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class InterestPeriod:
    """One segment of constant principal and rate; `interest` keeps full precision (round only the total)."""

    start: dt.date  # inclusive
    end: dt.date  # inclusive
    days: int
    rate: Decimal  # applied rate, percent a year (spread and multiplier included)
    principal: Decimal
    interest: Decimal
    source: str
    status: str  # V / K / ? of the rate row ("" for statutory constants or agreed rates)


@dataclass(frozen=True, slots=True)
class InterestResult:
    """Late interest and compensation for one invoice.

    `principal` is the invoice amount; `balance` = principal − partial payments (settled, or still owed, on
    `end_date`); `claim` = interest + compensation; `total` = balance + claim.
    """

    jurisdiction: str
    currency: str
    principal: Decimal
    balance: Decimal
    due_date: dt.date
    end_date: dt.date
    days_late: int
    interest: Decimal
    interest_exact: Decimal
    compensation: Decimal
    claim: Decimal
    total: Decimal
    day_count: str
    periods: tuple[InterestPeriod, ...]
    notes: tuple[str, ...] = ()


CompensationRule = Callable[[Decimal], Decimal]


def _uk_bands(debt: Decimal) -> Decimal:
    if debt < 1000:
        return Decimal(40)
    if debt < 10000:
        return Decimal(70)
    return Decimal(100)


@dataclass(frozen=True, slots=True)
class JurisdictionRule:
    """How one jurisdiction computes statutory interest.  `mode`: dynamic (rate of each day), fixed (rate of the
    overdue day for the whole debt), flat (a constant `flat_rate`)."""

    code: str
    name: str
    mode: Literal["dynamic", "fixed", "flat"]
    table_id: str = ""
    spread: Decimal = ZERO
    multiplier: Decimal = Decimal(1)
    flat_rate: Decimal = ZERO
    compensation: CompensationRule | None = None
    compensation_currency: str = ""  # "" = any currency (e.g. a percentage)
    missing_label: Literal["half-year", "month", "day"] = "half-year"


RULES: Final[dict[str, JurisdictionRule]] = {
    "ES": JurisdictionRule("ES", "Spain, Ley 3/2004", "dynamic", "es_ley_3_2004",
                           compensation=lambda _debt: Decimal(40), compensation_currency="EUR"),
    "EU": JurisdictionRule("EU", "EU Directive 2011/7/EU (ECB MRO + 8)", "dynamic", "eu_ecb_mro", spread=Decimal(8),
                           compensation=lambda _debt: Decimal(40), compensation_currency="EUR"),
    "UK": JurisdictionRule("UK", "UK Late Payment of Commercial Debts (Interest) Act 1998", "fixed", "uk_boe_base",
                           spread=Decimal(8), compensation=_uk_bands, compensation_currency="GBP"),
    "CL": JurisdictionRule("CL", "Chile, Ley 19.983 (CMF interés corriente)", "dynamic", "cl_cmf_corriente",
                           compensation=lambda debt: debt / _HUNDRED, missing_label="month"),
    "MX": JurisdictionRule("MX", "Mexico, Código de Comercio art. 362", "flat", flat_rate=Decimal(6)),
    "CO": JurisdictionRule("CO", "Colombia, Código de Comercio art. 884 (1.5 × bancario corriente)", "dynamic",
                           "co_sfc_bancario_corriente", multiplier=Decimal("1.5"), missing_label="month"),
    "PE": JurisdictionRule("PE", "Peru, Código Civil art. 1246 (tasa legal BCRP)", "dynamic", "pe_bcrp_legal",
                           missing_label="day"),
}
ALIASES: Final = {"GB": "UK", "SPAIN": "ES"}


def supported_jurisdictions() -> list[str]:
    return sorted(RULES)


def rule_for(jurisdiction: str) -> JurisdictionRule:
    """The rule for a jurisdiction code (case-insensitive), or `InterestError` listing the supported ones."""
    code = jurisdiction.strip().upper()
    code = ALIASES.get(code, code)
    if code not in RULES:
        raise InterestError(
            f"unknown jurisdiction {jurisdiction!r}: supported are {', '.join(supported_jurisdictions())} (GB = UK)"
        )
    return RULES[code]


# the operator's name for each rate series (`cobro rates add --kind`), by jurisdiction; the rate is the table's:
# ES the published legal rate (spread included), EU the ECB MRO and UK the Bank of England base rate (both before
# the 8 points), CL the CMF corriente, CO the bancario corriente (before the 1.5 multiplier), PE the BCRP legal rate
RATE_KINDS: Final = {"ES": "legal", "EU": "reference", "UK": "reference", "CL": "corriente",
                     "CO": "bancario_corriente", "PE": "legal"}


def rate_table_for(jurisdiction: str, kind: str = "") -> str:
    """The rate table an operator's row for `jurisdiction` (and `kind`, default its statutory series) goes to;
    `InterestError` for an unknown jurisdiction or kind, or for Mexico, whose rate is fixed by statute."""
    rule = rule_for(jurisdiction)
    if rule.mode == "flat":
        raise InterestError(f"{rule.code} has no rate table: {rule.name} fixes {rule.flat_rate} % a year "
                            "(a contractual rate is given per computation, --agreed-rate)")
    wanted = kind.strip().lower()
    if wanted in ("", RATE_KINDS[rule.code], rule.table_id):
        return rule.table_id
    raise InterestError(f"unknown rate kind {kind!r} for {rule.code}: use {RATE_KINDS[rule.code]} "
                        f"(table {rule.table_id})")


def statutory_rate_on(jurisdiction: str, day: dt.date, rates: RateSource) -> Decimal | None:
    """The statutory late-payment rate (percent a year, spread and multiplier included) of `jurisdiction` on `day`,
    or None when the rate book has no row for it (what a terms letter states as "the rate in force")."""
    rule = rule_for(jurisdiction)
    if rule.mode == "flat":
        return rule.flat_rate
    row = rates.table(rule.table_id).row_for(day)
    return None if row is None else (row.rate + rule.spread) * rule.multiplier


def _basis(day_count: str, day: dt.date) -> Decimal:
    if day_count == "ACT/365F":
        return Decimal(365)
    if day_count == "ACT/360":
        return Decimal(360)
    if day_count == "ACT/ACT":
        year = day.year
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return Decimal(366 if leap else 365)
    raise InterestError(f"unknown day count {day_count!r}: use ACT/365F, ACT/360 or ACT/ACT")


def _missing(rule: JurisdictionRule, table: RateTable, day: dt.date) -> InterestError:
    """The message for a period the rate book has no row for: it names the period and the command that loads it,
    so a letter or a report never states 0 or "none" where the rate is simply not published or not loaded yet."""
    if rule.missing_label == "half-year":
        label = half_year_label(day)
        start, end = half_year_bounds(day)
    elif rule.missing_label == "month":
        label = f"{day:%Y-%m}"
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    else:
        label, start, end = day.isoformat(), day, day
    empty = "; the table has no rows yet" if not table.rows else ""
    return InterestError(
        f"{rule.code} rate for {label} not loaded: cobro rates add --jurisdiction {rule.code} --from {start} "
        f"--to {end} --rate PERCENT --source REFERENCE (table {table.table_id}{empty})"
    )


def _validate(amount: Decimal, due: dt.date, end: dt.date, payments: Sequence[Payment]) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise InterestError(f"amount must be a finite Decimal, got {amount!r}")
    if amount < 0:
        raise InterestError(f"negative amount {amount}: late interest is computed on a positive debt")
    paid = ZERO
    for p in payments:
        if not isinstance(p.amount, Decimal) or p.amount <= 0:
            raise InterestError(f"payment on {p.date} must be a positive Decimal, got {p.amount!r}")
        if p.date > end:
            raise InterestError(f"payment on {p.date} is after the end date {end}")
        paid += p.amount
    if paid > amount:
        raise InterestError(f"payments ({paid}) exceed the invoice amount ({amount})")


def compute_late_interest(
    jurisdiction: str,
    amount: Decimal,
    currency: str,
    due: dt.date,
    paid: dt.date,
    *,
    payments: Sequence[Payment] = (),
    agreed_rate: Decimal | None = None,
    day_count: DayCount = "ACT/365F",
    rates: RateSource | None = None,
    compensation: Decimal | None = None,
) -> InterestResult:
    """Statutory (or agreed) late-payment interest plus the fixed compensation for one invoice.

    Args:
        jurisdiction: ES, EU, UK/GB, CL, MX, CO or PE.
        amount: invoice amount (principal), Decimal ≥ 0.
        currency: ISO 4217 code; the result is rounded half-up to its minor unit.
        due: contractual due date (already capped by the legal maximum).
        paid: date the balance is paid (or the as-of date for a still-open invoice); interest includes this day.
        payments: partial payments before `paid`; each reduces the principal from the day after its date.
        agreed_rate: contractual rate (percent a year) that replaces the statutory rate for the whole period.
        day_count: ACT/365F (default), ACT/360 or ACT/ACT (365 or 366 by the calendar year of each day).
        rates: where the rate tables come from (the container's `RateBook`: shipped tables plus the operator's
            `rates_dir`); needed unless the rate is agreed or flat (MX).
        compensation: overrides the fixed compensation (e.g. an invoice in a currency other than the statutory one).

    Raises:
        InterestError: unknown jurisdiction, negative amounts, payments after `paid` or above the amount, no rate
            for a period ("ES rate for 2026-H2 not loaded: cobro rates add ..."), or a statutory compensation in another currency.
        RateTableError: the rate table cannot be read (from `rates`).
        TypeError: a statutory table is needed and `rates` was not given (a programming error, not bad input).
    """
    rule = rule_for(jurisdiction)
    _validate(amount, due, paid, payments)
    q = quantum(currency)
    balance_at_due = amount - sum((p.amount for p in payments if p.date <= due), ZERO)
    balance = amount - sum((p.amount for p in payments), ZERO)
    days_late = max((paid - due).days, 0)
    if paid <= due or balance_at_due == 0:
        zero = ZERO.quantize(q)
        return InterestResult(rule.code, currency, amount, balance, due, paid, days_late, zero, ZERO, zero,
                              zero, balance + zero, day_count, (), ("paid on or before the due date",)
                              if paid <= due else ("nothing overdue at the due date",))

    table: RateTable | None = None
    if agreed_rate is None and rule.mode != "flat":
        if rates is None:
            raise TypeError(f"compute_late_interest({rule.code}) needs rates= (table {rule.table_id})")
        table = rates.table(rule.table_id)

    fixed_row: RateRow | None = None
    if rule.mode == "fixed" and table is not None:
        fixed_row = table.row_for(due + dt.timedelta(days=1))
        if fixed_row is None:
            raise _missing(rule, table, due + dt.timedelta(days=1))

    reductions = sorted((p for p in payments if p.date > due), key=lambda p: p.date)
    periods: list[InterestPeriod] = []
    principal = balance_at_due
    cursor = due + dt.timedelta(days=1)
    index = 0
    while cursor <= paid and principal > 0:
        end = paid
        while index < len(reductions) and reductions[index].date < cursor:
            principal -= reductions[index].amount
            index += 1
        if principal <= 0:
            break
        if index < len(reductions):
            end = min(end, reductions[index].date)
        if day_count == "ACT/ACT":
            end = min(end, dt.date(cursor.year, 12, 31))
        if agreed_rate is not None:
            rate, source, status = agreed_rate, "agreed rate", ""
        elif rule.mode == "flat":
            rate, source, status = rule.flat_rate, rule.name, ""
        else:
            assert table is not None
            row = fixed_row if fixed_row is not None else table.row_for(cursor)
            if row is None:
                raise _missing(rule, table, cursor)
            if fixed_row is None:
                end = min(end, row.valid_to)
            rate = (row.rate + rule.spread) * rule.multiplier
            source, status = f"{table.table_id}: {row.source}", row.status
        days = (end - cursor).days + 1
        interest = principal * rate / _HUNDRED * days / _basis(day_count, cursor)
        periods.append(InterestPeriod(cursor, end, days, rate, principal, interest, source, status))
        cursor = end + dt.timedelta(days=1)

    exact = sum((p.interest for p in periods), ZERO)
    interest_total = exact.quantize(q, rounding=ROUND_HALF_UP)
    notes: list[str] = []
    if compensation is not None:
        if compensation < 0:
            raise InterestError(f"negative compensation {compensation}")
        comp = compensation
        notes.append("compensation given by the caller")
    elif rule.compensation is None:
        comp = ZERO
    else:
        if rule.compensation_currency and currency.upper() != rule.compensation_currency:
            raise InterestError(
                f"{rule.code} fixed compensation is in {rule.compensation_currency}; the invoice is in {currency}: "
                "pass compensation= with the converted amount"
            )
        comp = rule.compensation(balance_at_due)
    comp = comp.quantize(q, rounding=ROUND_HALF_UP)
    claim = interest_total + comp
    return InterestResult(rule.code, currency, amount, balance, due, paid, days_late, interest_total, exact, comp,
                          claim, balance + claim, day_count, tuple(periods), tuple(notes))
