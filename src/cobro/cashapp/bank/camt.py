"""ISO 20022 camt.053 (statement), camt.054 (debit/credit notification) and camt.052 (intraday report).

Version agnostic: every lookup goes by local element name, so 001.02 through 001.08+ read the same way
(e.g. `TxDtls/AmtDtls/TxAmt/Amt` in .02 and `TxDtls/Amt` in .04+, `Dbtr/Nm` and `Dbtr/Pty/Nm` in .08).
A batch entry (one `Ntry`, several `TxDtls`) becomes one transaction per `TxDtls`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lxml import etree

from cobro.cashapp.bank._xml import find, find_all, kids, load_xml, local, path_of, text, xml_date, xml_head
from cobro.cashapp.bank.base import StatementParseError, parse_decimal, to_cents
from cobro.cashapp.bank.records import (
    ParsedStatement,
    StatementAccount,
    StatementTransaction,
    balance_warnings,
)

# message root -> (format name, per-account element)
_CONTAINERS = {
    "BkToCstmrStmt": ("camt.053", "Stmt"),
    "BkToCstmrDbtCdtNtfctn": ("camt.054", "Ntfctn"),
    "BkToCstmrAcctRpt": ("camt.052", "Rpt"),
}
_SNIFF = re.compile(rb"camt\.05[234]|BkToCstmr(Stmt|DbtCdtNtfctn|AcctRpt)")
_OPENING = ("OPBD", "PRCD")
_CLOSING = ("CLBD",)
_NOT_PROVIDED = {"NOTPROVIDED", "NONREF", ""}


class CamtParser:
    name = "camt"

    def identify(self, data: bytes, filename: str) -> bool:
        head = xml_head(data)
        return head is not None and bool(_SNIFF.search(head))

    def parse(self, data: bytes, filename: str) -> ParsedStatement:
        root = load_xml(data, filename)
        container = next((c for c in root if local(c) in _CONTAINERS), None)
        if container is None:
            raise StatementParseError(
                f"not a camt.052/053/054 message (found <{local(root)}> without BkToCstmrStmt/"
                "BkToCstmrDbtCdtNtfctn/BkToCstmrAcctRpt)", filename=filename, xml_path=path_of(root))
        fmt, stmt_name = _CONTAINERS[local(container)]
        warnings: list[str] = []
        accounts = tuple(_statement(s, filename, warnings) for s in kids(container, stmt_name))
        if not accounts:
            warnings.append(f"{path_of(container)}: no <{stmt_name}> element: the message holds no account")
        return ParsedStatement(fmt, accounts, tuple(warnings + balance_warnings(accounts)))


def _amount(el: etree._Element | None, filename: str) -> tuple[Decimal, str] | None:
    if el is None or not (el.text or "").strip():
        return None
    try:
        return to_cents(parse_decimal(el.text or "", ".")), el.get("Ccy", "")
    except ValueError as exc:
        raise StatementParseError(str(exc), filename=filename, xml_path=path_of(el)) from exc


def _signed(value: Decimal, indicator: str, el: etree._Element, filename: str) -> Decimal:
    if indicator == "DBIT":
        return -value
    if indicator == "CRDT":
        return value
    raise StatementParseError(f"CdtDbtInd {indicator!r} is neither CRDT nor DBIT", filename=filename,
                              xml_path=path_of(el) + "/CdtDbtInd")


def _account_id(el: etree._Element | None) -> str:
    return text(el, "Id/IBAN", "Id/Othr/Id", "Id/PrxyId/Id", "Prxy/Id")


def _statement(stmt: etree._Element, filename: str, warnings: list[str]) -> StatementAccount:
    acct = find(stmt, "Acct")
    account = _account_id(acct)
    where = path_of(stmt)
    if not account:
        warnings.append(f"{where}: no account identification (Acct/Id/IBAN or Othr/Id)")
    balances: dict[str, tuple[Decimal, str, etree._Element]] = {}
    for bal in kids(stmt, "Bal"):
        code = text(bal, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry")
        amt = _amount(find(bal, "Amt"), filename)
        if amt is None or code in balances:
            continue
        balances[code] = (_signed(amt[0], text(bal, "CdtDbtInd"), bal, filename), amt[1], bal)
    opening = next((balances[c] for c in _OPENING if c in balances), None)
    closing = next((balances[c] for c in _CLOSING if c in balances), None)
    currency = text(acct, "Ccy") or (opening[1] if opening else "") or (closing[1] if closing else "")
    transactions: list[StatementTransaction] = []
    for entry in kids(stmt, "Ntry"):
        transactions.extend(_entry(entry, filename, currency, warnings))
    if not currency and transactions:
        currency = transactions[0].currency
    if kids(stmt, "Bal") and (opening is None or closing is None):
        warnings.append(f"{where}: no {'opening (OPBD/PRCD)' if opening is None else 'closing (CLBD)'} "
                        "balance; balance check skipped")
    return StatementAccount(
        account=account, currency=currency,
        opening_balance=opening[0] if opening else None, closing_balance=closing[0] if closing else None,
        transactions=tuple(transactions),
        opening_date=xml_date(find(opening[2], "Dt"), filename) if opening else None,
        closing_date=xml_date(find(closing[2], "Dt"), filename) if closing else None,
        statement_id=text(stmt, "Id"))


@dataclass(frozen=True)
class _Entry:
    """What every transaction split from one `Ntry` inherits from it."""

    booking_date: date | None
    value_date: date | None
    currency: str
    is_reversal: bool
    status: str
    entry_ref: str
    code: str
    info: str
    indicator: str
    node: etree._Element


def _bank_code(el: etree._Element | None) -> str:
    parts = [text(el, "BkTxCd/Domn/Cd"), text(el, "BkTxCd/Domn/Fmly/Cd"), text(el, "BkTxCd/Domn/Fmly/SubFmlyCd")]
    if all(parts):
        return "-".join(parts)
    return text(el, "BkTxCd/Prtry/Cd")


def _entry(entry: etree._Element, filename: str, currency: str, warnings: list[str]) -> list[StatementTransaction]:
    where = path_of(entry)
    amt = _amount(find(entry, "Amt"), filename)
    if amt is None:
        raise StatementParseError("entry without an amount", filename=filename, xml_path=where + "/Amt")
    indicator = text(entry, "CdtDbtInd")
    amount = _signed(amt[0], indicator, entry, filename)
    ctx = _Entry(
        booking_date=xml_date(find(entry, "BookgDt"), filename),
        value_date=xml_date(find(entry, "ValDt"), filename),
        currency=amt[1] or currency,
        is_reversal=text(entry, "RvslInd").lower() in ("true", "1"),
        status=text(entry, "Sts/Cd", "Sts"),
        entry_ref=text(entry, "NtryRef", "AcctSvcrRef"),
        code=_bank_code(entry), info=text(entry, "AddtlNtryInf"), indicator=indicator, node=entry)
    details = find_all(entry, "NtryDtls/TxDtls")
    if len(details) > 1:
        split = [_tx_amount(tx, indicator, filename) for tx in details]
        if all(s is not None for s in split):
            total = sum((s for s in split if s is not None), Decimal(0))
            if total != amount:
                warnings.append(f"{where}: TxDtls amounts add up to {total}, the entry says {amount}")
            return [_transaction(tx, s, ctx) for tx, s in zip(details, split, strict=True) if s is not None]
        warnings.append(f"{where}: batch entry with {len(details)} TxDtls but not every one has an amount; "
                        "kept as one transaction")
    tx = details[0] if details else None
    return [_transaction(tx, amount, ctx)]


def _tx_amount(tx: etree._Element, entry_indicator: str, filename: str) -> Decimal | None:
    el = find(tx, "Amt")
    if el is None:
        el = find(tx, "AmtDtls/TxAmt/Amt")
    if el is None:
        el = find(tx, "AmtDtls/InstdAmt/Amt")
    amt = _amount(el, filename)
    if amt is None:
        return None
    return _signed(amt[0], text(tx, "CdtDbtInd") or entry_indicator, tx, filename)


def _party(tx: etree._Element | None, role: str) -> tuple[str, str]:
    name = text(tx, f"RltdPties/{role}/Nm", f"RltdPties/{role}/Pty/Nm",
                f"RltdPties/Ultmt{role}/Nm", f"RltdPties/Ultmt{role}/Pty/Nm")
    account = _account_id(find(tx, f"RltdPties/{role}Acct"))
    return name, account


def _transaction(tx: etree._Element | None, amount: Decimal, ctx: _Entry) -> StatementTransaction:
    e2e = text(tx, "Refs/EndToEndId")
    e2e = "" if e2e.upper() in _NOT_PROVIDED else e2e
    creditor_ref = text(tx, "RmtInf/Strd/CdtrRefInf/Ref", "RmtInf/Strd/CdtrRefInf/CdtrRef")
    instr = text(tx, "Refs/InstrId")
    reference = creditor_ref or e2e or ("" if instr.upper() in _NOT_PROVIDED else instr)
    unstructured = " ".join(" ".join((u.text or "").split()) for u in find_all(tx, "RmtInf/Ustrd")).strip()
    remittance = (unstructured or text(tx, "RmtInf/Strd/AddtlRmtInf") or text(tx, "AddtlTxInf")
                  or ctx.info)
    reason = text(tx, "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry", "RtrInf/RtrRsn/Cd")
    # The other party: who paid us on a credit, whom we paid on a debit.  A return reverses a collection
    # from the debtor, so the debtor is the party of interest there.
    roles = ("Dbtr", "Cdtr") if ctx.indicator == "CRDT" or reason or ctx.is_reversal else ("Cdtr", "Dbtr")
    name, account = "", ""
    for role in roles:
        name, account = _party(tx, role)
        if name or account:
            break
    return StatementTransaction(
        booking_date=ctx.booking_date, value_date=ctx.value_date, amount=amount, currency=ctx.currency,
        reference=reference, remittance=remittance, counterparty_name=name, counterparty_account=account,
        bank_code=ctx.code or _bank_code(tx), return_reason=reason, end_to_end_id=e2e, entry_ref=ctx.entry_ref,
        is_reversal=ctx.is_reversal, status=ctx.status, xml_path=path_of(tx if tx is not None else ctx.node))
