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

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from cobro.domain.matching_index import CustomerInfo, Item, Line, MatchIndex, Ref, open_items
from cobro.domain.matching_text import digit_candidates, digits_key, one_digit_variants

__all__ = ["CustomerInfo", "Item", "Line", "Match", "MatchIndex", "Policy", "find_combination", "match_line",
           "match_lines"]


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
               if find_combination(open_items(index, cid, line.currency), line.amount_minor, policy)[0]]
    if len(ranked) > 1 and len(fitting) == 1:
        cid, ps = fitting[0]  # the clues point at several payers but the amount fits only one
        p_cust = _combine(ps)
    else:
        cid, ps = ranked[0]
        p_cust = _combine(ps) * (0.6 if len(ranked) > 1 else 1.0)  # the clues disagree on who paid
    evidence = [reason for c, _, reason in cust_ev if c == cid]
    mine = open_items(index, cid, line.currency)
    if not mine:
        return _result(line, policy, cid, (), designated=False, fee=0, conf=p_cust * 0.5,
                       reason="payer known but no open items: credit", evidence=evidence)
    solutions, fee = find_combination(mine, line.amount_minor, policy)
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
    total_open = sum(i.open_minor for i in mine)
    what = "partial payment, applied oldest first" if line.amount_minor < total_open else \
        "pays all open items; the surplus stays as credit"
    return _result(line, policy, cid, tuple(i.id for i in mine), designated=False, fee=0,
                   conf=p_cust * 0.6, reason=what, evidence=evidence)


def _local_refs(index: MatchIndex, cid: int, text: str, currency: str) -> list[Ref]:
    """Within one known customer's few items a truncated or mistyped number is no longer ambiguous."""
    cands = digit_candidates(text, 5)
    if not cands:
        return []
    out: list[Ref] = []
    for it in open_items(index, cid, currency):
        dk = digits_key(it.number)
        for c in cands:
            if dk.startswith(c) and len(c) < len(dk):
                out.append(Ref(it, 0.8, f"invoice {it.number} (truncated reference {c}, same customer)"))
                break
            if len(c) == len(dk) and c in _variants(dk):
                out.append(Ref(it, 0.8, f"invoice {it.number} (reference {c} with one digit off, same customer)"))
                break
    return out if len(out) <= 3 else []


def _variants(digits: str) -> frozenset[str]:
    return frozenset(one_digit_variants(digits))


def _mistyped_sibling(index: MatchIndex, ref: Item, amount: int) -> Item | None:
    """An item of the same customer, one digit away from the named one, whose amount is what was paid."""
    variants = _variants(digits_key(ref.number))
    for it in open_items(index, ref.customer_id, ref.currency):
        if it.id != ref.id and digits_key(it.number) in variants and it.open_minor == amount:
            return it  # exact only: a fee window is wide enough to make coincidences likely
    return None


def _match_with_refs(line: Line, index: MatchIndex, policy: Policy, *, refs: list[Ref],
                     cust_ev: list[tuple[int, float, str]], evidence: list[str]) -> Match:
    by_cust: dict[int, list[Ref]] = defaultdict(list)
    for r in refs:
        by_cust[r.item.customer_id].append(r)
    named = {cid for cid, _, _ in cust_ev}
    amount = line.amount_minor
    fits = {c: find_combination([r.item for r in rs], amount, policy)[0] for c, rs in by_cust.items()}

    def weight(kv: tuple[int, list[Ref]]) -> float:
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
            crefs = [Ref(sibling, 0.8, f"invoice {sibling.number}: the text names {crefs[0].item.number}, one "
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
        others = [i for i in open_items(index, cid, line.currency) if i not in items]
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
