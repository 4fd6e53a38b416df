"""Text normalisation for cash application: invoice-number keys, payer names, tax ids in remittance text.

Pure functions, no I/O.  Bank remittance fields are short (140 characters in SEPA, 2x38 per Norma 43 record),
upper-cased by many banks, stripped of accents by others, and typed by people, so everything here compares
normalised forms: upper case, no accents, separators removed.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import pairwise

_NON_ALNUM = re.compile(r"[^0-9A-Z]+")
_NON_DIGIT = re.compile(r"\D+")
_DROP_NON_DIGITS = str.maketrans("", "", "".join(chr(c) for c in range(128) if not chr(c).isdigit()))
# a run of alphanumerics possibly broken by single separators: "F-2025 / 00123", "FRA.2025.123"
_REF_RUN = re.compile(r"[0-9A-Z]+(?:[ ./\-_:#][0-9A-Z]+)*")
_DIGIT_RUN = re.compile(r"\d(?:[ ./\-_]?\d)*")
_TAXID = re.compile(r"\b(?:[A-Z]{2})?[A-Z0-9]{1,3}\d{5,9}[A-Z0-9]?\b")

# legal forms carry no identity: "CONSTRUCCIONES LEVANTE SL" and "CONSTRUCC. LEVANTE S.L." are the same payer
LEGAL_FORMS = frozenset(
    ["SL", "SLU", "SA", "SAU", "SLL", "SLP", "SC", "SCOOP", "SCL", "SRL", "SAS", "SPA", "SPRL", "BV", "NV", "GMBH", "AG", "KG", "OHG", "UG", "LTD", "LTDA", "LLC", "LLP", "PLC", "INC", "CORP", "CO", "CIA", "SCA", "SCS", "EIRL", "SAC", "SACV", "SADECV", "SDERLDECV", "CV", "DE", "RL", "SOCIEDAD", "LIMITADA", "ANONIMA"])
STOPWORDS = frozenset(["Y", "E", "DE", "DEL", "LA", "LAS", "LOS", "EL", "THE", "AND", "OF"])


def fold(text: str) -> str:
    """Upper case without accents: 'Núñez' -> 'NUNEZ'."""
    if text.isascii():
        return text.upper()  # the common case, and 20x faster than decomposing
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def number_key(number: str) -> str:
    """Invoice number without separators: 'F-2025/0012' -> 'F20250012'."""
    return _NON_ALNUM.sub("", fold(number))


def digits_key(number: str) -> str:
    """The digits of an invoice number without leading zeros: 'F-2025-0012' -> '20250012'.

    Payers drop series letters ('2025-0012') and banks add their own prefixes ('FRA', 'FACT', 'INV'),
    so the digits are the part of a number that survives a transfer form.
    """
    if number.isascii():
        return number.translate(_DROP_NON_DIGITS).lstrip("0")  # 3x faster than the regex on 1M numbers
    return _NON_DIGIT.sub("", number).lstrip("0")


def reference_candidates(text: str) -> list[str]:
    """Alphanumeric keys that may be invoice numbers, from free text (longest forms first, no duplicates).

    Each run like 'FRA F-2025-0012' yields the joined run and every suffix starting at a separator,
    so a prefix the payer added ('FRA', 'FACT NO') does not hide the number.
    """
    out: dict[str, None] = {}
    for run in _REF_RUN.findall(fold(text)):
        parts = re.split(r"[ ./\-_:#]", run)
        for start in range(len(parts)):
            key = "".join(parts[start:])
            if len(key) >= 3 and any(c.isdigit() for c in key):
                out.setdefault(key, None)
    return list(out)


def digit_candidates(text: str, min_len: int = 4) -> list[str]:
    """Digit runs (separators inside allowed) without leading zeros, at least `min_len` digits long."""
    out: dict[str, None] = {}
    for run in _DIGIT_RUN.findall(text):
        digits = "".join(c for c in run if c.isdigit()).lstrip("0")
        if len(digits) >= min_len:
            out.setdefault(digits, None)
        # a run may glue two numbers ("2025001 2025002"): also try its space-separated pieces
        for piece in run.split(" "):
            d = "".join(c for c in piece if c.isdigit()).lstrip("0")
            if len(d) >= min_len:
                out.setdefault(d, None)
    return list(out)


def one_digit_variants(digits: str) -> list[str]:
    """Every string one substitution or one adjacent transposition away (the usual typing slips)."""
    out: list[str] = []
    for i, c in enumerate(digits):
        for d in "0123456789":
            if d != c:
                out.append(digits[:i] + d + digits[i + 1:])
    for i in range(len(digits) - 1):
        if digits[i] != digits[i + 1]:
            out.append(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:])
    return [v for v in out if not v.startswith("0")]


def tax_id_candidates(text: str) -> list[str]:
    """Tokens shaped like a tax id (NIF/CIF/NIE, VAT with country prefix, RFC, RUT without separators)."""
    folded = fold(text).replace("-", "").replace(".", "")
    return [m for m in _TAXID.findall(folded) if sum(c.isdigit() for c in m) >= 6]


def name_tokens(name: str) -> tuple[str, ...]:
    """Significant tokens of a company name: folded, punctuation gone, legal forms and stop words dropped.

    'CONSTRUCC. LEVANTE S.L.' -> ('CONSTRUCC', 'LEVANTE'); dotted abbreviations such as 'S.L.' are joined first.
    """
    folded = fold(name)
    folded = re.sub(r"\b([A-Z])\.\s?(?=[A-Z]\b\.?)", r"\1", folded)  # S.L. -> SL., S. A. -> SA.
    words = [w for w in _NON_ALNUM.split(folded) if w]
    return tuple(w for w in words if w not in LEGAL_FORMS and w not in STOPWORDS)


@lru_cache(maxsize=200_000)
def _token_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 4 and long_.startswith(short):
        return 0.9  # abbreviation: CONSTRUCC -> CONSTRUCCIONES
    if len(short) < 4 or 2 * len(short) / (len(short) + len(long_)) < 0.75:
        return 0.0  # the ratio cannot reach the bar: skip difflib
    m = SequenceMatcher(None, a, b)
    return m.ratio() if m.quick_ratio() >= 0.75 else 0.0


def name_similarity(payer: tuple[str, ...], legal: tuple[str, ...]) -> float:
    """0..1 similarity of two token tuples: each legal-name token is matched to its best payer token.

    Scored on the legal name's tokens (a payer may add a branch or city name) but a payer token that matches
    nothing costs a little, so 'LEVANTE' alone does not equal 'CONSTRUCCIONES LEVANTE'.
    """
    if not payer or not legal:
        return 0.0
    total = 0.0
    used: set[int] = set()
    order: list[int] = []
    for tok in legal:
        best, best_j = 0.0, -1
        for j, p in enumerate(payer):
            if j in used:
                continue
            s = _token_similarity(tok, p)
            if s > best:
                best, best_j = s, j
        if best >= 0.75:
            used.add(best_j)
            order.append(best_j)
            total += best
    recall = total / len(legal)
    unused = len(payer) - len(used)
    # word order is identity too: 'HIERROS GIL SANTIAGO' is more likely 'Hierros Gil Santiago' than
    # 'Hierros Santiago Gil' (Spanish surnames, 'Talleres Norte Sur'), so words out of order cost a little
    swapped = 0.05 if any(a > b for a, b in pairwise(order)) else 0.0
    return max(0.0, recall - 0.1 * unused - swapped)
