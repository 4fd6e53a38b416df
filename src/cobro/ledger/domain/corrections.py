"""Credit notes applied to the document they correct: which invoice a written reference means, and how much of
the credit goes where.  Pure: the service (`cobro.ledger.service.credit_notes`) loads the candidates and writes.

A reference is what the credit note says it corrects, as its issuer typed it: `F001-170`, `E001 - 170`,
`F001-00000170`, `Factura nº 2026/0012`, `FA-2026-12`.  It is resolved against the customer's invoice numbers in
steps, the first step that finds anything deciding:

1. **exact** — the number as written;
2. **compact** — the same characters once case, blanks, separators (``- / . _``) and a leading word such as
   "Factura", "Fra.", "Invoice", "Nº" are set aside (`E001 - 170` = `E001-170`, `fra. 2026/12` = `2026-12`);
3. **series and number** — the series (everything up to the last run of digits) compacted, the number without
   leading zeros (`F001-00000170` = `F001-170`, `A-0012` = `A12`);
4. **number only** — when the reference carries no series at all (Chile's `FolioRef`), the invoice whose last
   run of digits is that number.

Two candidates at the deciding step are an ambiguity: reported, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from cobro.kernel.money import Money
from cobro.ledger.domain.payments import Allocation, OpenItem


class Match(StrEnum):
    EXACT = "exact"
    COMPACT = "compact"
    SERIES_NUMBER = "series_number"
    NUMBER_ONLY = "number_only"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a reference resolved to: `number` when one candidate was found; `candidates` when several were."""

    reference: str
    match: Match
    number: str = ""
    candidates: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return bool(self.number)


# words an issuer writes before the number itself; matched whole, at the start, with an optional dot
_PREFIX = re.compile(
    r"^\s*(?:(?:(?:factura|fact|fra|fac|invoice|inv|rectificativa|num|número|numero|no|nr|ref|doc|comprobante|"
    r"folio)(?:\s*[.:]\s*|\s+)|n\s*[º°]\s*[.:]?\s*))+(?=\S)",
    re.IGNORECASE)
_LAST_DIGITS = re.compile(r"(\d+)\D*$")


def _strip_prefix(text: str) -> str:
    stripped = text.strip().lstrip("#").strip()
    shorter = _PREFIX.sub("", stripped)
    # a "prefix" that is the whole reference (`FT` alone, `No. 12` → `12`) only goes when something numeric is left
    return shorter if re.search(r"\d", shorter) else stripped


def compact(text: str) -> str:
    """Upper case, no blanks or separators, no leading word ("Factura", "Nº" …): step 2's key."""
    return re.sub(r"[^0-9A-Z]", "", _strip_prefix(text).upper())


def series_number(text: str) -> tuple[str, int] | None:
    """(series compacted, number) split at the last run of digits; None when there are no digits.

    `F001-00000170` → ("F001", 170); `E001 - 170` → ("E001", 170); `170` → ("", 170); `2026/0012` → ("2026", 12).
    A trailing suffix after the number (`170-A`) stays part of the series, so it never matches `170`."""
    key = _strip_prefix(text).upper()
    found = _LAST_DIGITS.search(key)
    if found is None:
        return None
    tail = re.sub(r"[^0-9A-Z]", "", key[found.end(1):])
    series = re.sub(r"[^0-9A-Z]", "", key[:found.start(1)]) + ("~" + tail if tail else "")
    return series, int(found.group(1))


class ReferenceIndex:
    """A customer's invoice numbers under each step's key, built once: resolving stays a few look-ups per
    reference however many invoices the customer has."""

    def __init__(self, numbers: Iterable[str]) -> None:
        self.numbers = set(numbers)
        self.by_compact: dict[str, list[str]] = {}
        self.by_split: dict[tuple[str, int], list[str]] = {}
        self.by_number: dict[int, list[str]] = {}
        for n in sorted(self.numbers):
            self.by_compact.setdefault(compact(n), []).append(n)
            split = series_number(n)
            if split is not None:
                self.by_split.setdefault(split, []).append(n)
                self.by_number.setdefault(split[1], []).append(n)

    def resolve(self, reference: str) -> Resolution:
        """Which invoice `reference` names, by the steps of the module docstring."""
        ref = reference.strip()
        if not ref:
            return Resolution(reference, Match.NONE)
        if ref in self.numbers:
            return Resolution(reference, Match.EXACT, ref)
        steps: list[tuple[Match, list[str]]] = []
        key = compact(ref)
        if key:
            steps.append((Match.COMPACT, self.by_compact.get(key, [])))
        split = series_number(ref)
        if split is not None:
            steps.append((Match.SERIES_NUMBER, self.by_split.get(split, [])))
            if split[0] == "":
                steps.append((Match.NUMBER_ONLY, self.by_number.get(split[1], [])))
        for match, found in steps:
            if len(found) == 1:
                return Resolution(reference, match, found[0])
            if len(found) > 1:
                return Resolution(reference, Match.AMBIGUOUS, candidates=tuple(found))
        return Resolution(reference, Match.NONE)


def resolve_reference(reference: str, candidates: Iterable[str]) -> Resolution:
    """Which of `candidates` (invoice numbers) `reference` names, by the steps of the module docstring."""
    return ReferenceIndex(candidates).resolve(reference)


def apply_credit(credit: Money, items: list[OpenItem]) -> tuple[list[Allocation], Money]:
    """The credit note's `credit` spread over the open instalments of the invoice it corrects, earliest due first
    (the overdue part goes first, as a payment's would); what is left stays credit.  Items of another currency
    take nothing: a credit note reduces a debt in its own currency only."""
    left = credit
    out: list[Allocation] = []
    for item in sorted(items, key=lambda i: (i.due_date, i.seq)):
        if not left.is_positive():
            break
        if item.open_amount.currency != credit.currency or not item.open_amount.is_positive():
            continue
        take = item.open_amount if item.open_amount <= left else left
        out.append(Allocation(item.invoice_number, item.seq, take))
        left = left - take
    return out, left
