"""What is open, and what an invoice's status is: the ledger's one rule (docs/ledger.md, "Open as of a date").

* Only invoices are receivables.  A credit note is credit the customer holds: it is totalled apart, never
  netted into an invoice's open amount (not even when it names the invoice it corrects, in `corrects`).
  A cancelled or written-off invoice is not a receivable at any date (the ledger does not date those events).
* An instalment is open at D when its invoice was issued on or before D and ``amount − Σ allocations dated ≤ D``
  is above zero; that difference is its open amount at D.  It is overdue at D when it is open and its due date
  is before D (one day past due or more).
* An invoice's status follows from its open amount now: ``open`` while anything is open, ``paid`` once nothing
  is; ``cancelled`` and ``written_off`` are final and never recomputed.

`cobro.ledger.repository.open_items` is the SQL of this rule; this module is the reference it is tested against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from cobro.kernel.types import DocumentKind, InvoiceStatus

RECEIVABLE_KIND = DocumentKind.INVOICE
FINAL_STATUSES = frozenset({InvoiceStatus.CANCELLED, InvoiceStatus.WRITTEN_OFF})


def is_receivable(kind: str, status: str) -> bool:
    """True for a document whose instalments are receivables: an invoice that is not cancelled or written off."""
    return kind == RECEIVABLE_KIND and status not in FINAL_STATUSES


def open_at(amount_minor: int, allocations: Iterable[tuple[dt.date, int]], as_of: dt.date) -> int:
    """An instalment's open minor units at the end of `as_of`: its amount less what was allocated by then."""
    return amount_minor - sum(minor for day, minor in allocations if day <= as_of)


def is_overdue(due_date: dt.date, as_of: dt.date) -> bool:
    """Past due at `as_of`: due before that day (days past due ≥ 1)."""
    return due_date < as_of


def status_for(open_minor: int, current: str = InvoiceStatus.OPEN) -> str:
    """The status an invoice with `open_minor` still open has now (`current`: the status it has so far)."""
    if current in FINAL_STATUSES:
        return current
    return InvoiceStatus.OPEN if open_minor > 0 else InvoiceStatus.PAID
