"""Cash application: match one incoming bank credit to a customer's open items.  Pure, no database.

Pipeline for one statement line (see docs/cash-application.md):

1. **References** - invoice numbers found in the reference / remittance / end-to-end id, looked up in an index by
   normalised number and by digits (tolerant to added prefixes, spaces and separators), then by prefix
   (a truncated reference) and by one mistyped or swapped digit.
2. **Customer** - the counterparty IBAN learned from earlier accepted matches, a tax id in the text, the
   customers of the referenced invoices, or a fuzzy payer-name match (learned aliases first).
3. **Amount** - the referenced items exactly, or within the bank-fee tolerance, or a partial payment, or an
   overpayment kept as unapplied credit; with no reference, a combination of the customer's open items
   (bounded subset sum).

The confidence is P(customer right) x P(items right), each taken from the evidence used; a result at or above
the tenant's threshold is applied automatically, anything below goes to the review queue.  Nothing here moves
money: the service allocates the result in the legal order (interest first, then designated, then oldest).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from cobro.domain.matching_text import (
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


@dataclass(frozen=True, slots=True)
class Policy:
    threshold: Decimal = Decimal("0.85")
    fee_max_minor: int = 2500  # a shortfall up to this is a bank fee, not a partial payment ...
    fee_max_ratio: Decimal = Decimal("0.05")  # ... if it is also at most this share of the amount due
    max_combo_items: int = 6
    max_combos: int = 1 << 16
    combo_pool: int = 14  # subset search looks at this many of the customer's oldest items


@dataclass(frozen=True, slots=True)
class Match:
    line_key: str
    customer_id: int | None
    items: tuple[int, ...]  # item ids the payment is for (designated or found by amount), oldest first
    designated: bool  # the payer named the items (invoice numbers in the text)
    fee_minor: int
    confidence: Decimal
    reason: str
    auto: bool
    evidence: tuple[str, ...] = field(default=())


def _p(x: float) -> Decimal:
    return Decimal(str(round(x, 3)))


@dataclass(slots=True)
class _Ref:
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
        for it in items:
            self.by_id[it.id] = it
            self.by_customer[it.customer_id].append(it)
            d = digits_key(it.number)
            if len(d) >= 4:
                self.by_digits[d].append(it)  # the exact form is checked on the few hits, not indexed
            else:
                self.by_number[number_key(it.number)].append(it)
        for lst in self.by_customer.values():
            lst.sort(key=lambda i: (not i.interest, i.due_date, i.number, i.id))
        self._sorted_digits: list[str] | None = None
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

    def settle(self, paid: dict[int, int]) -> None:
        """Lower the open amounts of items just paid (item id -> minor units), so later lines see them."""
        for item_id, minor in paid.items():
            item = self.by_id.get(item_id)
            if item is None or not minor:
                continue
            lowered = _lowered(item, minor)
            self.by_id[item_id] = lowered
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
    def references(self, text: str) -> list[_Ref]:
        found: dict[int, _Ref] = {}

        def add(items: list[Item], quality: float, how: str) -> None:
            for it in items:
                if it.id not in found or found[it.id].quality < quality:
                    found[it.id] = _Ref(it, quality, how)

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
            for variant in one_digit_variants(digits):
                hit = self.by_digits.get(variant)
                if hit and len(hit) == 1:
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
            cands = set(sorted(cands, key=lambda c: -sum(c in p for p in postings[1:4]))[:25])
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
                    out.append((cid, min(0.95, sim), why))
            if not any(c in verify for c, _, _ in out):
                out.append((-1, 0.5, f"payer name {line.counterparty_name!r} is not the referenced customer's"))
        elif line.counterparty_name:
            cands = [c for c in self.customer_by_name(line.counterparty_name) if c[1] >= 0.6]
            # every name within reach of the best stays a candidate; the amount may tell them apart later
            for cid, sim, _ in [c for c in cands if c[1] >= cands[0][1] - 0.15][:3] if cands else []:
                why = f"payer name {line.counterparty_name!r} ~ {self.customers[cid].name!r} ({sim:.2f})"
                out.append((cid, min(0.95, sim), why))
        return out


def _open(index: MatchIndex, cid: int, currency: str) -> list[Item]:
    return [i for i in index.by_customer.get(cid, []) if i.currency == currency]


def _lowered(item: Item, minor: int) -> Item:
    if not minor:
        return item
    return Item(item.id, item.customer_id, item.number, item.due_date, item.open_minor - minor, item.currency,
                item.interest)


def _compact(value: str) -> str:
    return "".join(c for c in value.upper() if c.isalnum())


def _combine(ps: list[float]) -> float:
    """Independent pieces of evidence for the same conclusion: 1 - prod(1 - p)."""
    miss = 1.0
    for p in ps:
        miss *= 1.0 - p
    return 1.0 - miss


def _is_fee(shortfall: int, due: int, policy: Policy) -> bool:
    return 0 < shortfall <= policy.fee_max_minor and Decimal(shortfall) <= policy.fee_max_ratio * due


def find_combination(items: list[Item], amount: int, policy: Policy) -> tuple[list[tuple[Item, ...]], int]:
    """Subsets of `items` (oldest `combo_pool` only) that the amount pays exactly, or up to a bank fee.

    Returns the solutions (at most 2, enough to call it ambiguous) and the fee.  An exact sum of any size beats
    a sum short by a fee; among exact sums the smallest size wins (a payer is likelier to pay two invoices than
    five that happen to add up the same).  The search stops after `max_combos` subsets.
    """
    pool = [i for i in items[:policy.combo_pool] if 0 < i.open_minor <= amount + policy.fee_max_minor]
    budget = policy.max_combos
    fee_hits: list[tuple[tuple[Item, ...], int]] = []
    for size in range(1, min(policy.max_combo_items, len(pool)) + 1):
        exact: list[tuple[Item, ...]] = []
        for combo in combinations(pool, size):
            budget -= 1
            if budget < 0:
                break
            total = sum(i.open_minor for i in combo)
            if total == amount:
                exact.append(combo)
                if len(exact) >= 2:
                    break
            elif (not fee_hits and total > amount and _is_fee(total - amount, total, policy)) or (fee_hits and len(fee_hits[0][0]) == size and total > amount and \
                    _is_fee(total - amount, total, policy)):
                fee_hits.append((combo, total - amount))
        if exact:
            return exact, 0
        if budget < 0:
            break
    if fee_hits:
        fee_hits.sort(key=lambda x: x[1])
        return [c for c, _ in fee_hits[:2]], fee_hits[0][1]
    return [], 0


def match_line(line: Line, index: MatchIndex, policy: Policy) -> Match:
    """Decide what one credit line pays.  Never raises for odd input: a line it cannot place gets confidence 0."""
    text = " ".join(x for x in (line.reference, line.end_to_end_id, line.remittance) if x)
    if line.end_to_end_id:
        # an end-to-end id is ours, echoed back by the bank (SEPA debits cobro initiated): it outranks any name
        ours = [r for r in index.references(line.end_to_end_id) if r.quality >= 0.99 and r.item.currency == line.currency]
        if ours:
            for r in ours:
                r.how = f"end-to-end id {line.end_to_end_id} names invoice {r.item.number}"
            return _match_with_refs(line, index, policy, refs=ours, cust_ev=[], evidence=[])
    refs = [r for r in index.references(text) if r.item.currency == line.currency]
    exact = {r.item.customer_id for r in refs if r.quality >= 0.97}
    cust_ev = index.customer_of(line, exact if exact and len(exact) == len({r.item.customer_id for r in refs})
                                else None)
    evidence = [reason for _, _, reason in cust_ev]
    if refs:
        return _match_with_refs(line, index, policy, refs=refs, cust_ev=cust_ev, evidence=evidence)
    if not cust_ev:
        return Match(line.key, None, (), False, 0, Decimal(0), "no invoice reference and no known payer", False)
    for cid in dict.fromkeys(c for c, _, _ in sorted(cust_ev, key=lambda e: -e[1])[:2]):
        local = _local_refs(index, cid, text, line.currency)
        if local:
            return _match_with_refs(line, index, policy, refs=local, cust_ev=cust_ev, evidence=evidence)
    per_cust: dict[int, list[float]] = defaultdict(list)
    for cid, p, _ in cust_ev:
        per_cust[cid].append(p)
    ranked = sorted(per_cust.items(), key=lambda kv: -_combine(kv[1]))
    fitting = [(cid, ps) for cid, ps in ranked
               if find_combination(_open(index, cid, line.currency), line.amount_minor, policy)[0]]
    if len(ranked) > 1 and len(fitting) == 1:
        cid, ps = fitting[0]  # the clues point at several payers but the amount fits only one
        p_cust = _combine(ps)
    else:
        cid, ps = ranked[0]
        p_cust = _combine(ps) * (0.6 if len(ranked) > 1 else 1.0)  # the clues disagree on who paid
    evidence = [reason for c, _, reason in cust_ev if c == cid]
    open_items = _open(index, cid, line.currency)
    if not open_items:
        return _result(line, policy, cid, (), designated=False, fee=0, conf=p_cust * 0.5,
                       reason="payer known but no open items: credit", evidence=evidence)
    solutions, fee = find_combination(open_items, line.amount_minor, policy)
    if solutions:
        chosen = solutions[0]
        p_items = (0.95 if len(chosen) == 1 else 0.92) if len(solutions) == 1 else 0.55
        if fee:
            p_items -= 0.03
        what = f"amount equals {len(chosen)} open item(s)" + (f" less a {fee / 100:.2f} fee" if fee else "")
        if len(solutions) > 1:
            what += " (several combinations fit)"
        return _result(line, policy, cid, tuple(i.id for i in chosen), designated=False, fee=fee,
                       conf=p_cust * p_items, reason=what, evidence=evidence)
    total_open = sum(i.open_minor for i in open_items)
    what = "partial payment, applied oldest first" if line.amount_minor < total_open else \
        "pays all open items; the surplus stays as credit"
    return _result(line, policy, cid, tuple(i.id for i in open_items), designated=False, fee=0,
                   conf=p_cust * 0.6, reason=what, evidence=evidence)


def _local_refs(index: MatchIndex, cid: int, text: str, currency: str) -> list[_Ref]:
    """Within one known customer's few items a truncated or mistyped number is no longer ambiguous."""
    cands = digit_candidates(text, 5)
    if not cands:
        return []
    out: list[_Ref] = []
    for it in _open(index, cid, currency):
        dk = digits_key(it.number)
        for c in cands:
            if dk.startswith(c) and len(c) < len(dk):
                out.append(_Ref(it, 0.8, f"invoice {it.number} (truncated reference {c}, same customer)"))
                break
            if len(c) == len(dk) and c in _variants(dk):
                out.append(_Ref(it, 0.8, f"invoice {it.number} (reference {c} with one digit off, same customer)"))
                break
    return out if len(out) <= 3 else []


