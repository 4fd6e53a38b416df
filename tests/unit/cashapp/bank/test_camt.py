"""camt.053 / camt.054 against OCA's golden results, plus batch splitting, returns and version tolerance."""

from __future__ import annotations

import ast
from datetime import date
from decimal import Decimal

import pytest

from cobro.cashapp.bank import CamtParser, parse_bytes, parse_statement

from ._fixtures import fixture_files, fixture_path

CAMT = fixture_files("camt053") + fixture_files("camt054")
GOLDEN = [
    ("camt053/oca-test-camt053.001.02.xml", "camt053/expected/oca-golden-camt053.pydata"),
    ("camt053/oca-test-camt053.001.04-txdtls.xml", "camt053/expected/oca-golden-camt053-txdtls.pydata"),
    ("camt054/oca-test-camt054.001.04.xml", "camt054/expected/oca-golden-camt054.pydata"),
]


@pytest.mark.parametrize("path", CAMT, ids=lambda p: p.name)
def test_every_fixture_parses(path):
    parsed = parse_statement(path)
    assert parsed.format == ("camt.054" if "camt054" in path.name else "camt.053")
    assert parsed.accounts
    for tx in parsed.transactions:
        assert tx.amount != 0 and tx.currency and tx.booking_date and tx.xml_path.startswith("/Document/")


@pytest.mark.parametrize(("source", "golden"), GOLDEN, ids=lambda s: s.rsplit("/", 1)[-1])
def test_matches_oca_golden_result(source, golden):
    currency, account, statements = ast.literal_eval(fixture_path(golden).read_text(encoding="utf-8"))
    parsed = parse_statement(fixture_path(source))
    assert len(parsed.accounts) == len(statements) == 1
    acc, expected = parsed.accounts[0], statements[0]
    assert (acc.currency, acc.account, acc.statement_id) == (currency, account, expected["name"])
    assert (acc.opening_balance or 0) == Decimal(str(expected["balance_start"]))
    assert (acc.closing_balance or 0) == Decimal(str(expected["balance_end_real"]))
    if acc.opening_date:
        assert acc.opening_date.isoformat() == expected["date"]
    assert len(acc.transactions) == len(expected["transactions"])
    for tx, exp in zip(acc.transactions, expected["transactions"], strict=True):
        assert tx.amount == Decimal(str(exp["amount"]))
        assert tx.booking_date.isoformat() == exp["date"]
        assert tx.reference == exp["ref"]
        assert tx.counterparty_name == exp["partner_name"]
        assert tx.counterparty_account == exp["account_number"]
        assert tx.bank_code == exp["transaction_type"]


def test_statement_without_entries_matches_empty_golden():
    golden = ast.literal_eval(fixture_path("camt053/expected/oca-golden-camt053-no-ntry.pydata").read_text())
    assert golden == (None, None, [])
    parsed = parse_statement(fixture_path("camt053/oca-test-camt053.001.04-no-ntry.xml"))
    assert parsed.transactions == ()
    assert parsed.accounts[0].opening_balance == parsed.accounts[0].closing_balance == Decimal("1520.76")


def test_batch_entry_split_and_return_reasons():
    parsed = parse_statement(fixture_path("camt053/oca-test-camt053.001.02.xml"))
    returns = [t for t in parsed.transactions if t.return_reason]
    assert [(t.amount, t.return_reason, t.is_reversal) for t in returns] == [
        (Decimal("-564.05"), "AC06", True), (Decimal("-100.00"), "AC06", True)]
    assert returns[0].xml_path == "/Document/BkToCstmrStmt/Stmt/Ntry[2]/NtryDtls/TxDtls[1]"
    # The OCA sample is internally inconsistent: the balance check must say so.
    assert any("closing balance says 15121.12" in w for w in parsed.warnings)


def test_sepa_direct_debit_return_in_camt053_and_camt054():
    for name in ("camt053/oca-payment-return-camt053.001.02-unpaid.xml",
                 "camt054/oca-payment-return-camt054.001.02-unpaid.xml"):
        (tx,) = parse_statement(fixture_path(name)).transactions
        assert (tx.amount, tx.return_reason, tx.end_to_end_id) == (Decimal("-100.00"), "AC06", "E2EID1")
        assert (tx.counterparty_name, tx.counterparty_account) == ("DEBTOR4", "IE16AIBK93110187654321")
        assert tx.bank_code == "PMNT-IDDT-UPDD"
        assert tx.remittance == "FACTURE DU 15.03.16"


def test_booking_date_given_as_datetime():
    (tx,) = parse_statement(fixture_path("camt053/oca-13.0-test-camt053.001.02-bookgdt-dttm.xml")).transactions
    assert tx.booking_date == date(2014, 1, 4)
    assert tx.value_date == date(2014, 1, 5)


def test_zip_upload_reads_every_member():
    parsed = parse_statement(fixture_path("camt053/oca-test-camt053.zip"))
    assert parsed.format == "camt.053"
    assert len(parsed.accounts) == 2
    assert {a.statement_id for a in parsed.accounts} == {"1234Test/2", "1234Test/3"}
    assert all(w.startswith("test-camt053_0") for w in parsed.warnings)


CAMT_08 = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-01T10:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><IBAN>ES9121000418450200051332</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">10.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2024-02-29</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">110.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-01</Dt></Dt></Bal>
<Ntry><Amt Ccy="EUR">120.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2024-03-01</Dt></BookgDt><ValDt><Dt>2024-03-01</Dt></ValDt>
<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
<RltdPties><Dbtr><Pty><Nm>Cliente SA</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>ES7620770024003102575766</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">999.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts><BookgDt><Dt>2024-03-01</Dt></BookgDt></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def test_version_08_layout_and_pending_entries():
    parsed = CamtParser().parse(CAMT_08, "v08.xml")
    acc = parsed.accounts[0]
    assert acc.opening_balance == Decimal("-10.00")  # PRCD used when there is no OPBD
    booked, pending = acc.transactions
    assert (booked.reference, booked.end_to_end_id) == ("RF18539007547034", "")
    assert (booked.counterparty_name, booked.status) == ("Cliente SA", "BOOK")
    assert pending.status == "PDNG"
    assert parsed.warnings == ()  # pending entries do not enter the balance check


def test_bad_amount_names_the_xml_path():
    bad = CAMT_08.replace(b"<Amt Ccy=\"EUR\">120.00</Amt>", b"<Amt Ccy=\"EUR\">12O.00</Amt>")
    with pytest.raises(ValueError, match=r"bad\.xml: /Document/BkToCstmrStmt/Stmt/Ntry\[1\]/Amt"):
        parse_bytes(bad, "bad.xml")
