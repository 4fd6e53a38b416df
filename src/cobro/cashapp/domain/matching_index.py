"""The matcher's index: open items by customer and by invoice-number digits, customers by account, tax id and
name words.  Built once per import; every look-up is a dictionary hit or a bisect, never a scan.  Pure."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from cobro.cashapp.domain.matching_text import (
    digit_candidates,
    digits_key,
    name_similarity,
    name_tokens,
    number_key,
    one_digit_variants,
    reference_candidates,
    tax_id_candidates,
)


@dataclass(frozen=True, slots=True)
class Item:
    """One open instalment (or interest charge) the matcher can point at.  Amounts in minor units."""

    id: int
    customer_id: int
    number: str
    due_date: dt.date
    open_minor: int
    currency: str
    interest: bool = False


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    id: int
    name: str
    tax_id: str = ""
    aliases: tuple[str, ...] = ()  # payer names learned from manual decisions
    ibans: tuple[str, ...] = ()  # counterparty accounts learned from accepted matches


@dataclass(frozen=True, slots=True)
class Line:
    """One credit on a statement, amounts in minor units (positive = money in)."""

    key: str
    amount_minor: int
    currency: str
    booking_date: dt.date | None = None
    reference: str = ""
    remittance: str = ""
    end_to_end_id: str = ""
    counterparty_name: str = ""
    counterparty_account: str = ""


@dataclass(slots=True)
class Ref:
    item: Item
    quality: float  # P(this item is what the payer meant)
    how: str


class MatchIndex:
    """Open items indexed by customer and by normalised number; customers by IBAN, tax id and name tokens."""

    def __init__(self, items: list[Item], customers: list[CustomerInfo]) -> None:
        self.by_customer: dict[int, list[Item]] = defaultdict(list)
        self.by_number: dict[str, list[Item]] = defaultdict(list)
        self.by_digits: dict[str, list[Item]] = defaultdict(list)
        self.by_id: dict[int, Item] = {}
        by_id, by_customer, by_digits = self.by_id, self.by_customer, self.by_digits
        for it in items:  # 1M items: local names, no attribute look-ups in the loop
            by_id[it.id] = it
            by_customer[it.customer_id].append(it)
            d = digits_key(it.number)
            if len(d) >= 4:
                by_digits[d].append(it)  # the exact form is checked on the few hits, not indexed
            else:
                self.by_number[number_key(it.number)].append(it)
        for lst in self.by_customer.values():
            lst.sort(key=lambda i: (not i.interest, i.due_date, i.number, i.id))
        self._sorted_digits: list[str] | None = None
        self._sorted_amounts: list[int] | None = None
        self._amount_items: list[Item] = []
        self._moved: dict[int, list[Item]] = defaultdict(list)  # items whose open amount changed since
        self.customers = {c.id: c for c in customers}
        self.by_iban: dict[str, int] = {}
        self.by_taxid: dict[str, int] = {}
        self.name_tokens: dict[int, list[tuple[str, ...]]] = defaultdict(list)
        self.by_token: dict[str, set[int]] = defaultdict(set)
        self.by_prefix: dict[str, set[int]] = defaultdict(set)
        self._name_cache: dict[str, list[tuple[int, float, str]]] = {}
        for c in customers:
            for iban in c.ibans:
                self.by_iban[_compact(iban)] = c.id
            tid = _compact(c.tax_id)
            if len(tid) >= 6:
                self.by_taxid[tid] = c.id
                if tid[:2].isalpha() and len(tid) > 8:
                    self.by_taxid.setdefault(tid[2:], c.id)  # VAT prefix 'ES' is often dropped
            for name in (c.name, *c.aliases):
                toks = name_tokens(name)
                if not toks:
                    continue
                self.name_tokens[c.id].append(toks)
                for t in toks:
                    self.by_token[t].add(c.id)
                    if len(t) >= 4:
                        self.by_prefix[t[:4]].add(c.id)

    def sorted_digits(self) -> list[str]:
        """Digit keys in order, for prefix (truncated reference) look-ups; built on first use."""
        if self._sorted_digits is None:
            self._sorted_digits = sorted(self.by_digits)
        return self._sorted_digits

    def _amount_book(self) -> list[int]:
        """Open items sorted by amount, built on first use (one sort of the book); later settlements are
        checked against `by_id` and lowered amounts kept aside, so look-ups stay true without re-sorting."""
        if self._sorted_amounts is None:
            self._amount_items = sorted(self.by_id.values(), key=lambda i: i.open_minor)
            self._sorted_amounts = [i.open_minor for i in self._amount_items]
        return self._sorted_amounts

    def amount_hits(self, amount: int) -> tuple[int, Item | None]:
        """How many open items have exactly `amount` open, and the item when it is the only one."""
        ordered = self._amount_book()
        lo, hi = bisect.bisect_left(ordered, amount), bisect.bisect_right(ordered, amount)
        live = {i.id: self.by_id[i.id] for i in (*self._amount_items[lo:hi], *self._moved.get(amount, ()))
                if self.by_id[i.id].open_minor == amount}
        return len(live), (next(iter(live.values())) if len(live) == 1 else None)

    def amount_rate(self, amount: int) -> float:
        """Share of the book's open items per minor unit around `amount` (within 5 %), or the share that has
        exactly this amount if that is higher (recurring fees, round prices).  Whole-unit amounts count ten times
        as likely: round figures are over-represented among invoices and among credits that are not payments."""
        ordered = self._amount_book()
        n = max(1, len(ordered))
        lo, hi = int(amount / 1.05), int(amount * 1.05) + 1
        smooth = (bisect.bisect_right(ordered, hi) - bisect.bisect_left(ordered, lo)) / (hi - lo + 1) / n
        spike = (self.amount_hits(amount)[0] - 1) / n
        return max(smooth, spike, 1.0 / n / (hi - lo + 1)) * (10.0 if amount % 100 == 0 else 1.0)

    def items_one_digit_off(self, digits: str, amount: int, currency: str) -> list[Item]:
        """Open items whose number is one substitution or transposition away from `digits` and whose open
        amount is exactly `amount` (dictionary hits on the variants, never a scan)."""
        out: dict[int, Item] = {}
        for variant in one_digit_variants(digits):
            for it in self.by_digits.get(variant, ()):
                if it.open_minor == amount and it.currency == currency:
                    out[it.id] = it
        return list(out.values())

    def settle(self, paid: dict[int, int]) -> None:
        """Lower the open amounts of items just paid (item id -> minor units), so later lines see them."""
        for item_id, minor in paid.items():
            item = self.by_id.get(item_id)
            if item is None or not minor:
                continue
            lowered = _lowered(item, minor)
            self.by_id[item_id] = lowered
            if lowered.open_minor > 0:
                self._moved[lowered.open_minor].append(lowered)
            buckets = [self.by_customer[item.customer_id]]
            d = digits_key(item.number)
            buckets.append(self.by_digits[d] if d in self.by_digits else self.by_number[number_key(item.number)])
            for lst in buckets:
                for k, it in enumerate(lst):
                    if it.id == item_id:
                        if lowered.open_minor > 0:
                            lst[k] = lowered
                        else:
                            del lst[k]
                        break

    # -- references ---------------------------------------------------------------------------------------
    def references(self, text: str, amount: int = 0) -> list[Ref]:
        """Items the text names.  With `amount`, a truncated reference that is a prefix of up to 100 numbers
        still names one of them when exactly one has that open amount (the amount picks it, see match_line)."""
        found: dict[int, Ref] = {}

        def add(items: list[Item], quality: float, how: str) -> None:
            for it in items:
                if it.id not in found or found[it.id].quality < quality:
                    found[it.id] = Ref(it, quality, how)

        keys = set(reference_candidates(text))
        for key in keys:
            hit = self.by_number.get(key)
            if hit:
                add(hit, 0.99, f"invoice number {hit[0].number} in the text")
        for digits in digit_candidates(text, 4):
            hit = self.by_digits.get(digits)
            if hit:
                whole = [i for i in hit if number_key(i.number) in keys]
                if whole:
                    add(whole, 0.99, f"invoice number {whole[0].number} in the text")
                elif len(digits) >= 5:
                    add(hit, 0.97 if len(hit) == 1 else 0.8, f"invoice {hit[0].number} (digits {digits}) in the text")
        if found:
            return list(found.values())
        # tolerant pass only when nothing matched exactly: truncation, then one typing slip
        for digits in digit_candidates(text, 6):
            ordered = self.sorted_digits()
            lo = bisect.bisect_left(ordered, digits)
            hi = bisect.bisect_left(ordered, digits + ":")  # ':' sorts after '9'
            if 0 < hi - lo <= 3 and ordered[lo] != digits:
                for k in ordered[lo:hi]:
                    add(self.by_digits[k], 0.75 / (hi - lo), f"invoice {self.by_digits[k][0].number} "
                        f"(truncated reference {digits})")
            elif amount and 3 < hi - lo <= 100:
                fit = [i for k in ordered[lo:hi] for i in self.by_digits[k] if i.open_minor == amount]
                if len(fit) == 1:
                    add(fit, 0.75 / (hi - lo), f"invoice {fit[0].number} (truncated reference {digits}, one of "
                        f"{hi - lo} numbers, the only one with this amount)")
            near = [v for v in one_digit_variants(digits) if v in self.by_digits]
            paid = [i for v in near for i in self.by_digits[v] if i.open_minor == amount] if amount else []
            if len(paid) == 1:  # with dense numbering many variants exist: the amount picks one
                add(paid, 0.7, f"invoice {paid[0].number} (reference {digits} with one digit off, amount exact)")
                continue
            for variant in near:
                hit = self.by_digits[variant]
                if len(hit) == 1:
                    add(hit, 0.7, f"invoice {hit[0].number} (reference {digits} with one digit off)")
        return list(found.values())

    # -- customer -----------------------------------------------------------------------------------------
    def customer_by_name(self, payer: str) -> list[tuple[int, float, str]]:
        """Candidates (customer id, similarity, how), best first; learned aliases count as their customer.

        Candidates come from the rarest of the payer's words (an inverted index, never a scan), weighted by
        how rare each word is; only the best few are scored with the slower token similarity.
        """
        cached = self._name_cache.get(payer)
        if cached is not None:
            return cached
        toks = name_tokens(payer)
        postings: list[set[int]] = []
        for t in toks:
            exact = self.by_token.get(t)
            if exact:
                postings.append(exact)
            elif len(t) >= 4 and t[:4] in self.by_prefix:
                postings.append(self.by_prefix[t[:4]])  # an abbreviation or a typo: same first letters
        if not postings:
            return []
        postings.sort(key=len)
        # customers that have the two rarest words; if none has both, those with the rarest one
        cands = postings[0] & postings[1] if len(postings) > 1 else postings[0]
        if not cands:
            cands = postings[0]
        if len(cands) > 25:
            # common words: keep the customers holding most of the payer's words, and names of the payer's length
            def rank(c: int) -> tuple[int, int, int]:
                size = min(abs(len(t) - len(toks)) for t in self.name_tokens[c])
                return -sum(c in p for p in postings[1:4]), size, c
            cands = set(sorted(cands, key=rank)[:25])
        hits = dict.fromkeys(cands, 0.0)
        scored = []
        for cid, _ in sorted(hits.items(), key=lambda kv: -kv[1])[:25]:
            best = max(name_similarity(toks, legal) for legal in self.name_tokens[cid])
            scored.append((cid, best, "payer name"))
        scored.sort(key=lambda x: -x[1])
        result = scored[:5]
        if len(self._name_cache) < 100_000:
            self._name_cache[payer] = result
        return result

    def customer_of(self, line: Line, verify: set[int] | None = None) -> list[tuple[int, float, str]]:
        """Customer evidence from account, tax id and name; each entry is (customer id, P(right), reason).

        With `verify` (the customers that exact references point at) the payer name is only compared with
        those customers instead of searched for: confirming is cheaper than finding.
        """
        out: list[tuple[int, float, str]] = []
        acct = _compact(line.counterparty_account)
        if acct and acct in self.by_iban:
            out.append((self.by_iban[acct], 0.98, f"account {line.counterparty_account} known for this customer"))
        for tid in tax_id_candidates(f"{line.remittance} {line.reference} {line.counterparty_name}"):
            if tid in self.by_taxid:
                out.append((self.by_taxid[tid], 0.97, f"tax id {tid} in the text"))
        if line.counterparty_name and verify is not None:
            toks = name_tokens(line.counterparty_name)
            for cid in verify:
                sim = max((name_similarity(toks, legal) for legal in self.name_tokens.get(cid, ())), default=0.0)
                if sim >= 0.6:
                    why = f"payer name {line.counterparty_name!r} ~ {self.customers[cid].name!r} ({sim:.2f})"
                    out.append((cid, 0.95 * sim, why))
            if not any(c in verify for c, _, _ in out):
                out.append((-1, 0.5, f"payer name {line.counterparty_name!r} is not the referenced customer's"))
        elif line.counterparty_name:
            cands = [c for c in self.customer_by_name(line.counterparty_name) if c[1] >= 0.6]
            # every name within reach of the best stays a candidate; the amount may tell them apart later
            for cid, sim, _ in [c for c in cands if c[1] >= cands[0][1] - 0.15][:3] if cands else []:
                why = f"payer name {line.counterparty_name!r} ~ {self.customers[cid].name!r} ({sim:.2f})"
                out.append((cid, 0.95 * sim, why))
        return out


def open_items(index: MatchIndex, cid: int, currency: str) -> list[Item]:
    return [i for i in index.by_customer.get(cid, []) if i.currency == currency]


def _lowered(item: Item, minor: int) -> Item:
    if not minor:
        return item
    return Item(item.id, item.customer_id, item.number, item.due_date, item.open_minor - minor, item.currency,
                item.interest)


def _compact(value: str) -> str:
    return "".join(c for c in value.upper() if c.isalnum())