def _variants(digits: str) -> frozenset[str]:
    return frozenset(one_digit_variants(digits))


def _mistyped_sibling(index: MatchIndex, ref: Item, amount: int) -> Item | None:
    """An item of the same customer, one digit away from the named one, whose amount is what was paid."""
    variants = _variants(digits_key(ref.number))
    for it in _open(index, ref.customer_id, ref.currency):
        if it.id != ref.id and digits_key(it.number) in variants and it.open_minor == amount:
            return it  # exact only: a fee window is wide enough to make coincidences likely
    return None


def _match_with_refs(line: Line, index: MatchIndex, policy: Policy, *, refs: list[_Ref],
                     cust_ev: list[tuple[int, float, str]], evidence: list[str]) -> Match:
    by_cust: dict[int, list[_Ref]] = defaultdict(list)
    for r in refs:
        by_cust[r.item.customer_id].append(r)
    named = {cid for cid, _, _ in cust_ev}
    amount = line.amount_minor
    fits = {c: find_combination([r.item for r in rs], amount, policy)[0] for c, rs in by_cust.items()}

    def weight(kv: tuple[int, list[_Ref]]) -> float:
        return sum(r.quality for r in kv[1]) + (1.0 if kv[0] in named else 0.0) + (1.0 if fits[kv[0]] else 0.0)

    cid, crefs = max(by_cust.items(), key=weight)
    crefs.sort(key=lambda r: (r.item.due_date, r.item.number, r.item.id))
    fuzzy = [r for r in crefs if r.quality < 0.9]
    if len(fuzzy) > 1 and len(fits[cid]) == 1:
        # several near-misses of one reference: keep those the amount pays
        keep = {i.id for i in fits[cid][0]}
        crefs = [r for r in crefs if r.item.id in keep]
    amount = line.amount_minor
    if len(crefs) == 1 and crefs[0].item.open_minor != amount:
        sibling = _mistyped_sibling(index, crefs[0].item, amount)
        if sibling is not None:
            crefs = [_Ref(sibling, 0.8, f"invoice {sibling.number}: the text names {crefs[0].item.number}, one "
                          "digit away, but the amount is this one's")]
    penalty = 1.0
    if cid not in named and cust_ev:
        penalty *= 0.7  # the account or name points elsewhere
    if len(by_cust) > 1 and sum(1 for f in fits.values() if f) != 1:
        penalty *= 0.9  # references to several customers and the amount does not tell them apart
    items = [r.item for r in crefs]
    due = sum(i.open_minor for i in items)
    evidence = [r.how for r in crefs] + [e for c, _, e in cust_ev if c == cid]
    fee = 0
    if amount == due:
        p_items, what = 0.99, "referenced invoice(s), amount exact"
    elif amount < due and _is_fee(due - amount, due, policy):
        fee, p_items, what = due - amount, 0.96, f"referenced invoice(s) less a {(due - amount) / 100:.2f} fee"
    elif amount < due:
        p_items, what = 0.93, "referenced invoice(s), partial payment"
    else:
        # more than named: perhaps a reference was cut off - try the customer's other items for the rest
        others = [i for i in _open(index, cid, line.currency) if i not in items]
        extra, xfee = find_combination(others, amount - due, policy) if others else ([], 0)
        if len(extra) == 1:
            items += list(extra[0])
            fee, p_items = xfee, 0.9
            what = f"referenced invoice(s) plus {len(extra[0])} unnamed item(s) that make up the amount"
        else:
            p_items, what = 0.9, "referenced invoice(s); the surplus stays as credit"
    # a fuzzy reference is only as good as its corroboration: the amount agreeing is independent evidence
    q_ref = min(r.quality for r in crefs)
    agrees = amount == due or fee > 0
    q_eff = _combine([q_ref, 0.8]) if agrees and q_ref < 0.9 else q_ref
    p_cust = _combine([q_eff] + [p for c, p, _ in cust_ev if c == cid]) * penalty
    conf = p_cust * p_items * (q_eff / 0.99 if q_ref < 0.9 else 1.0)
    return _result(line, policy, cid, tuple(i.id for i in items), designated=True, fee=fee, conf=conf, reason=what,
                   evidence=evidence)


def _result(line: Line, policy: Policy, cid: int | None, items: tuple[int, ...], *, designated: bool,
            fee: int, conf: float, reason: str, evidence: list[str]) -> Match:
    c = _p(max(0.0, min(conf, 0.999)))
    return Match(line.key, cid, items, designated, fee, c, reason, c >= policy.threshold, tuple(evidence))


def match_lines(lines: list[Line], index: MatchIndex, policy: Policy) -> list[Match]:
    """Match many lines; each line sees the open items as they were (the service settles conflicts)."""
    return [match_line(ln, index, policy) for ln in lines]
