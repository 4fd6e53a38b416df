"""Amounts as evidence in cash application: the policy, bounded subset sums, and how much an amount agreeing
tells us.  Pure, no database.

An amount that equals an open item to the cent is strong evidence only when such a coincidence is rare.  How
rare is measured on the book itself: `MatchIndex.amount_rate(a)` is the share of open items per minor unit
around `a` (with a spike check for amounts many items share exactly), so checking `t` candidate items or subsets
against the amount produces about `t * rate` coincidental fits.  The likelihood ratio of a fit is then
`P(fit | right) / P(fit | wrong) = p_fit_if_right / (t * rate)`, capped at `max_amount_lr` because the model
(a smooth amount density, independent items) is an approximation and must not claim certainty.  Posterior odds
= prior odds x likelihood ratio (`bayes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from math import comb

from cobro.cashapp.domain.matching_index import Item


@dataclass(frozen=True, slots=True)
class Policy:
    threshold: Decimal = Decimal("0.85")
    fee_max_minor: int = 2500  # a shortfall up to this is a bank fee, not a partial payment ...
    fee_max_ratio: Decimal = Decimal("0.05")  # ... if it is also at most this share of the amount due
    max_combo_items: int = 6
    max_combos: int = 1 << 16
    combo_pool: int = 14  # subset search looks at this many of the customer's oldest items
    # amounts as evidence (see the module docstring)
    p_fit_if_right: float = 0.5  # P(the amount pays some of the right payer's open items exactly)
    max_amount_lr: float = 1000.0  # an amount agreeing never multiplies the odds by more than this
    # P(a credit that carries nothing identifying its payer pays an open item): uninformative, as likely as not
    prior_unidentified: float = 0.5


def combine(ps: list[float]) -> float:
    """Independent pieces of evidence for the same conclusion: 1 - prod(1 - p)."""
    miss = 1.0
    for p in ps:
        miss *= 1.0 - p
    return 1.0 - miss


def bayes(prior: float, lr: float) -> float:
    """Posterior probability from a prior probability and a likelihood ratio."""
    prior = min(max(prior, 0.0), 0.999)
    odds = prior / (1.0 - prior) * lr
    return odds / (1.0 + odds)


def amount_lr(coincidences: float, policy: Policy) -> float:
    """Likelihood ratio of "the amount fits" when `coincidences` fits were expected by chance."""
    return min(policy.max_amount_lr, policy.p_fit_if_right / max(coincidences, 1e-12))


def is_fee(shortfall: int, due: int, policy: Policy) -> bool:
    return 0 < shortfall <= policy.fee_max_minor and Decimal(shortfall) <= policy.fee_max_ratio * due


def fee_window(amount: int, policy: Policy) -> int:
    """How many minor-unit values a fee-short fit accepts: a fee fit is that much likelier by chance."""
    return max(1, min(policy.fee_max_minor, int(policy.fee_max_ratio * amount)))


def subsets_tried(pool: int, size: int, policy: Policy) -> int:
    """How many subsets a search up to `size` items of a `pool`-item pool compares with the amount."""
    return min(policy.max_combos, sum(comb(min(pool, policy.combo_pool), k) for k in range(1, size + 1)))


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
            elif total > amount and (not fee_hits or len(fee_hits[0][0]) == size) \
                    and is_fee(total - amount, total, policy):
                fee_hits.append((combo, total - amount))
        if exact:
            return exact, 0
        if budget < 0:
            break
    if fee_hits:
        fee_hits.sort(key=lambda x: x[1])
        return [c for c, _ in fee_hits[:2]], fee_hits[0][1]
    return [], 0


def fit_lr(items: list[Item], solutions: list[tuple[Item, ...]], fee: int, amount: int, rate: float,
           policy: Policy) -> float:
    """Likelihood ratio that `find_combination`'s result lends to "these items' owner paid".

    No fit at all is mild evidence against (a payer usually pays what it owes); several fits say nothing.
    """
    if not solutions:
        return 1.0 - policy.p_fit_if_right
    if len(solutions) > 1:
        return 1.0
    size = len(solutions[0])
    tried = subsets_tried(len(items), size, policy)
    window = fee_window(amount, policy) if fee else 1
    return amount_lr(tried * rate * window, policy)
