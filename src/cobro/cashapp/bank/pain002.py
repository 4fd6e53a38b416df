"""ISO 20022 pain.002 payment status reports (and pacs.002): rejected collections become return movements.

Only rejected transactions (`TxSts`, or the batch/group status they inherit, = RJCT) are kept.  A rejected
direct debit (original pain.008) is a negative movement on the creditor account - the money we expected
will not arrive - carrying the reason code (AC01, AM04, MD06, MS02...) so cash application can reopen the invoice.
A rejected credit transfer (original pain.001) comes back as a positive movement on the debtor account.
"""

from __future__ import annotations

import re

from lxml import etree

from cobro.cashapp.bank._xml import find, find_all, kids, load_xml, local, path_of, text, xml_date, xml_head
from cobro.cashapp.bank.base import StatementParseError, parse_decimal, to_cents
from cobro.cashapp.bank.records import ParsedStatement, StatementAccount, StatementTransaction

_ROOTS = ("CstmrPmtStsRpt", "FIToFIPmtStsRpt")
_SNIFF = re.compile(rb"pain\.002|pacs\.002|CstmrPmtStsRpt|FIToFIPmtStsRpt")
_REJECTED = {"RJCT"}


class Pain002Parser:
    name = "pain002"

    def identify(self, data: bytes, filename: str) -> bool:
        head = xml_head(data)
        return head is not None and bool(_SNIFF.search(head))

    def parse(self, data: bytes, filename: str) -> ParsedStatement:
        root = load_xml(data, filename)
        report = next((c for c in root if local(c) in _ROOTS), None)
        if report is None:
            raise StatementParseError(f"not a pain.002 status report (found <{local(root)}>)",
                                      filename=filename, xml_path=path_of(root))
        created = xml_date(find(report, "GrpHdr/CreDtTm"), filename)
        group_status = text(report, "OrgnlGrpInfAndSts/GrpSts")
        original = text(report, "OrgnlGrpInfAndSts/OrgnlMsgNmId").lower()
        is_transfer = original.startswith(("pain.001", "pacs.008"))
        warnings: list[str] = []
        by_account: dict[tuple[str, str], list[StatementTransaction]] = {}
        batches = kids(report, "OrgnlPmtInfAndSts") or [report]
        for batch in batches:
            batch_status = text(batch, "PmtInfSts") or group_status
            for tx in kids(batch, "TxInfAndSts"):
                status = text(tx, "TxSts") or batch_status
                if status not in _REJECTED:
                    continue
                account, movement = _movement(tx, created, is_transfer, filename)
                by_account.setdefault((account, movement.currency), []).append(movement)
        if not by_account and group_status in _REJECTED:
            warnings.append("the whole original message was rejected (GrpSts RJCT) without transaction "
                            "details; nothing to return")
        accounts = tuple(
            StatementAccount(account=acc, currency=ccy, opening_balance=None, closing_balance=None,
                             transactions=tuple(txs), statement_id=text(report, "GrpHdr/MsgId"))
            for (acc, ccy), txs in by_account.items())
        if not accounts and not warnings:
            warnings.append("status report contains no rejected transactions")
        return ParsedStatement("pain.002", accounts, tuple(warnings))


def _movement(tx: etree._Element, created: object, is_transfer: bool,
              filename: str) -> tuple[str, StatementTransaction]:
    ref = find(tx, "OrgnlTxRef")
    amt_el = find(ref, "Amt/InstdAmt")
    if amt_el is None:
        amt_el = find(ref, "IntrBkSttlmAmt")
    if amt_el is None or not (amt_el.text or "").strip():
        raise StatementParseError("rejected transaction without an original amount", filename=filename,
                                  xml_path=path_of(tx) + "/OrgnlTxRef/Amt/InstdAmt")
    try:
        amount = to_cents(parse_decimal(amt_el.text or "", "."))
    except ValueError as exc:
        raise StatementParseError(str(exc), filename=filename, xml_path=path_of(amt_el)) from exc
    ours, theirs = ("Dbtr", "Cdtr") if is_transfer else ("Cdtr", "Dbtr")
    day = (xml_date(find(ref, "ReqdColltnDt"), filename) or xml_date(find(ref, "ReqdExctnDt"), filename)
           or xml_date(find(ref, "IntrBkSttlmDt"), filename) or created)
    reasons = [text(r, "Rsn/Cd", "Rsn/Prtry") for r in kids(tx, "StsRsnInf")]
    info = " ".join(" ".join((a.text or "").split()) for a in find_all(tx, "StsRsnInf/AddtlInf")).strip()
    e2e = text(tx, "OrgnlEndToEndId")
    movement = StatementTransaction(
        booking_date=day, value_date=day,  # type: ignore[arg-type]
        amount=amount if is_transfer else -amount, currency=amt_el.get("Ccy", ""),
        reference=e2e or text(tx, "OrgnlInstrId"), remittance=info or text(ref, "RmtInf/Ustrd"),
        counterparty_name=text(ref, f"{theirs}/Nm", f"{theirs}/Pty/Nm"),
        counterparty_account=text(ref, f"{theirs}Acct/Id/IBAN", f"{theirs}Acct/Id/Othr/Id"),
        bank_code="RJCT", return_reason=next((r for r in reasons if r), ""), end_to_end_id=e2e,
        entry_ref=text(tx, "StsId", "OrgnlInstrId"), is_reversal=True, xml_path=path_of(tx))
    account = text(ref, f"{ours}Acct/Id/IBAN", f"{ours}Acct/Id/Othr/Id")
    return account, movement
