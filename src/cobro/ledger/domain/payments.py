"""Payments and their allocation to open items.

Allocation follows the Spanish Civil Code order when the payer designates nothing (arts. 1172-1174, see
domain.md §1.2): designated items first, then the oldest due item.  What is left over stays with the customer
as unapplied credit; it is never silently dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cobro.kernel.money import Money


@dataclass(frozen=True, slots=True)
class OpenItem:
    """One instalment that can receive money."""

    invoice_number: str
    seq: int
    due_date: dt.date
    open_amount: Money


@dataclass(frozen=True, slots=True)
class Allocation:
    invoice_number: str
    seq: int
    amount: Money


@dataclass(frozen=True, slots=True)
class Payment:
    reference: str
    customer_code: str
    date: dt.date
    amount: Money
    designated: tuple[str, ...] = ()  # invoice numbers the payer named


def allocate(payment: Payment, items: list[OpenItem]) -> tuple[list[Allocation], Money]:
    """Allocate `payment` to `items`; return the allocations and the unapplied remainder."""
    if not payment.amount.is_positive():
        return [], payment.amount
    named = set(payment.designated)
    ordered = sorted(
        (i for i in items if i.open_amount.currency == payment.amount.currency and i.open_amount.is_positive()),
        key=lambda i: (i.invoice_number not in named, i.due_date, i.invoice_number, i.seq),
    )
    left = payment.amount
    allocations: list[Allocation] = []
    for item in ordered:
        if not left.is_positive():
            break
        take = item.open_amount if item.open_amount <= left else left
        allocations.append(Allocation(item.invoice_number, item.seq, take))
        left = left - take
    return allocations, left
