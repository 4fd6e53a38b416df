"""Statements as banks send them (issue 13, item 6): every file is written here, in the shape it arrives in.

MT940 with SWIFT framing, SOH/ETX and DOS end-of-file bytes, `-` trailers and several messages per file is read,
with one warning naming what was stripped and where; Norma 43's counterparty is the concept that reads as a name
(not a NIF or an order number) and control-byte padding is stripped with a warning; camt.053 and camt.054 read
alike in every namespace from 001.02 to 001.08."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cobro.cashapp.bank import parse_bytes
from cobro.cashapp.bank.norma43_names import counterparty_name, reads_as_name

HEADER = "{1:F01ABNANL2AXXXX0000000000}{2:O9401200230101ABNANL2AXXXX00000000002301011200N}{3:{108:MT940}}{4:\r\n"


def mt940(n: int) -> str:
    return (f":20:STMT{n}\r\n:25:ES9121000418450200051332\r\n:28C:{n}/1\r\n:60F:C260301EUR1000,00\r\n"
            f":61:2603100310C500,00NTRFF-2026-010{n}//BANK{n}\r\n:86:/NAME/CONSTRUCCIONES LEVANTE SL/REMI/F-2026-010{n}"
            f"\r\n:62F:C260310EUR1500,00\r\n")


CASES = {
    # SWIFT blocks, SOH before and `-}` + block 5 + ETX after the message
    "framed.sta": ("\x01" + HEADER + mt940(1) + "-}{5:{CHK:123456789ABC}}\x03",
                   1, ["SOH (0x01) on line 1", "SWIFT header blocks {1:}{2:}{3:} on line 1", "ETX (0x03) on line 9",
                       "SWIFT trailers (-} / {5:…}) on line 9"]),
    # two messages with a DOS end-of-file byte between them (files concatenated by the bank's software)
    "eof-between.sta": (HEADER + mt940(1) + "-}\r\n\x1a" + HEADER + mt940(2) + "-}\r\n\x1a",
                        2, ["DOS end-of-file (0x1A) on lines 10, 19", "SWIFT header blocks {1:}{2:}{3:} on lines 1, 10"]),
    # bare block 4 messages, each ended by `-`, the last one by `-` + ETX on the same line, then 0x1A
    "dash-etx.sta": (mt940(1) + "-\r\n" + mt940(2) + "-\x03\r\n\x1a", 2,
                     ["ETX (0x03) on line 16", "DOS end-of-file (0x1A) on line 17"]),
    # SOH/ETX around each message, back to back on one line
    "soh-etx.sta": ("\x01" + HEADER + mt940(1) + "-}\x03\x01" + HEADER + mt940(2) + "-}\x03", 2,
                    ["SOH (0x01) on lines 1, 9", "ETX (0x03) on lines 9, 17"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_mt940_as_sent_is_read_with_a_warning_naming_what_was_stripped(name: str) -> None:
    text, messages, named = CASES[name]
    parsed = parse_bytes(text.encode("latin-1"), name)
    assert parsed.format == "mt940"
    assert [a.statement_id for a in parsed.accounts] == [f"STMT{n}/{n}/1" for n in range(1, messages + 1)]
    for account in parsed.accounts:
        (tx,) = account.transactions
        assert (account.closing_balance, tx.amount, tx.counterparty_name) == (
            Decimal("1500.00"), Decimal("500.00"), "CONSTRUCCIONES LEVANTE SL")
    (warning,) = [w for w in parsed.warnings if "stripped" in w]
    assert warning.startswith(f"read {messages} statement(s); stripped what is transport, not statement: ")
    for part in named:
        assert part in warning, (part, warning)


def test_a_plain_mt940_gets_no_transport_warning() -> None:
    parsed = parse_bytes((mt940(1) + "-\r\n" + mt940(2) + "-\r\n").encode(), "plain.sta")
    assert len(parsed.accounts) == 2 and parsed.warnings == ()


def n43(*records: str) -> bytes:
    return "\r\n".join(r.ljust(80) for r in records).encode("latin-1") + b"\r\n"


def movement(amount_cents: int, reference: str = "") -> str:
    return f"22    0000260310260310040622{amount_cents:014d}{'0' * 10}{reference:<12}{'':<16}"


HEAD = "11" + "2100" + "0418" + "0200051332" + "260301" + "260331" + "2" + f"{100000:014d}" + "978" + "3" + "EMPRESA SL"
FOOT = "33" + "2100" + "0418" + "0200051332" + "00000" + f"{0:014d}" + "00002" + f"{150000:014d}" + "2" + \
       f"{250000:014d}" + "978"


def concepts(first: str, second: str = "", code: int = 1) -> str:
    return f"23{code:02d}{first:<38}{second:<38}"


def test_norma43_counterparty_is_the_concept_that_reads_as_a_name() -> None:
    data = n43(HEAD,
               movement(50000, "F-2026-0101"), concepts("TRANSFERENCIA DE", "B12345674"),
               concepts("CONSTRUCCIONES LEVANTE SL", "FRA F-2026-0101", 2),
               movement(100000, "4500012345"), concepts("ABONO TRANSFERENCIA", "PEDIDO 4500012345"),
               concepts("ORDENANTE: DISTRIBUIDORA NUNEZ SA", "", 2),
               FOOT, "88" + "9" * 18 + "000007")
    parsed = parse_bytes(data, "santander.n43")
    first, second = parsed.transactions
    assert first.counterparty_name == "CONSTRUCCIONES LEVANTE SL"  # not the NIF in concept 2
    assert "B12345674" in first.remittance  # the NIF still reaches the matcher through the remittance
    assert second.counterparty_name == "DISTRIBUIDORA NUNEZ SA"  # not the order reference in concept 2
    assert not [w for w in parsed.warnings if "control" in w]


def test_norma43_with_dos_end_of_file_and_tab_padding() -> None:
    data = n43(HEAD, movement(150000, "F-1"), concepts("TRANSFERENC. A", "TEST PARTNER"), FOOT,
               "88" + "9" * 18 + "000004").replace(b"TEST PARTNER", b"TEST\tPARTNER") + b"\x1a"
    parsed = parse_bytes(data, "dos.n43")
    (tx,) = parsed.transactions
    assert tx.counterparty_name == "TEST PARTNER" and parsed.accounts[0].closing_balance == Decimal("2500.00")
    (warning,) = [w for w in parsed.warnings if "control bytes" in w]
    assert warning.startswith("line(s) 3, 6: control bytes")


def test_a_long_name_over_both_halves_of_a_record() -> None:
    assert counterparty_name([("CONSTRUCCIONES Y REFORMAS DEL LEVANTE ", "SOCIEDAD LIMITADA".ljust(38))]) == \
        "CONSTRUCCIONES Y REFORMAS DEL LEVANTE SOCIEDAD LIMITADA"
    assert counterparty_name([("COMISIÓN".ljust(38), "".ljust(38))]) == ""  # the bank's wording is no payer
    assert counterparty_name([("TRANSFERENC. TEST PARTNER 2".ljust(38), "".ljust(38))]) == "TEST PARTNER 2"
    assert [reads_as_name(t) for t in ("B12345674", "ES B-12345674", "X1234567L", "ES9121000418450200051332",
                                       "4500012345", "REF 2026/77", "Ferretería Núñez")] == [
        False, False, False, False, False, False, True]


CAMT_VERSIONS = ["02", "03", "04", "05", "06", "07", "08"]


def camt(kind: str, version: str) -> bytes:
    """One credit entry in camt.053 or .054 of `version`, in the layout of that version: amounts in
    `AmtDtls/TxAmt` up to .03 and `TxDtls/Amt` from .04; the party under `Pty` and the status as a code in .08."""
    new = version >= "04"
    amount = ('<Amt Ccy="EUR">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>' if new else
              '<AmtDtls><TxAmt><Amt Ccy="EUR">500.00</Amt></TxAmt></AmtDtls>')
    party = ("<Dbtr><Pty><Nm>Construcciones Levante SL</Nm></Pty></Dbtr>" if version == "08" else
             "<Dbtr><Nm>Construcciones Levante SL</Nm></Dbtr>")
    status = "<Sts><Cd>BOOK</Cd></Sts>" if version == "08" else "<Sts>BOOK</Sts>"
    balances = ("" if kind == "054" else
                '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt>'
                "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-10</Dt></Dt></Bal>"
                '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1500.00</Amt>'
                "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-10</Dt></Dt></Bal>")
    root, item = ("BkToCstmrStmt", "Stmt") if kind == "053" else ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.{kind}.001.{version}">
 <{root}><GrpHdr><MsgId>M-{version}</MsgId><CreDtTm>2026-03-10T18:00:00</CreDtTm></GrpHdr>
  <{item}><Id>S-{version}</Id><CreDtTm>2026-03-10T18:00:00</CreDtTm>
   <Acct><Id><IBAN>ES9121000418450200051332</IBAN></Id><Ccy>EUR</Ccy></Acct>{balances}
   <Ntry><Amt Ccy="EUR">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>{status}
    <BookgDt><Dt>2026-03-10</Dt></BookgDt><ValDt><Dt>2026-03-10</Dt></ValDt>
    <NtryDtls><TxDtls><Refs><EndToEndId>E2E-{version}</EndToEndId></Refs>{amount}
     <RltdPties>{party}<DbtrAcct><Id><IBAN>ES7921000813610123456789</IBAN></Id></DbtrAcct></RltdPties>
     <RmtInf><Ustrd>F-2026-0102</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
  </{item}></{root}></Document>""".encode()


@pytest.mark.parametrize("kind", ["053", "054"])
@pytest.mark.parametrize("version", CAMT_VERSIONS)
def test_camt_reads_alike_in_every_namespace(kind: str, version: str) -> None:
    parsed = parse_bytes(camt(kind, version), f"camt{kind}-{version}.xml")
    assert parsed.format == f"camt.{kind}"
    (account,) = parsed.accounts
    (tx,) = account.transactions
    assert (account.account, account.currency) == ("ES9121000418450200051332", "EUR")
    assert (tx.amount, tx.currency, tx.counterparty_name, tx.counterparty_account, tx.end_to_end_id) == (
        Decimal("500.00"), "EUR", "Construcciones Levante SL", "ES7921000813610123456789", f"E2E-{version}")
    assert "F-2026-0102" in (tx.remittance + tx.reference)
    if kind == "053":
        assert (account.opening_balance, account.closing_balance) == (Decimal("1000.00"), Decimal("1500.00"))
    assert parsed.warnings == ()
