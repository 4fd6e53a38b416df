"""IFRS 9 simplified approach for trade receivables: provision matrix (docs/domain.md §2.2).

Lifetime expected credit loss (5.5.15) by ageing bucket (B5.5.35), from historical loss rates adjusted for
forward-looking information (B5.5.51-52).  Three ways to get the rates:

* roll rates (migration): ``R_k = Σ_t B[t+1][k+1] / Σ_t B[t][k]`` pooled over month-end snapshots; the last roll goes
  into "written off" (a flow column).  Loss rate of bucket k = ``Π_{j≥k} R_j × LGD``, then × overlay, capped at 100 %;
* vintage / loss-rate method: final loss of a cohort / balance that reached each bucket;
* rates given directly (e.g. IFRS 9 IE Example 12).

Rates are fractions (0.0125 = 1.25 %); amounts unrounded Decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from cobro.kernel.money import ZERO

ONE: Final = Decimal(1)


class ProvisionError(ValueError):
    """Inconsistent provision inputs (ragged snapshots, rates outside 0..1, mismatched buckets)."""


@dataclass(frozen=True, slots=True)
class ProvisionLine:
    bucket: str
    balance: Decimal
    chain: Decimal  # probability of rolling to write-off (1 for given rates: n/a)
    loss_rate: Decimal  # after LGD, before the overlay
    rate: Decimal  # applied rate, after overlay and cap
    ecl: Decimal


@dataclass(frozen=True, slots=True)
class ProvisionMatrix:
    lines: tuple[ProvisionLine, ...]
    roll_rates: tuple[Decimal, ...] = ()

    @property
    def balance(self) -> Decimal:
        return sum((line.balance for line in self.lines), ZERO)

    @property
    def ecl(self) -> Decimal:
        return sum((line.ecl for line in self.lines), ZERO)

    @property
    def coverage(self) -> Decimal | None:
        """Total ECL / total balance."""
        return None if self.balance == 0 else self.ecl / self.balance


def roll_rates(snapshots: Sequence[Sequence[Decimal]]) -> list[Decimal]:
    """Pooled roll rates from month-end snapshots.

    Args:
        snapshots: one row per month, oldest first; columns are the buckets in order (Current, 1–30, …) and the LAST
            column is the amount written off during that month (a flow out of the previous month's last bucket).

    Returns:
        One rate per transition bucket k → k+1 (len = columns − 1); a bucket that was always empty rolls at 0.
    """
    if len(snapshots) < 2:
        raise ProvisionError("roll rates need at least two month-end snapshots")
    width = len(snapshots[0])
    if width < 2 or any(len(row) != width for row in snapshots):
        raise ProvisionError("every snapshot needs the same buckets plus a written-off column")
    if any(v < 0 for row in snapshots for v in row):
        raise ProvisionError("snapshot balances must not be negative")
    rates: list[Decimal] = []
    for k in range(width - 1):
        rolled = sum((snapshots[t + 1][k + 1] for t in range(len(snapshots) - 1)), ZERO)
        base = sum((snapshots[t][k] for t in range(len(snapshots) - 1)), ZERO)
        rates.append(ZERO if base == 0 else rolled / base)
    return rates


def chain_to_write_off(rates: Sequence[Decimal]) -> list[Decimal]:
    """Probability that each bucket ends written off: ``Π_{j≥k} R_j``."""
    chains: list[Decimal] = []
    product = ONE
    for rate in reversed(rates):
        product *= rate
        chains.append(product)
    return list(reversed(chains))


def _check_rate(name: str, value: Decimal) -> None:
    if value < 0:
        raise ProvisionError(f"{name} must not be negative, got {value}")


def roll_rate_matrix(
    snapshots: Sequence[Sequence[Decimal]],
    labels: Sequence[str],
    *,
    lgd: Decimal = ONE,
    overlay: Decimal = ONE,
    balances: Sequence[Decimal] | None = None,
) -> ProvisionMatrix:
    """ECL per bucket from roll rates.

    Args:
        snapshots: see `roll_rates`.
        labels: bucket names (without the written-off column).
        lgd: loss given default = 1 − recovery rate after write-off.
        overlay: forward-looking multiplier (1.10 = +10 %); the final rate is capped at 100 %.
        balances: current balances per bucket; default the last snapshot's buckets.
    """
    _check_rate("LGD", lgd)
    _check_rate("overlay", overlay)
    if lgd > 1:
        raise ProvisionError(f"LGD must be at most 1, got {lgd}")
    rates = roll_rates(snapshots)
    if len(labels) != len(rates):
        raise ProvisionError(f"{len(labels)} labels for {len(rates)} buckets")
    current = list(snapshots[-1][:-1]) if balances is None else list(balances)
    if len(current) != len(rates):
        raise ProvisionError(f"{len(current)} balances for {len(rates)} buckets")
    lines = []
    for label, balance, chain in zip(labels, current, chain_to_write_off(rates), strict=True):
        loss = chain * lgd
        rate = min(loss * overlay, ONE)
        lines.append(ProvisionLine(label, balance, chain, loss, rate, balance * rate))
    return ProvisionMatrix(tuple(lines), tuple(rates))


def apply_loss_rates(
    balances: Sequence[tuple[str, Decimal]], rates: Sequence[Decimal], *, overlay: Decimal = ONE
) -> ProvisionMatrix:
    """Direct provision matrix: balance × loss rate (× overlay, capped at 100 %) per bucket."""
    if len(balances) != len(rates):
        raise ProvisionError(f"{len(balances)} buckets for {len(rates)} rates")
    _check_rate("overlay", overlay)
    lines = []
    for (label, balance), loss in zip(balances, rates, strict=True):
        if not ZERO <= loss <= ONE:
            raise ProvisionError(f"loss rate for {label} must be between 0 and 1, got {loss}")
        rate = min(loss * overlay, ONE)
        lines.append(ProvisionLine(label, balance, ONE, loss, rate, balance * rate))
    return ProvisionMatrix(tuple(lines))


def vintage_loss_rates(paid_per_bucket: Sequence[Decimal], never_paid: Decimal) -> list[Decimal]:
    """Loss rates of one sales cohort (loss-rate method).

    Args:
        paid_per_bucket: amount paid while in each bucket (on time, 1–30 late, 31–60, …), in bucket order.
        never_paid: the cohort's final loss.

    Returns:
        final loss / balance that reached each bucket, for the buckets of `paid_per_bucket` plus the last
        (never-paid) bucket.  A bucket no balance reached gets 0.
    """
    if never_paid < 0 or any(p < 0 for p in paid_per_bucket):
        raise ProvisionError("cohort amounts must not be negative")
    reached = sum(paid_per_bucket, ZERO) + never_paid
    rates = []
    for paid in [*paid_per_bucket, ZERO]:
        rates.append(ZERO if reached == 0 else never_paid / reached)
        reached -= paid
    return rates


def average_loss_rates(cohorts: Sequence[Sequence[Decimal]]) -> list[Decimal]:
    """Simple average, bucket by bucket, of several cohorts' loss rates ("average several cohorts before use")."""
    if not cohorts or any(len(c) != len(cohorts[0]) for c in cohorts):
        raise ProvisionError("cohorts must be non-empty and have the same buckets")
    return [sum((c[k] for c in cohorts), ZERO) / len(cohorts) for k in range(len(cohorts[0]))]
