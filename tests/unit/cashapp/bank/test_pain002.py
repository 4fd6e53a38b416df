"""pain.002 rejects become return movements carrying the ISO reason code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cobro.cashapp.bank import Pain002Parser, parse_bytes, parse_statement

from ._fixtures import fixture_files

PAIN = fixture_files("pain002", "*.xml")
EXPECTED = [("E2EID1", "AC01", "DEBTOR1", "IE98BOFI90393912121212"),
            ("E2EID2", "MS02", "DEBTOR2", "IE16AIBK93110187654321"),
            ("E2EID3", "MD06", "DEBTOR3", "IE16AIBK93110112345678"),
            ("E2EID4", "AM04", "DEBTOR4", "IE98BOFI90393912341234")]


@pytest.mark.parametrize("path", PAIN, ids=lambda p: p.name)
def test_four_rejected_direct_debits(path):
    parsed = parse_statement(path)
    assert parsed.format == "pain.002"
    (acc,) = parsed.accounts
    assert (acc.account, acc.currency, acc.opening_balance, acc.closing_balance) == ("NL77ABNA0574908765", "EUR", None, None)
    got = [(t.reference, t.return_reason, t.counterparty_name, t.counterparty_account) for t in acc.transactions]
    assert got == EXPECTED
    for tx in acc.transactions:
        assert tx.amount == Decimal("-100.00") and tx.is_reversal and tx.end_to_end_id == tx.reference
        assert tx.booking_date == date(2016, 10, 9)
    assert acc.transactions[0].remittance == "ACC NUMBER INVALID"
    assert parsed.warnings == ()


def test_accepted_transactions_are_not_movements():
    xml = b"""<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>
<GrpHdr><MsgId>R1</MsgId><CreDtTm>2024-05-02T09:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>P1</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>B1</OrgnlPmtInfId>
<TxInfAndSts><OrgnlEndToEndId>OK1</OrgnlEndToEndId><TxSts>ACCP</TxSts></TxInfAndSts>
<TxInfAndSts><OrgnlEndToEndId>KO1</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf>
<OrgnlTxRef><Amt><InstdAmt Ccy="EUR">50.5</InstdAmt></Amt>
<Dbtr><Pty><Nm>Cliente</Nm></Pty></Dbtr><CdtrAcct><Id><IBAN>ES9121000418450200051332</IBAN></Id></CdtrAcct></OrgnlTxRef>
</TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>"""
    parsed = parse_bytes(xml, "r.xml")
    (tx,) = parsed.transactions
    assert (tx.reference, tx.amount, tx.return_reason, tx.counterparty_name) == ("KO1", Decimal("-50.50"), "AC04", "Cliente")
    assert tx.booking_date == date(2024, 5, 2)  # no requested date: the report's creation date
    assert Pain002Parser().identify(xml, "r.xml")
