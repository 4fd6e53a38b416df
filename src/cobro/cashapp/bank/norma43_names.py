"""Who paid, from a Norma 43 movement's complementary concepts (records 23): the counterparty name.

The norm gives each 23 record two free 38-character concepts and says nothing of what goes where; banks differ:
the first concept of the first record is the bank's own wording ("TRANSFERENC. A", "ABONO TRANSFERENCIA DE",
"RECIBO", "COMISIÓN"), the second one is often the ordering party, but just as often a NIF, the ordering party's
reference or an order number; SEPA-era files spread a long name over both halves of a record (38 + 38) and write
the remittance and references in later records.  So the name is the first concept, in this order, that reads as a
name once the bank's wording in front of it is set aside:

1. the two halves of a record joined, when the first fills (nearly) its 38 characters and the second goes on;
2. the second concept of the first record, then what follows the bank's transfer wording in the first;
3. the concepts of the later records.

A concept does not read as a name when it is a tax id (NIF, CIF, NIE, with or without `ES`), an IBAN, a number or
a code that is mostly digits, or starts with a reference label ("REF", "PEDIDO", "FACTURA", "NIF" …).  No name is
better than a wrong one: the matcher then goes by reference, amount and tax ids found in the remittance.
"""

from __future__ import annotations

import re

CONCEPT_LEN = 38

# the bank's wording before the party, as written by Spanish banks (abbreviated, with or without the dot)
_LEAD = re.compile(
    r"^(?:(?:ABONO|INGRESO|TRANSF(?:ERENCIA|ERENC|EREN|ER|\.)?|TRF|TRASP(?:ASO)?|RECIBIDA|EMITIDA|RECIBO|ORDEN(?:ANTE)?|"
    r"DE|DEL|A|AL|FAVOR|SEPA|INMEDIATA|NACIONAL|O/|ORD|ORD\.|S/|N/)\.?:?(?:\s+|$))+",
    re.IGNORECASE)
_TRANSFER_WORDING = re.compile(r"^(?:ABONO|INGRESO|TRANSF|TRF|TRASP|ORDEN)", re.IGNORECASE)
_LABEL = re.compile(
    r"^(?:REF|REFERENCIA|N/REF|S/REF|PEDIDO|PED|ORDER|FRA|FACTURA|FACT|FAC|NIF|CIF|NIE|DNI|RUT|RFC|CONCEPTO|IBAN|"
    r"BIC|SWIFT|MANDATO|MANDATE|ID|CUENTA|CTA|CCC|REMESA|RECIBO|NUM|NUMERO|NÚMERO|NO|NR|FECHA|VTO)\b",
    re.IGNORECASE)
_TAX_ID = re.compile(r"^(?:ES)?(?:[A-HJNP-SUVW]\d{7}[0-9A-J]|\d{8}[A-Z]|[XYZ]\d{7}[A-Z])$")
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")


def reads_as_name(text: str) -> bool:
    value = text.strip()
    compact = re.sub(r"[\s.\-/]", "", value.upper())
    if not compact or _TAX_ID.match(compact) or _IBAN.match(compact) or _LABEL.match(value):
        return False
    letters = sum(ch.isalpha() for ch in compact)
    digits = sum(ch.isdigit() for ch in compact)
    return letters >= 3 and letters >= 2 * digits


def _without_lead(text: str) -> str:
    return _LEAD.sub("", text.strip()).strip()


def counterparty_name(concepts: list[tuple[str, str]]) -> str:
    """The counterparty's name among the (first, second) concepts of a movement's 23 records, as written (raw
    38-character slices or stripped ones); "" when none reads as a name."""
    candidates: list[str] = []
    for first, second in concepts:
        if len(first.rstrip()) >= CONCEPT_LEN - 2 and second.strip():
            # one long name over both halves: cut mid-word (no blank at the cut) or at a word
            glue = "" if len(first) >= CONCEPT_LEN and first[-1] != " " and second[:1] != " " else " "
            candidates.append(_without_lead(first.rstrip() + glue + second.strip()))
    if concepts:
        first, second = concepts[0]
        candidates.append(_without_lead(second))
        rest = _without_lead(first)
        if rest != first.strip() and _TRANSFER_WORDING.match(first.strip()):
            candidates.append(rest)
    for first, second in concepts[1:]:
        candidates += [_without_lead(first), _without_lead(second)]
    return next((" ".join(c.split()) for c in candidates if c and reads_as_name(c)), "")
