"""SWIFT MT940 (end of day) and MT942 (intraday) statements, tolerant of the bank dialects in the wild.

Own parser rather than `mt-940` because that library rejects real files we must read (ING's `:28C:`
wrapped onto two lines, SNS/ASN names on the second `:61:` line) and because we need line numbers.
Accepted deviations: SWIFT blocks `{1:}{2:}{4:` or bare block 4, header junk before `:20:`, optional
currency in balances, entry dates in spaces, `CR`/`DR` marks, 30 February, tags split over two lines.
What belongs to the transmission rather than the statement — control bytes (SOH/ETX around each message, the DOS
end-of-file byte 0x1A between concatenated files), SWIFT header blocks and `-}`/`{5:…}` trailers — is stripped,
and one warning names each kind and its lines; several messages in one file are several statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cobro.cashapp.bank.base import (
    StatementParseError,
    lenient_date,
    parse_decimal,
    split_lines,
    to_cents,
    yymmdd,
)
from cobro.cashapp.bank.mt940_details import parse_details
from cobro.cashapp.bank.records import (
    ParsedStatement,
    StatementAccount,
    StatementTransaction,
    balance_warnings,
)

_TAG = re.compile(r"^:(20|21|25P|25|28C|28|34F|13D|13|60F|60M|61|62F|62M|64|65|86|90D|90C|NS):(.*)$")
_BLOCKS = re.compile(r"^(\{[1-3]:(?:[^{}]|\{[^{}]*\})*\})*\{4:")
_END = re.compile(r"^-(\}.*|[A-Z]{0,3})?\s*$")
_SNIFF = re.compile(r"(^|\n)(\{4:)?:(20|25|28C?|60[FM]|61|62[FM]|64|65|86|34F|13D):", re.MULTILINE)
_BALANCE = re.compile(r"^(?P<mark>[DC])(?P<date>\d{6})(?P<ccy>[A-Z]{3})?(?P<amount>\d[\d.,]*)$")
_LINE61 = re.compile(
    r"^(?P<vdate>\d{6})(?P<edate>\d{4}|\s{4})?\s*(?P<mark>RC|RD|EC|ED|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>\d+(?:,\d*)?)(?P<type>[A-Z][A-Z0-9]{3})?(?P<rest>.*)$")
_ACCOUNT_CCY = re.compile(r"^(?P<acc>.*?[0-9])[ /]?(?P<ccy>[A-Z]{3})$")
_MT942_TAGS = {"34F", "13D", "13", "90D", "90C"}
_CONTENT_TAGS = {"20", "21", "25", "25P", "28", "28C", "60F", "60M", "61", "62F", "62M", "64", "65", *_MT942_TAGS}


@dataclass
class _Field:
    tag: str
    line: int
    lines: list[str]  # first line is the value after `:TAG:`, the rest are continuations
    width: int  # length of the first physical line including the tag (for wrap detection)


@dataclass
class _Balance:
    amount: Decimal
    currency: str
    day: date


@dataclass
class _Statement:
    line: int
    tags: set[str] = field(default_factory=set)
    reference: str = ""
    number: str = ""
    account: str = ""
    account_ccy: str = ""
    opening: _Balance | None = None
    closing: _Balance | None = None
    txs: list[tuple[_Field, list[_Field]]] = field(default_factory=list)


class Mt940Parser:
    name = "mt940"

    def identify(self, data: bytes, filename: str) -> bool:
        return bool(_SNIFF.search(data[:8192].decode("latin-1")))

    def parse(self, data: bytes, filename: str) -> ParsedStatement:
        return _Reader(filename).read(data)


def _fields(lines: list[str]) -> list[_Field | None]:
    """Group physical lines into fields; None marks an end of message (`-`, `-}`)."""
    out: list[_Field | None] = []
    current: _Field | None = None
    i = 0
    while i < len(lines):
        raw = lines[i]
        no = i + 1
        i += 1
        line = _BLOCKS.sub("", raw) if raw.startswith("{") else raw
        if line.strip() == ":" and i < len(lines) and _TAG.match(":" + lines[i]):
            line, i = ":" + lines[i], i + 1  # a tag split as ":" / "86:..." (Sparkasse export)
        match = _TAG.match(line.rstrip())
        if match:
            current = _Field(match.group(1), no, [match.group(2)], len(line.rstrip()))
            out.append(current)
            continue
        if _END.match(line) and (current is None or current.tag not in ("86", "61") or _next_starts(lines, i)):
            current = None
            out.append(None)
            continue
        if current is not None:
            current.lines.append(line.rstrip("\r"))
        # lines outside a field (":940:", "ABNANL2A", "0000 01INGBNL2A...") are transport headers: skip
    return out


# bytes of the transmission, not of the statement: SOH/ETX around each SWIFT message, SUB (DOS end of file)
# between files concatenated by old bank software, NUL padding; any other C0 control but TAB goes too
_CONTROL_NAMES = {"\x00": "NUL (0x00)", "\x01": "SOH (0x01)", "\x02": "STX (0x02)", "\x03": "ETX (0x03)",
                  "\x04": "EOT (0x04)", "\x1a": "DOS end-of-file (0x1A)"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HEADER_BLOCKS = re.compile(r"\{[1-3]:")
_TRAILER = re.compile(r"^-\}|\{5:")


def _lines_text(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:5])) + (", …" if len(numbers) > 5 else "")
    return f"line{'s' if len(numbers) > 1 else ''} {shown}"


def _strip_transport(lines: list[str]) -> tuple[list[str], str]:
    """The lines without control bytes, and what was found of the transmission (control bytes, SWIFT header
    blocks `{1:}{2:}{3:}`, trailers `-}` / `{5:…}`) with its line numbers, for one warning; "" when none."""
    found: dict[str, list[int]] = {}
    out: list[str] = []
    for no, raw in enumerate(lines, 1):
        line = raw
        if _CONTROL.search(raw):
            for ch in sorted(set(_CONTROL.findall(raw))):
                found.setdefault(_CONTROL_NAMES.get(ch, f"control byte 0x{ord(ch):02X}"), []).append(no)
            line = _CONTROL.sub("", raw)
        if _HEADER_BLOCKS.search(line):
            found.setdefault("SWIFT header blocks {1:}{2:}{3:}", []).append(no)
        if _TRAILER.search(line):
            found.setdefault("SWIFT trailers (-} / {5:…})", []).append(no)
        out.append(line)
    return out, "; ".join(f"{what} on {_lines_text(numbers)}" for what, numbers in found.items())


def _next_starts(lines: list[str], i: int) -> bool:
    for nxt in lines[i:]:
        if nxt.strip():
            return nxt.startswith((":", "{"))
    return True


class _Reader:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.warnings: list[str] = []
        self.statements: list[_Statement] = []
        self.current: _Statement | None = None
        self.is942 = False

    def fail(self, line: int, message: str) -> StatementParseError:
        return StatementParseError(message, filename=self.filename, line=line)

    def read(self, data: bytes) -> ParsedStatement:
        lines, stripped = _strip_transport(split_lines(data))
        self.is942 = any(re.search(r"\{2:[IO]942", ln) for ln in lines[:5])
        open_tx: tuple[_Field, list[_Field]] | None = None
        for f in _fields(lines):
            if f is None:
                self.current, open_tx = None, None
                continue
            if f.tag == "86":
                if open_tx is not None:
                    open_tx[1].append(f)
                continue  # statement-level information (e.g. ING ":86:/SUM/...") carries no movement
            if f.tag == "NS":
                continue  # non-SWIFT bank-private fields
            open_tx = None
            st = self.statement_for(f)
            st.tags.add(f.tag)
            self.is942 |= f.tag in _MT942_TAGS
            if f.tag == "20":
                st.reference = "".join(f.lines).strip()
            elif f.tag in ("28", "28C"):
                st.number = "".join(f.lines).strip()
            elif f.tag in ("25", "25P"):
                self.account(st, f)
            elif f.tag in ("60F", "60M"):
                st.opening = self.balance(f)
            elif f.tag in ("62F", "62M"):
                st.closing = self.balance(f)
            elif f.tag in ("64", "65"):
                self.balance(f)  # validated, not used: available balances do not enter the check
            elif f.tag == "61":
                open_tx = (f, [])
                st.txs.append(open_tx)
        if not self.statements:
            raise self.fail(1, "no MT940/MT942 statement found (no :20:, :25:, :60F:, :61: or :62F: field)")
        accounts = tuple(self.finish(st) for st in self.statements)
        fmt = "mt942" if self.is942 else "mt940"
        if stripped:
            self.warnings.insert(0, f"read {len(self.statements)} statement(s); stripped what is transport, not "
                                    f"statement: {stripped}")
        return ParsedStatement(fmt, accounts, tuple(self.warnings + balance_warnings(accounts)))

    def statement_for(self, f: _Field) -> _Statement:
        st = self.current
        restart = st is None or (
            (f.tag == "20" and bool(st.tags))
            or (f.tag in ("25", "25P") and bool(st.account or st.closing))
            or (f.tag in ("60F", "60M") and (st.opening is not None or st.closing is not None))
            or (f.tag == "61" and st.closing is not None))
        if restart:
            if st is not None and f.tag != "20":
                self.warnings.append(f"line {f.line}: :{f.tag}: starts a new statement without :20:")
            st = _Statement(line=f.line)
            self.statements.append(st)
            self.current = st
        assert st is not None
        return st

    def account(self, st: _Statement, f: _Field) -> None:
        value = "".join(f.lines).strip()
        m = _ACCOUNT_CCY.match(value)
        if m:
            value, st.account_ccy = m.group("acc").strip(" /"), m.group("ccy")
        st.account = value

    def balance(self, f: _Field) -> _Balance:
        value = "".join(f.lines).replace(" ", "")
        m = _BALANCE.match(value)
        if not m:
            raise self.fail(f.line, f":{f.tag}: balance {value!r} is not D|C + YYMMDD + currency + amount")
        day = self.day(f.line, m.group("date"))
        amount = self.money(f.line, m.group("amount"))
        return _Balance(-amount if m.group("mark") == "D" else amount, m.group("ccy") or "", day)

    def money(self, line: int, text: str) -> Decimal:
        try:
            return to_cents(parse_decimal(text, ","))
        except ValueError as exc:
            raise self.fail(line, str(exc)) from exc

    def day(self, line: int, text: str) -> date:
        try:
            value, clamped = yymmdd(text)
        except ValueError as exc:
            raise self.fail(line, f"invalid date {text!r}") from exc
        if clamped:
            self.warnings.append(f"line {line}: impossible date {text!r} read as {value.isoformat()}")
        return value

    def finish(self, st: _Statement) -> StatementAccount:
        label = f"line {st.line}: statement {st.reference or '(no :20:)'}"
        currency = st.account_ccy or (st.opening.currency if st.opening else "") or (
            st.closing.currency if st.closing else "")
        if not st.account:
            self.warnings.append(f"{label}: no :25: account identification")
        if not self.is942 and (st.opening is None or st.closing is None) and st.tags & {"60F", "60M", "61", "62F", "62M"}:
            missing = "opening (:60F:)" if st.opening is None else "closing (:62F:)"
            self.warnings.append(f"{label}: no {missing} balance; balance check skipped")
        txs = tuple(self.transaction(tx, details, currency) for tx, details in st.txs)
        sid = "/".join(p for p in (st.reference, st.number) if p)
        return StatementAccount(
            account=st.account, currency=currency,
            opening_balance=st.opening.amount if st.opening else None,
            closing_balance=st.closing.amount if st.closing else None, transactions=txs,
            opening_date=st.opening.day if st.opening else None,
            closing_date=st.closing.day if st.closing else None, statement_id=sid)

    def transaction(self, f: _Field, info: list[_Field], currency: str) -> StatementTransaction:
        # Some banks wrap the :61: mandatory part itself ("...CR" / "30,00N062NONREF"): glue until it parses.
        m, used = None, 0
        for used in range(1, min(3, len(f.lines)) + 1):
            m = _LINE61.match("".join(f.lines[:used]).strip())
            if m:
                break
        if m is None:
            raise self.fail(f.line, f":61: statement line {f.lines[0]!r} is not value date + D/C mark + amount")
        value_day = self.day(f.line, m.group("vdate"))
        booking_day = self.entry_date(f.line, value_day, (m.group("edate") or "").strip())
        amount = self.money(f.line, m.group("amount"))
        mark = m.group("mark")
        if mark in ("D", "ED", "RC"):  # RC = reversal of a credit, booked as a debit
            amount = -amount
        customer, bank_ref, inline = _split_refs(m.group("rest"))
        supplementary = " ".join(x for x in [inline, *(ln.strip() for ln in f.lines[used:])] if x)
        lines86 = [ln for d in info for ln in d.lines]
        width = info[0].width if info else 0
        details = parse_details(lines86, width, supplementary)
        # SNS/ASN put the other party's IBAN in the customer-reference slot: that is no payment reference.
        own_ref = "" if customer.upper() in ("NONREF", "NOTPROVIDED", details.account.upper()) else customer
        reference = details.reference or own_ref
        code = " ".join(x for x in (m.group("type") or "", details.code) if x)
        return StatementTransaction(
            booking_date=booking_day, value_date=value_day, amount=amount, currency=currency,
            reference=reference, remittance=details.remittance, counterparty_name=details.name,
            counterparty_account=details.account, bank_code=code, return_reason=details.return_reason,
            end_to_end_id=details.end_to_end_id, entry_ref=bank_ref, is_reversal=mark.startswith("R"),
            source_line=f.line)

    def entry_date(self, line: int, value_day: date, mmdd: str) -> date:
        """Entry date is MMDD: take the value date's year, moved across a new year when months are far apart."""
        if not mmdd:
            return value_day
        if not mmdd.isdigit():
            raise self.fail(line, f"invalid entry date {mmdd!r}")
        month, day = int(mmdd[:2]), int(mmdd[2:])
        year = value_day.year + (1 if month - value_day.month < -6 else -1 if month - value_day.month > 6 else 0)
        try:
            value, clamped = lenient_date(year, month, day)
        except ValueError as exc:
            raise self.fail(line, f"invalid entry date {mmdd!r}") from exc
        if clamped:
            self.warnings.append(f"line {line}: impossible entry date {mmdd!r} read as {value.isoformat()}")
        return value


def _split_refs(rest: str) -> tuple[str, str, str]:
    """Customer reference (16x), `//` bank reference (16x), and any trailing supplementary text."""
    rest = rest.strip()
    if "//" in rest:
        customer, bank = rest.split("//", 1)
        return customer.strip(), bank[:16].strip(), bank[16:].strip()
    if len(rest) > 16 and (rest[15] == " " or rest[16] == " "):
        return rest[:16].strip(), "", rest[16:].strip()
    return rest, "", ""  # SNS/ASN put a whole IBAN here, longer than 16: keep it

