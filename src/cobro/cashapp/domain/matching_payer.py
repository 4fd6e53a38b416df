"""Cash application without an invoice reference: who paid, and for which items, from payer clues and the
amount as joint evidence.  Pure, no database.

Each candidate customer (from a learned account, a tax id, or a payer-name match) starts with the probability
its clues give.  The amount is a second, independent piece of evidence: a unique exact fit among that customer's
open items multiplies the odds by the likelihood ratio of such a fit (see `matching_amount`), a fee-short fit by
a much smaller one, no fit at all lowers them.  The candidates compete: P(c) = odds(c) / (1 + sum of odds), the
`1` standing for "none of them".  With no candidate at all, an amount that only one open item in the whole book
has, and that is rare enough in the book, is weighed the same way against an uninformative prior.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from cobro.cashapp.domain.matching_amount import Policy, amount_lr, bayes, combine, find_combination, fit_lr
from cobro.cashapp.domain.matching_index import Item, Line, MatchIndex, open_items
from cobro.cashapp.domain.matching_text import name_similarity, name_tokens


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


def result(line: Line, policy: Policy, cid: int | None, items: tuple[int, ...], *, designated: bool,
           fee: int, conf: float, reason: str, evidence: list[str]) -> Match:
    c = Decimal(str(round(max(0.0, min(conf, 0.999)), 3)))
    return Match(line.key, cid, items, designated, fee, c, reason, c >= policy.threshold, tuple(evidence))


def no_match(line: Line, reason: str, evidence: list[str] | None = None) -> Match:
    return Match(line.key, None, (), False, 0, Decimal(0), reason, False, tuple(evidence or ()))


@dataclass(slots=True)
class _Candidate:
    cid: int
    odds: float
    lr: float
    mine: list[Item]
    solutions: list[tuple[Item, ...]]
    fee: int


def match_by_payer(line: Line, index: MatchIndex, policy: Policy, cust_ev: list[tuple[int, float, str]]) -> Match:
    """No reference: weigh each candidate payer's clues together with how its open items fit the amount."""
    per_cust: dict[int, list[float]] = defaultdict(list)
    for cid, p, _ in cust_ev:
        if cid >= 0:
            per_cust[cid].append(p)
    if not per_cust:
        return no_match(line, "no invoice reference and no known payer")
    amount = line.amount_minor
    rate = index.amount_rate(amount)
    cands: list[_Candidate] = []
    for cid, ps in per_cust.items():
        mine = open_items(index, cid, line.currency)
        sols, fee = find_combination(mine, amount, policy) if mine else ([], 0)
        lr = fit_lr(mine, sols, fee, amount, rate, policy)
        p = min(combine(ps), 0.999)
        cands.append(_Candidate(cid, p / (1.0 - p) * lr, lr, mine, sols, fee))
    best = max(cands, key=lambda c: (c.odds, -c.cid))
    p_cust = best.odds / (1.0 + sum(c.odds for c in cands))
    evidence = [reason for c, _, reason in cust_ev if c == best.cid]
    if len(cands) > 1:
        evidence.append(f"{len(cands)} candidate payers weighed")
    if not best.mine:
        return result(line, policy, best.cid, (), designated=False, fee=0, conf=p_cust * 0.5,
                      reason="payer known but no open items: credit", evidence=evidence)
    if best.solutions:
        chosen = best.solutions[0]
        p_items = (0.95 if len(chosen) == 1 else 0.92) if len(best.solutions) == 1 else 0.55
        if best.fee:
            p_items -= 0.03
        what = f"amount equals {len(chosen)} open item(s)" + (f" less a {best.fee / 100:.2f} fee" if best.fee else "")
        if len(best.solutions) > 1:
            what += " (several combinations fit)"
        else:
            evidence.append(f"the amount fitting multiplies the odds by {best.lr:.0f}")
        return result(line, policy, best.cid, tuple(i.id for i in chosen), designated=False, fee=best.fee,
                      conf=p_cust * p_items, reason=what, evidence=evidence)
    total_open = sum(i.open_minor for i in best.mine)
    what = "partial payment, applied oldest first" if amount < total_open else \
        "pays all open items; the surplus stays as credit"
    return result(line, policy, best.cid, tuple(i.id for i in best.mine), designated=False, fee=0,
                  conf=p_cust * 0.6, reason=what, evidence=evidence)


def match_by_amount_alone(line: Line, index: MatchIndex, policy: Policy) -> Match:
    """Nothing identifies the payer: one open item in the whole book has exactly this amount.

    The chance that some other open item has this amount by coincidence is (items in the book) x (amount rate);
    the result is that likelihood ratio applied to `policy.prior_unidentified`.  A payer name that does not
    resemble the item's customer contradicts it, and the line is left alone.
    """
    count, item = index.amount_hits(line.amount_minor)
    if count != 1 or item is None or item.currency != line.currency:
        return no_match(line, "no invoice reference and no known payer")
    legal = index.name_tokens.get(item.customer_id, [])
    if line.counterparty_name:
        toks = name_tokens(line.counterparty_name)
        if max((name_similarity(toks, t) for t in legal), default=0.0) < 0.6:
            return no_match(line, "no invoice reference and no known payer",
                            [f"only {item.number} has this amount, but the payer name is not its customer's"])
    coincidences = len(index.by_id) * index.amount_rate(line.amount_minor)
    lr = amount_lr(coincidences, policy)
    p_cust = bayes(policy.prior_unidentified, lr)
    evidence = [(f"only open item with amount {line.amount_minor / 100:.2f} in the book: {item.number} "
                 f"({coincidences:.3f} such items expected by chance)")]
    return result(line, policy, item.customer_id, (item.id,), designated=False, fee=0, conf=p_cust * 0.95,
                  reason="unique exact amount in the open book", evidence=evidence)
