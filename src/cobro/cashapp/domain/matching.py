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

from cobro.cashapp.domain.matching_amount import (
    Policy,
    amount_lr,
    bayes,
    combine,
    fee_window,
    find_combination,
    is_fee,
)
from cobro.cashapp.domain.matching_index import CustomerInfo, Item, Line, MatchIndex, Ref, open_items
from cobro.cashapp.domain.matching_payer import Match, match_by_amount_alone, match_by_payer, result
from cobro.cashapp.domain.matching_text import digit_candidates, digits_key, one_digit_variants

__all__ = ["CustomerInfo", "Item", "Line", "Match", "MatchIndex", "Policy", "find_combination", "match_line",
           "match_lines"]

_FUZZY_READINGS = 100  # a fuzzy reference's readings (prefix completions, one-digit variants) compared with the amount


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
    refs = [r for r in index.references(text, line.amount_minor) if r.item.currency == line.currency]
    refs = _retarget_mistyped(line, index, policy, refs)
    exact = {r.item.customer_id for r in refs if r.quality >= 0.97}
    cust_ev = index.customer_of(line, exact if exact and len(exact) == len({r.item.customer_id for r in refs})
                                else None)
    evidence = [reason for _, _, reason in cust_ev]
    if refs:
        return _match_with_refs(line, index, policy, refs=refs, cust_ev=cust_ev, evidence=evidence)
    if not cust_ev:
        return match_by_amount_alone(line, index, policy)
    for cid in dict.fromkeys(c for c, _, _ in sorted(cust_ev, key=lambda e: -e[1])[:2]):
        local = _local_refs(index, cid, text, line.currency)
        if local:
            return _match_with_refs(line, index, policy, refs=local, cust_ev=cust_ev, evidence=evidence)
    return match_by_payer(line, index, policy, cust_ev)


def _retarget_mistyped(line: Line, index: MatchIndex, policy: Policy, refs: list[Ref]) -> list[Ref]:
    """A mistyped digit can turn one invoice number into another that exists (numbering is dense).  When the
    only number found names an item the amount does not pay, and exactly one item one digit away has exactly
    the amount paid, that item is the better reading; the amount's weight is settled in `_match_with_refs`."""
    if len(refs) != 1 or refs[0].quality < 0.97:
        return refs
    named = refs[0].item
    if find_combination([named], line.amount_minor, policy)[0]:
        return refs
    near = [i for i in index.items_one_digit_off(digits_key(named.number), line.amount_minor, line.currency)
            if i.id != named.id]
    if len(near) != 1:
        return refs
    return [Ref(near[0], 0.7, f"invoice {near[0].number}: the text names {named.number}, one digit away, "
                "whose amount differs; this one's amount is exact")]


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
    elif amount < due and is_fee(due - amount, due, policy):
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
    # a fuzzy reference is only as good as its corroboration: the amount agreeing is independent evidence,
    # as strong as a coincidental fit among the reference's possible readings is rare
    q_ref = min(r.quality for r in crefs)
    q_eff = q_ref
    if q_ref < 0.9 and (amount == due or fee > 0):
        window = fee_window(amount, policy) if fee else 1
        q_eff = bayes(q_ref, amount_lr(_FUZZY_READINGS * window * index.amount_rate(amount), policy))
    p_cust = combine([q_eff] + [p for c, p, _ in cust_ev if c == cid]) * penalty
    conf = p_cust * p_items * (q_eff / 0.99 if q_ref < 0.9 else 1.0)
    return result(line, policy, cid, tuple(i.id for i in items), designated=True, fee=fee, conf=conf, reason=what,
                   evidence=evidence)


def match_lines(lines: list[Line], index: MatchIndex, policy: Policy) -> list[Match]:
    """Match many lines; each line sees the open items as they were (the service settles conflicts)."""
    return [match_line(ln, index, policy) for ln in lines]
