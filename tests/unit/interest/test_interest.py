"""Statutory late interest: the worked examples of docs/domain.md §1.9 and the bad-input rules of issue 5."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest

from cobro.interest.domain import InterestError, Payment, compute_late_interest, supported_jurisdictions
from cobro.kernel.rates import RateTableError
from cobro.platform.rates import RateBook, shipped_table_ids

D = Decimal
day = dt.date
SHIPPED = RateBook()  # the shipped tables only, as the container builds them without COBRO_RATES_DIR
late_interest = partial(compute_late_interest, rates=SHIPPED)


def test_spain_worked_example() -> None:
    r = late_interest("ES", D("12100.00"), "EUR", day(2024, 5, 15), day(2025, 1, 20))
    assert r.days_late == 250
    assert r.interest == D("1011.76")
    assert r.compensation == D("40.00")
    assert r.claim == D("1051.76")
    assert [(p.start, p.end, p.days, p.rate) for p in r.periods] == [
        (day(2024, 5, 16), day(2024, 6, 30), 46, D("12.50")),
        (day(2024, 7, 1), day(2024, 12, 31), 184, D("12.25")),
        (day(2025, 1, 1), day(2025, 1, 20), 20, D("11.15")),
    ]
    assert [p.interest.quantize(D("0.01")) for p in r.periods] == [D("190.62"), D("747.22"), D("73.93")]
    assert sum(p.days for p in r.periods) == r.days_late


def test_uk_worked_example() -> None:
    r = late_interest("UK", D("5000.00"), "GBP", day(2024, 1, 31), day(2024, 4, 30))
    assert r.days_late == 90
    assert r.interest == D("163.36")
    assert r.compensation == D("70.00")
    (period,) = r.periods
    assert period.rate == D("13.25")
    daily = period.principal * period.rate / 100 / 365
    assert daily.quantize(D("0.01")) == D("1.82")


def test_uk_rate_is_fixed_by_the_half_year_the_debt_fell_overdue() -> None:
    # overdue from 2024-06-01 (H1 2024: 5.25 + 8) into H2 2025: the rate does not switch
    r = late_interest("GB", D("20000"), "GBP", day(2024, 5, 31), day(2025, 3, 1))
    assert {p.rate for p in r.periods} == {D("13.25")}
    assert r.compensation == D("100.00")


@pytest.mark.parametrize(("amount", "fee"), [("999.99", "40.00"), ("1000", "70.00"), ("9999.99", "70.00"),
                                             ("10000", "100.00")])
def test_uk_compensation_bands(amount: str, fee: str) -> None:
    r = late_interest("UK", D(amount), "GBP", day(2024, 1, 31), day(2024, 2, 10))
    assert r.compensation == D(fee)


def test_spain_splits_at_2013_02_24() -> None:
    r = late_interest("ES", D("1000"), "EUR", day(2013, 2, 10), day(2013, 3, 10))
    assert [(p.days, p.rate) for p in r.periods] == [(13, D("7.75")), (15, D("8.75"))]


def test_eu_generic_is_mro_plus_8_by_half_year() -> None:
    r = late_interest("EU", D("12100.00"), "EUR", day(2024, 5, 15), day(2025, 1, 20))
    assert [p.rate for p in r.periods] == [D("12.50"), D("12.25"), D("11.15")]
    assert r.interest == D("1011.76")  # ECB MRO + 8 equals the Spanish legal rate since 2013-02-24


def test_ecb_series_matches_spanish_table_minus_8() -> None:
    es, eu = SHIPPED.table("es_ley_3_2004"), SHIPPED.table("eu_ecb_mro")
    for row in eu.rows:
        es_row = es.row_for(row.valid_to)
        assert es_row is not None and es_row.rate - 8 == row.rate


def test_spanish_rows_have_version_source_and_status() -> None:
    es = SHIPPED.table("es_ley_3_2004")
    assert es.version
    assert all(r.status in {"V", "K", "?"} and r.source for r in es.rows)


def test_mexico_six_percent_and_agreed_rate() -> None:
    r = late_interest("MX", D("36500"), "MXN", day(2025, 1, 1), day(2025, 1, 11))
    assert r.interest == D("60.00") and r.compensation == 0
    agreed = late_interest("MX", D("36500"), "MXN", day(2025, 1, 1), day(2025, 1, 11), agreed_rate=D("12"))
    assert agreed.interest == D("120.00")


def test_chile_needs_operator_rates(tmp_path: Path) -> None:
    with pytest.raises(InterestError, match=r"CL rate for 2025-03 not loaded: cobro rates add --jurisdiction CL --from 2025-03-01 --to 2025-03-31.*no rows"):
        late_interest("CL", D("1000000"), "CLP", day(2025, 3, 1), day(2025, 4, 10))
    (tmp_path / "cl_cmf_corriente_2025.csv").write_text(
        "# version: test\nvalid_from,valid_to,rate,source,status\n"
        "2025-03-01,2025-03-31,36.5,CMF test,V\n2025-04-01,2025-04-30,18.25,CMF test,V\n", encoding="utf-8")
    r = late_interest("CL", D("1000000"), "CLP", day(2025, 3, 1), day(2025, 4, 10), rates=RateBook(tmp_path))
    # 30 days at 36.5 % = 30,000; 10 days at 18.25 % = 5,000; fee 1 % = 10,000
    assert (r.interest, r.compensation) == (D("35000"), D("10000"))
    assert [p.days for p in r.periods] == [30, 10]


def test_colombia_is_one_and_a_half_times_bancario_corriente(tmp_path: Path) -> None:
    (tmp_path / "co_sfc_bancario_corriente.csv").write_text(
        "valid_from,valid_to,rate,source,status\n2025-01-01,2025-01-31,20,SFC test,V\n", encoding="utf-8")
    r = late_interest("CO", D("365000"), "COP", day(2024, 12, 31), day(2025, 1, 10), rates=RateBook(tmp_path))
    assert r.periods[0].rate == D("30.0") and r.interest == D("3000.00")
    with pytest.raises(InterestError, match="CO rate for 2025-02 not loaded"):
        late_interest("CO", D("1000"), "COP", day(2025, 1, 20), day(2025, 2, 10), rates=RateBook(tmp_path))


def test_peru_without_rows_is_a_clear_error() -> None:
    with pytest.raises(InterestError, match="PE rate for 2025-01-02 not loaded"):
        late_interest("PE", D("1000"), "PEN", day(2025, 1, 1), day(2025, 1, 10))


def test_paid_on_or_before_due_is_zero_not_an_error() -> None:
    for paid in (day(2024, 5, 15), day(2024, 5, 1)):
        r = late_interest("ES", D("12100.00"), "EUR", day(2024, 5, 15), paid)
        assert (r.interest, r.compensation, r.periods) == (D("0.00"), D("0.00"), ())


def test_unknown_jurisdiction() -> None:
    with pytest.raises(InterestError, match=r"unknown jurisdiction 'XX'.*ES"):
        late_interest("XX", D("1"), "EUR", day(2024, 1, 1), day(2024, 2, 1))
    assert "ES" in supported_jurisdictions()


def test_missing_half_year_is_named() -> None:
    with pytest.raises(InterestError, match="ES rate for 2026-H2 not loaded: cobro rates add --jurisdiction ES --from 2026-07-01 --to 2026-12-31"):
        late_interest("ES", D("100"), "EUR", day(2026, 5, 15), day(2026, 8, 1))
    with pytest.raises(InterestError, match="ES rate for 2005-H2 not loaded"):
        late_interest("ES", D("100"), "EUR", day(2005, 6, 15), day(2005, 8, 1))
    with pytest.raises(InterestError, match="UK rate for 2012-H2 not loaded"):
        late_interest("UK", D("100"), "GBP", day(2012, 8, 1), day(2013, 8, 1))


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(InterestError, match="negative amount"):
        late_interest("ES", D("-1"), "EUR", day(2024, 1, 1), day(2024, 2, 1))
    with pytest.raises(InterestError, match="positive"):
        late_interest("ES", D("10"), "EUR", day(2024, 1, 1), day(2024, 2, 1),
                              payments=[Payment(day(2024, 1, 10), D("-5"))])
    with pytest.raises(InterestError, match="exceed"):
        late_interest("ES", D("10"), "EUR", day(2024, 1, 1), day(2024, 2, 1),
                              payments=[Payment(day(2024, 1, 10), D("11"))])
    with pytest.raises(InterestError, match="after the end date"):
        late_interest("ES", D("10"), "EUR", day(2024, 1, 1), day(2024, 2, 1),
                              payments=[Payment(day(2024, 3, 10), D("1"))])


def test_partial_payment_reduces_principal_from_the_next_day() -> None:
    r = late_interest("ES", D("12100.00"), "EUR", day(2024, 5, 15), day(2025, 1, 20),
                              payments=[Payment(day(2024, 6, 10), D("6100.00"))])
    assert [(p.start, p.end, p.principal) for p in r.periods[:2]] == [
        (day(2024, 5, 16), day(2024, 6, 10), D("12100.00")),
        (day(2024, 6, 11), day(2024, 6, 30), D("6000.00")),
    ]
    assert r.balance == D("6000.00")
    assert r.total == r.balance + r.interest + r.compensation
    # all paid by a partial payment: interest stops there, same as a single payment that day
    whole = late_interest("ES", D("100"), "EUR", day(2024, 5, 15), day(2024, 12, 1),
                                  payments=[Payment(day(2024, 6, 10), D("100"))])
    once = late_interest("ES", D("100"), "EUR", day(2024, 5, 15), day(2024, 6, 10))
    assert whole.interest == once.interest


def test_payment_before_due_lowers_the_overdue_principal() -> None:
    r = late_interest("UK", D("12000"), "GBP", day(2024, 1, 31), day(2024, 4, 30),
                              payments=[Payment(day(2024, 1, 20), D("7000"))])
    assert r.periods[0].principal == D("5000") and r.interest == D("163.36") and r.compensation == D("70.00")


def test_day_count_options() -> None:
    r360 = late_interest("MX", D("36000"), "MXN", day(2025, 1, 1), day(2025, 1, 11), day_count="ACT/360")
    assert r360.interest == D("60.00")
    act = late_interest("MX", D("36600"), "MXN", day(2023, 12, 21), day(2024, 1, 10), day_count="ACT/ACT")
    assert [p.days for p in act.periods] == [10, 10]
    assert act.interest == (D("36600") * D("0.06") * (D(10) / 365 + D(10) / 366)).quantize(D("0.01"))


def test_currency_minor_units_and_compensation_currency() -> None:
    r = late_interest("MX", D("1000"), "CLP", day(2025, 1, 1), day(2025, 3, 1))
    assert r.interest == r.interest.quantize(D(1))
    with pytest.raises(InterestError, match="compensation is in EUR"):
        late_interest("ES", D("100"), "USD", day(2024, 5, 15), day(2024, 6, 1))
    r = late_interest("ES", D("100"), "USD", day(2024, 5, 15), day(2024, 6, 1), compensation=D("43.10"))
    assert r.compensation == D("43.10")


def test_operator_rows_extend_and_correct_tables(tmp_path: Path) -> None:
    (tmp_path / "es_ley_3_2004_2026h2.csv").write_text(
        "# version: op-1\nvalid_from,valid_to,rate,source,status\n"
        "2026-07-01,2026-12-31,10.00,BOE test,V\n2026-01-01,2026-06-30,10.15,BOE-A-2025-27201 read,V\n",
        encoding="utf-8")
    table = RateBook(tmp_path).table("es_ley_3_2004")
    row = table.row_for(day(2026, 3, 1))
    assert row is not None and row.status == "V" and "op-1" in table.version
    r = late_interest("ES", D("100"), "EUR", day(2026, 5, 15), day(2026, 8, 1), rates=RateBook(tmp_path))
    assert [p.rate for p in r.periods] == [D("10.15"), D("10.00")]


def test_overlapping_or_bad_operator_rows_are_errors(tmp_path: Path) -> None:
    (tmp_path / "uk_boe_base.csv").write_text(
        "valid_from,valid_to,rate,source,status\n2024-03-01,2024-09-30,5,x,V\n", encoding="utf-8")
    with pytest.raises(RateTableError, match="overlap"):
        RateBook(tmp_path).table("uk_boe_base")
    (tmp_path / "uk_boe_base.csv").write_text(
        "valid_from,valid_to,rate,source,status\n2027-01-01,2027-06-30,5,x,maybe\n", encoding="utf-8")
    with pytest.raises(RateTableError, match="status"):
        RateBook(tmp_path).table("uk_boe_base")
    with pytest.raises(RateTableError, match="unknown rate table"):
        SHIPPED.table("xx_nothing")


def test_shipped_tables_load() -> None:
    ids = shipped_table_ids()
    assert {"es_ley_3_2004", "uk_boe_base", "eu_ecb_mro", "cl_cmf_corriente", "co_sfc_bancario_corriente",
            "pe_bcrp_legal"} <= set(ids)
    for table_id in ids:
        assert SHIPPED.table(table_id).version


def test_a_rate_book_reads_each_table_once_and_books_do_not_share(tmp_path: Path) -> None:
    operator = tmp_path / "ops"
    operator.mkdir()
    (operator / "es_ley_3_2004_fix.csv").write_text(
        "valid_from,valid_to,rate,source,status\n2025-01-01,2025-06-30,20.00,operator fix,V\n", encoding="utf-8")
    book = RateBook(operator)
    first = book.table("es_ley_3_2004")
    (operator / "es_ley_3_2004_fix.csv").unlink()  # read once: the book keeps what it loaded
    assert book.table("es_ley_3_2004") is first
    assert first.row_for(day(2025, 3, 1)).rate == D("20.00")  # type: ignore[union-attr]
    # no process-wide cache: another book (the shipped tables only) sees its own rows
    assert RateBook().table("es_ley_3_2004").row_for(day(2025, 3, 1)).rate == D("11.15")  # type: ignore[union-attr]
    with pytest.raises(RateTableError, match="does not exist"):
        RateBook(tmp_path / "missing").table("es_ley_3_2004")


def test_statutory_interest_needs_a_rate_source() -> None:
    with pytest.raises(TypeError, match=r"needs rates= \(table es_ley_3_2004\)"):
        compute_late_interest("ES", D("100"), "EUR", day(2024, 5, 15), day(2024, 6, 1))
    # a flat or agreed rate reads no table, so it needs none
    assert compute_late_interest("MX", D("36500"), "MXN", day(2025, 1, 1), day(2025, 1, 11)).interest == D("60.00")
    assert compute_late_interest("ES", D("36500"), "EUR", day(2025, 1, 1), day(2025, 1, 11),
                                 agreed_rate=D("6")).interest == D("60.00")
