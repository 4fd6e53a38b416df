"""Payments recorded by other features (cash application, e-invoice imports): the ledger writes its own rows.

Callers decide the allocation (the pure `cobro.ledger.domain.payments.allocate`); these record it, keeping the
maintained paid/open amounts of instalments and invoices in step.  They flush, never commit.
"""

from __future__ import annotations

import datetime as dt

from cobro.kernel.money import Money
from cobro.ledger.domain.payments import Allocation
from cobro.ledger.repository.store import LEDGER
from cobro.platform.uow import Uow


def known_payment_refs(uow: Uow, refs: list[str]) -> set[str]:
    """Which of `refs` are already references of recorded payments (imports record each payment once)."""
    return uow.repo(LEDGER).known_payment_refs(refs)


def record_payment(uow: Uow, *, customer_id: int, reference: str, date: dt.date, amount: Money,
                   allocations: list[tuple[int, Allocation]], unapplied: Money, method: str, source: str) -> int:
    """Record a payment of `amount` allocated to instalments (by id), `unapplied` left over; its id."""
    return uow.repo(LEDGER).record_payment(customer_id=customer_id, reference=reference, date=date, amount=amount,
                                           allocations=allocations, unapplied=unapplied, method=method,
                                           source=source)
