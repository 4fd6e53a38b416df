"""What an invoice re-import may change, and the field-by-field changes it makes (the dry run shows them).

A file changes only what it says: an invoice keeps the fields whose columns the file lacks (`Keep.absent`) and,
for text fields, the values of empty cells unless the mapping says `empty_clears` (`Keep.blank_keeps`).  The
stored content hash of an invoice covers the fields the last file gave, so a file with fewer columns is salted
(`Keep.salt`): its rows never compare equal to rows hashed from a file that gave those columns.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, text

from cobro.kernel.money import exponent
from cobro.ledger.imports.records import FieldChange

OPTIONAL_HEAD_FIELDS = ("kind", "due_date", "disputed", "corrects", "channel", "terms")
BLANK_KEEPING_FIELDS = ("corrects", "channel")  # text fields whose empty cell can mean "keep what is stored"


@dataclass(frozen=True, slots=True)
class Keep:
    absent: frozenset[str] = frozenset()  # fields the file gives no value for: stored values stay
    blank_keeps: frozenset[str] = frozenset()  # fields whose empty cells keep the stored value

    def salt(self) -> int:
        """0 for a file that gives every field (hashes as before), else a 40-bit constant per set of absent
        fields added to each row's hash."""
        if not self.absent:
            return 0
        return (zlib.crc32(",".join(sorted(self.absent)).encode()) & 0xFFFFFFFF) << 8

    def new_value(self, fld: str, old: str = "invoices") -> str:
        """The SQL expression of the value an update writes to `fld` (the heads are `h`, the invoice is `old`)."""
        if fld == "disputed":
            return "(h.disputed = 1)"
        if fld == "over_legal_cap":
            return "(h.over_cap = 1)"
        if fld in self.blank_keeps:
            return f"CASE WHEN h.{fld} = '' THEN {old}.{fld} ELSE h.{fld} END"
        return f"h.{fld}"

    def head_sets(self) -> str:
        """`field = value, ` for each optional field the update writes (the over-the-cap flag follows due dates)."""
        fields = [f for f in OPTIONAL_HEAD_FIELDS if f not in self.absent]
        if "due_date" in fields:
            fields.append("over_legal_cap")
        return "".join(f"{f} = {self.new_value(f)}, " for f in fields)


NO_KEEP = Keep()


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _amount(minor: object, currency: str) -> str:
    places = exponent(currency) if currency else 2
    return f"{Decimal(int(str(minor))).scaleb(-places):f}"


def changed_fields(conn: Connection, keep: Keep, limit: int) -> list[FieldChange]:
    """Each field of each existing invoice in the staged heads that the merge is about to change, in file order
    (the first `limit` changed invoices)."""
    rows = conn.execute(text(f"""
        SELECT h.row_no, h.number, co.code, cn.code, i.kind, h.kind, i.issue_date, h.issue_date, i.due_date,
               h.due_date, i.currency, h.currency, i.amount_minor, h.amount_minor, i.disputed, h.disputed,
               i.corrects, {keep.new_value('corrects', 'i')}, i.channel, {keep.new_value('channel', 'i')},
               i.terms, h.terms
        FROM stage_heads h JOIN invoices i ON i.id = h.invoice_id
        JOIN customers co ON co.id = i.customer_id JOIN customers cn ON cn.id = h.customer_id
        WHERE h.old_hash <> h.h ORDER BY h.row_no LIMIT :n"""), {"n": limit}).all()
    out: list[FieldChange] = []
    for r in rows:
        row, number = int(r[0]), str(r[1])
        pairs = {"customer_code": (r[2], r[3]), "kind": (r[4], r[5]), "issue_date": (r[6], r[7]),
                 "due_date": (r[8], r[9]), "currency": (r[10], r[11]),
                 "amount": (_amount(r[12], str(r[10])), _amount(r[13], str(r[11]))),
                 "disputed": (bool(r[14]), bool(int(r[15] or 0))), "corrects": (r[16], r[17]),
                 "channel": (r[18], r[19]), "terms": (r[20], r[21])}
        for fld, (old, new) in pairs.items():
            before, after = _text(old), _text(new)
            if fld.endswith("_date"):  # a date, or SQLite's ISO text of one
                before, after = before[:10], after[:10]
            if fld not in keep.absent and before != after:
                out.append(FieldChange(row, number, fld, before, after))
    return out
