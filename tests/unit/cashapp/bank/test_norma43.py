"""Norma 43: the five OCA fixtures and the real-world deviations they carry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cobro.cashapp.bank import Norma43Parser, StatementParseError, parse_bytes, parse_statement

from ._fixtures import fixture_files, fixture_path

N43 = fixture_files("norma43", "*.n43")
MOVEMENTS = [Decimal("-0.03"), Decimal("-178.30"), Decimal("280.29")]


@pytest.mark.parametrize("path", N43, ids=lambda p: p.name)
def test_every_fixture_parses_with_balances_that_add_up(path):
    parsed = parse_statement(path)
    assert parsed.format == "norma43"
    for acc in parsed.accounts:
        assert acc.currency == "EUR"
        assert acc.opening_balance == Decimal("0.00")
        assert acc.closing_balance == Decimal("101.96")  # sign byte '0' read as credit
        assert [t.amount for t in acc.transactions] == MOVEMENTS
        assert acc.opening_date == date(2016, 2, 1)
        assert acc.closing_date == date(2016, 5, 31)
        assert acc.balance_problem() is None
    assert any("closing-balance sign '0'" in w for w in parsed.warnings)
    assert not any("opening" in w and "closing balance says" in w for w in parsed.warnings)


def test_fields_of_a_movement():
    parsed = parse_statement(fixture_path("norma43/oca-10.0-test.n43"))
    first, second, third = parsed.transactions
    assert first.booking_date == date(2016, 5, 26)
    assert first.value_date == date(2016, 5, 25)
    assert first.bank_code == "06/100"
    assert first.reference == "5540014210128010"
    assert first.remittance == "COMISIÓN"  # Latin-1 byte 0xD3
    assert first.source_line == 2
    assert second.reference == "000975737917"
    assert second.remittance == "TRANSFERENC. A TEST PARTNER"
    assert second.counterparty_name == "TEST PARTNER"
    assert third.remittance == "TRANSFERENC. TEST PARTNER 2"


def test_record_counts_and_replacement_characters_become_warnings():
    eleven = parse_statement(fixture_path("norma43/oca-11.0-test.n43"))
    assert any("88 record declares 8 records, the file has 9" in w for w in eleven.warnings)
    assert any("U+FFFD" in w for w in eleven.warnings)
    assert eleven.transactions[0].remittance == "COMISI\ufffdN"
    clean = parse_statement(fixture_path("norma43/oca-8.0-test.n43"))
    assert not any("88 record" in w for w in clean.warnings)


def test_two_accounts_in_one_file():
    parsed = parse_statement(fixture_path("norma43/oca-14.0-testmulti.n43"))
    assert [a.account for a in parsed.accounts] == ["000000000000000000", "100000001000000000"]
    assert len(parsed.transactions) == 6
    assert any("declares 19 records, the file has 18" in w for w in parsed.warnings)


def _n43(*records: str, newline: str = "\r\n") -> bytes:
    return newline.join(r.ljust(80) for r in records).encode("latin-1")


HEADER = "11" + "2100" + "0418" + "0200051332" + "240101" + "240131" + "2" + "00000000100000" + "978" + "3" + "ACME SL"
CREDIT = "22" + "    " + "0418" + "240105" + "240105" + "02" + "000" + "2" + "00000000025050" + "0000000000" + "000000000000" + "FRA-2024-0001"
RETURN = "22" + "    " + "0418" + "240110" + "240110" + "14" + "000" + "1" + "00000000010000" + "0000000000" + "000000000000" + "REC-77"
FOOTER = "33" + "210004180200051332" + "00001" + "00000000010000" + "00001" + "00000000025050" + "2" + "00000000115050" + "978"


def test_synthetic_file_lf_stripped_with_a_return():
    data = _n43(HEADER, CREDIT, "2301DEVOLUCION RECIBO", RETURN, FOOTER, "88" + "9" * 18 + "000005", newline="\n")
    parsed = parse_bytes(data.replace(b" \n", b"\n"), "synthetic.n43")
    acc = parsed.accounts[0]
    assert acc.account == "210004180200051332"
    assert acc.opening_balance == Decimal("1000.00")
    assert acc.closing_balance == Decimal("1150.50")
    ret = acc.transactions[1]
    assert ret.amount == Decimal("-100.00")
    assert ret.return_reason == "N43-14"
    assert parsed.warnings == ()


def test_file_that_disagrees_with_itself_gets_warnings():
    bad_footer = FOOTER[:58] + "2" + "00000000999999" + "978"
    parsed = parse_bytes(_n43(HEADER, CREDIT, RETURN, bad_footer, "88" + "9" * 18 + "000004"), "bad.n43")
    assert any("closing balance says 9999.99" in w for w in parsed.warnings)


def test_unknown_record_names_file_and_line():
    with pytest.raises(StatementParseError, match=r"broken\.n43: line 2: unknown record code '77'"):
        Norma43Parser().parse(_n43(HEADER, "77 nonsense"), "broken.n43")


def test_bad_amount_names_file_and_line():
    broken = CREDIT[:28] + "0000000002505X" + CREDIT[42:]
    with pytest.raises(StatementParseError, match=r"x\.n43: line 2: amount"):
        parse_bytes(_n43(HEADER, broken), "x.n43")
