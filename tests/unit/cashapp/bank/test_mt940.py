"""MT940/MT942: every fixture of both corpora, and the bank dialects that matter for cash application."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cobro.cashapp.bank import StatementParseError, parse_statement

from ._fixtures import fixture_files, fixture_path, rel

MT940 = fixture_files("mt940")
# Deliberately broken inputs in the wolph corpus (README): they hold no statement at all.
NOT_STATEMENTS = {
    "mt940/wolph-mt940/self-provided/invalid_statement.sta": "unrecognised bank-statement format",
    "mt940/wolph-mt940/self-provided/empty_non_swift.sta": "unrecognised bank-statement format",  # only :NS:
    "mt940/wolph-mt940/betterplace/empty_86.sta": "no MT940/MT942 statement found",  # a lone :86: fragment
}


@pytest.mark.parametrize("path", MT940, ids=rel)
def test_every_fixture_parses_or_fails_clearly(path):
    expected_error = NOT_STATEMENTS.get(rel(path))
    if expected_error:
        with pytest.raises(StatementParseError, match=expected_error) as info:
            parse_statement(path)
        assert path.name in str(info.value) and "line 1" in str(info.value)
        return
    parsed = parse_statement(path)
    assert parsed.format in ("mt940", "mt942")
    assert parsed.accounts
    for tx in parsed.transactions:
        assert tx.value_date is not None and tx.source_line


def test_ing_wrapped_28c_structured_86_and_return_reason():
    parsed = parse_statement(fixture_path("mt940/oca/oca-test-ing.940"))
    (acc,) = parsed.accounts
    assert (acc.account, acc.currency) == ("NL77INGB0574908765", "EUR")
    assert (acc.opening_balance, acc.closing_balance) == (Decimal("662.23"), Decimal("564.35"))
    assert len(acc.transactions) == 8
    # the SWIFT framing is read past and named, nothing else is wrong with the file
    assert parsed.warnings == (("read 1 statement(s); stripped what is transport, not statement: SWIFT header "
                                "blocks {1:}{2:}{3:} on lines 1, 2; SWIFT trailers (-} / {5:…}) on line 61"),)
    first = acc.transactions[0]
    assert (first.counterparty_account, first.counterparty_name) == ("NL32INGB0000012345", "ING BANK NV INZAKE WEB")
    assert first.end_to_end_id == "EV12341REP1231456T1234"
    returned = acc.transactions[2]
    assert (returned.return_reason, returned.remittance) == ("MS03", "Factuurnr 123456 Klantnr 00123")
    assert acc.transactions[6].reference == "9001123412341234"  # /REMI/STRD/CUR/ payment reference


def test_sns_name_on_second_line_of_61():
    parsed = parse_statement(fixture_path("mt940/oca/oca-test-sns.940"))
    first = parsed.transactions[0]
    assert first.amount == Decimal("-713.13")
    assert (first.counterparty_account, first.counterparty_name) == ("NL49RABO0166416932", "gerrits glas en schilderwerk")
    assert first.remittance == "Factuur 17227/248/20"
    assert first.reference == ""  # the IBAN in the customer-reference slot is not a payment reference


def test_rabobank_several_statements_and_structured_86():
    parsed = parse_statement(fixture_path("mt940/oca/oca-test-rabo.swi"))
    assert len(parsed.accounts) == 4 and parsed.warnings == ()
    tx = parsed.accounts[0].transactions[0]
    assert (tx.amount, tx.counterparty_name, tx.counterparty_account) == (Decimal("400.00"), "R. SMITH", "NL66RABO0160878799")
    assert tx.remittance == "Test money paid by other partner:"


def test_mollie_totals_match_closing_balance():
    parsed = parse_statement(fixture_path("mt940/oca/oca-mollie-Voorbeeld.940"))
    (acc,) = parsed.accounts
    assert len(acc.transactions) == 21
    assert acc.closing_balance == Decimal("-1350.26") and parsed.warnings == ()
    assert acc.transactions[-1].counterparty_name == "Mollie B.V."  # name wrapped mid-word


def test_german_gvc_subfields_and_sepa_keywords():
    parsed = parse_statement(fixture_path("mt940/wolph-mt940/betterplace/sepa_snippet.sta"))
    tx = parsed.transactions[0]
    assert (tx.counterparty_name, tx.counterparty_account) == ("KARL KAUFMANN", "DE14508800500194785000")
    assert tx.end_to_end_id == "EndToEndId TFNR 22 004 00001"
    assert tx.remittance == "Verw CTSc-01 BC-PPP TFNr 22 004"
    assert tx.bank_code == "NTRF 166"


def test_february_30_is_clamped_with_a_warning():
    parsed = parse_statement(fixture_path("mt940/wolph-mt940/self-provided/february_30.sta"))
    assert parsed.transactions[0].value_date == date(2016, 2, 29)
    assert any("160230" in w for w in parsed.warnings)


def test_mt942_and_split_tag_and_reversal_marks():
    assert parse_statement(fixture_path("mt940/wolph-mt940/self-provided/mt942.sta")).format == "mt942"
    (tx,) = parse_statement(fixture_path("mt940/wolph-mt940/self-provided/sparkassen.sta")).transactions
    assert (tx.amount, tx.remittance) == (Decimal("30.00"), "Test")
    rc = [t for t in parse_statement(fixture_path("mt940/wolph-mt940/betterplace/sepa_mt9401.sta")).transactions
          if t.is_reversal]
    assert rc and all(t.amount < 0 for t in rc)  # RC = reversal of a credit


def test_inconsistent_files_get_balance_warnings():
    parsed = parse_statement(fixture_path("mt940/wolph-mt940/jejik/knab.sta"))
    assert any("closing balance says 798.98" in w for w in parsed.warnings)


def test_malformed_balance_names_the_line():
    from cobro.cashapp.bank import parse_bytes

    with pytest.raises(StatementParseError, match=r"x\.sta: line 3: :60F: balance"):
        parse_bytes(b":20:X\r\n:25:NL91ABNA0417164300\r\n:60F:C24XX01EUR1,00\r\n", "x.sta")
