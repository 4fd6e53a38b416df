"""Invoices, credit notes and payments one at a time (behind `/api/v1/invoices`, `/credit-notes`, `/payments`);
flush, never commit.

The rules are the import's: amounts through the one grammar in the document's currency, due dates from the
instalments, the given date or the payment terms, a payment allocated by the ledger's rule (`domain.payments`) unless
the caller names the allocations or keeps it unallocated.  Every refusal names the field and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Final

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.kernel.errors import ConflictError, InvalidInputError, NotFoundError
from cobro.kernel.money import Money
from cobro.kernel.terms import PaymentTerms, exceeds_spanish_cap
from cobro.kernel.types import DocumentKind
from cobro.ledger.domain import fields as check
from cobro.ledger.domain.payments import Allocation, OpenItem, Payment, allocate
from cobro.ledger.repository.documents import DOCUMENTS, NewDocument
from cobro.ledger.repository.entities import ENTITIES, Cursor
from cobro.ledger.schemas.entities import (
    INVOICE_SORTS,
    AllocationInput,
    CreditNoteInput,
    InvoiceInput,
    InvoiceQuery,
    InvoiceView,
    PaymentInput,
    PaymentQuery,
    PaymentView,
)
from cobro.ledger.schemas.statement import CustomerProfile
from cobro.platform.uow import Uow
from cobro.webhooks import service as webhooks

MAX_NUMBER: Final = 64
MAX_REFERENCE: Final = 120
MAX_INSTALMENTS: Final = 120


def _customer(uow: Uow, code: str) -> CustomerProfile:
    """The customer a document names; unknown (or another tenant's) is a field error of the request body."""
    found = uow.repo(ENTITIES).find_customer(check.required("customer_code", code))
    if found is None:
        raise InvalidInputError(f"customer_code: no customer {code!r}; create it first")
    return found


def _number(uow: Uow, number: str) -> str:
    text = check.required("number", number)
    if len(text) > MAX_NUMBER:
        raise InvalidInputError(f"number: at most {MAX_NUMBER} characters")
    if uow.repo(DOCUMENTS).find_invoice(text) is not None:
        raise ConflictError(f"number: a document {text!r} exists already")
    return text


def get_invoice(uow: Uow, number: str) -> InvoiceView:
    """An invoice or credit note by number (NotFoundError naming it)."""
    found = uow.repo(DOCUMENTS).find_invoice(number)
    if found is None:
        raise NotFoundError(f"no invoice {number!r}")
    return found


def _schedule(values: InvoiceInput, currency: str, amount_minor: int,
              default_terms: str) -> tuple[dt.date, tuple[tuple[int, dt.date, int], ...], str]:
    """(final due date, instalments as (seq, due, minor), terms code) of a new invoice."""
    terms = check.terms("terms", values.terms or default_terms or "net 30")
    if values.instalments:
        if len(values.instalments) > MAX_INSTALMENTS:
            raise InvalidInputError(f"instalments: at most {MAX_INSTALMENTS}")
        parts = tuple((i + 1, inst.due_date, check.amount_minor(f"instalments[{i}].amount", inst.amount, currency))
                      for i, inst in enumerate(values.instalments))
        for i, (_, due, _) in enumerate(parts):
            if due < values.issue_date:
                raise InvalidInputError(f"instalments[{i}].due_date: {due} is before the issue date "
                                        f"{values.issue_date}")
        total = sum(minor for _, _, minor in parts)
        if total != amount_minor:
            raise InvalidInputError(f"instalments: the amounts sum to {Money.from_minor(total, currency)}, not the "
                                    f"invoice's {Money.from_minor(amount_minor, currency)}")
        return max(due for _, due, _ in parts), parts, terms
    due = values.due_date or PaymentTerms.parse(terms).due_date(values.issue_date)
    if due < values.issue_date:
        raise InvalidInputError(f"due_date: {due} is before the issue date {values.issue_date}")
    return due, ((1, due, amount_minor),), terms


def create_invoice(uow: Uow, *, values: InvoiceInput) -> InvoiceView:
    """A new invoice owed in one or more instalments, nothing paid yet."""
    number = _number(uow, values.number)
    customer = _customer(uow, values.customer_code)
    currency = check.currency("currency", values.currency)
    amount = check.amount_minor("amount", values.amount, currency)
    if values.instalments and values.due_date is not None:
        raise InvalidInputError("due_date: give either due_date or instalments (each has its own due date)")
    due, parts, terms = _schedule(values, currency, amount, customer.terms)
    channel = check.channel("channel", values.channel).value if values.channel.strip() else ""
    created = uow.repo(DOCUMENTS).add_document(NewDocument(
        customer.id, number, DocumentKind.INVOICE, values.issue_date, due, currency, amount, parts,
        disputed=values.disputed, channel=channel, terms=terms,
        over_legal_cap=exceeds_spanish_cap(values.issue_date, due)))
    audit.record(uow, Change("invoice", number, "create", None, _document_state(created)))
    return created


def create_credit_note(uow: Uow, *, values: CreditNoteInput) -> InvoiceView:
    """A credit note; one that names the invoice it corrects is applied to it (what the invoice cannot absorb stays
    as credit the customer holds)."""
    number = _number(uow, values.number)
    customer = _customer(uow, values.customer_code)
    currency = check.currency("currency", values.currency)
    amount = check.amount_minor("amount", values.amount, currency)
    corrects = values.corrects.strip()
    if corrects:
        target = uow.repo(DOCUMENTS).find_invoice(corrects)
        if target is None or target.kind != DocumentKind.INVOICE:
            raise InvalidInputError(f"corrects: no invoice {corrects!r}")
        if target.customer_code != customer.code:
            raise InvalidInputError(f"corrects: invoice {corrects!r} is not of customer {customer.code!r}")
        if target.amount.currency != currency:
            raise InvalidInputError(f"corrects: invoice {corrects!r} is in {target.amount.currency}, not {currency}")
    created = uow.repo(DOCUMENTS).add_document(NewDocument(
        customer.id, number, DocumentKind.CREDIT_NOTE, values.issue_date, values.issue_date, currency, amount,
        ((1, values.issue_date, amount),), corrects=corrects))
    audit.record(uow, Change("credit_note", number, "create", None, _document_state(created)))
    if not corrects:
        return created
    # applied to the invoice it names, as an import applies one: the invoice is reduced or settled from the credit
    # note's date, so the cycle does not chase what was credited (ledger/service/credit_notes.py)
    from cobro.ledger.service.credit_notes import apply_credit_notes

    uow.flush()
    apply_credit_notes(uow, numbers=[number])
    return get_invoice(uow, number)


def _document_state(v: InvoiceView) -> dict[str, object]:
    """An invoice or credit note as its audit entry shows it."""
    return {"customer": v.customer_code, "issue_date": v.issue_date.isoformat(), "due_date": v.due_date.isoformat(),
            "currency": v.amount.currency, "amount": v.amount.format_plain(), "corrects": v.corrects,
            "disputed": v.disputed, "channel": v.channel, "terms": v.terms,
            "instalments": len(v.instalments)}


def list_invoices(uow: Uow, *, query: InvoiceQuery, after: Cursor, limit: int) -> list[InvoiceView]:
    if query.sort not in INVOICE_SORTS:
        raise InvalidInputError(f"sort: one of {', '.join(INVOICE_SORTS)}")
    if query.currency:
        query = replace(query, currency=check.currency("currency", query.currency))
    try:
        return uow.repo(DOCUMENTS).invoices(query, after, limit)
    except ValueError as exc:  # a cursor of another sort
        raise InvalidInputError("cursor: not a cursor of this listing and sort") from exc


def _explicit(allocations: tuple[AllocationInput, ...], items: list[tuple[int, OpenItem]],
              currency: str) -> list[tuple[int, Allocation]]:
    """The caller's allocations checked against what is open: each may take at most what its invoice (or
    instalment) still owes, after the allocations before it."""
    left = {iid: item for iid, item in items if item.open_amount.currency == currency}
    chosen: list[tuple[int, Allocation]] = []
    for i, wanted in enumerate(allocations):
        name = f"allocations[{i}]"
        minor = check.amount_minor(f"{name}.amount", wanted.amount, currency)
        pool = [(iid, item) for iid, item in left.items() if item.invoice_number == wanted.invoice_number
                and (wanted.seq is None or item.seq == wanted.seq)]
        if not pool:
            what = f"instalment {wanted.seq} of invoice" if wanted.seq is not None else "invoice"
            raise InvalidInputError(f"{name}.invoice_number: no open {what} {wanted.invoice_number!r} in "
                                    f"{currency} for this customer")
        part = Payment("", "", dt.date.min, Money.from_minor(minor, currency), (wanted.invoice_number,))
        taken, rest = allocate(part, [item for _, item in pool])
        if rest.is_positive():
            open_total = sum((item.open_amount for _, item in pool), Money.zero(currency))
            raise InvalidInputError(f"{name}.amount: {Money.from_minor(minor, currency)} is more than the "
                                    f"{open_total} open on {wanted.invoice_number!r}")
        by_key = {(item.invoice_number, item.seq): iid for iid, item in pool}
        for alloc in taken:
            iid = by_key[(alloc.invoice_number, alloc.seq)]
            chosen.append((iid, alloc))
            item = left[iid]
            left[iid] = replace(item, open_amount=item.open_amount - alloc.amount)
    return chosen


def create_payment(uow: Uow, *, values: PaymentInput) -> PaymentView:
    """A payment received, allocated (the caller's allocations, else the ledger's rule) or kept unallocated;
    what is left over stays with the customer as unapplied credit."""
    reference = check.required("reference", values.reference)
    if len(reference) > MAX_REFERENCE:
        raise InvalidInputError(f"reference: at most {MAX_REFERENCE} characters")
    customer = _customer(uow, values.customer_code)
    currency = check.currency("currency", values.currency)
    amount = Money.from_minor(check.amount_minor("amount", values.amount, currency), currency)
    if values.unallocated and values.allocations:
        raise InvalidInputError("unallocated: a payment kept unallocated cannot name allocations")
    repo = uow.repo(DOCUMENTS)
    if repo.payment_exists(reference):
        raise ConflictError(f"reference: a payment {reference!r} exists already")
    items = [] if values.unallocated else repo.open_items(customer.id)
    if values.allocations is not None:
        chosen = _explicit(values.allocations, items, currency)
        total = sum((a.amount for _, a in chosen), Money.zero(currency))
        if total > amount:
            raise InvalidInputError(f"allocations: they add up to {total}, more than the payment's {amount}")
        unapplied = amount - total
    else:
        by_key = {(item.invoice_number, item.seq): iid for iid, item in items}
        auto, unapplied = allocate(Payment(reference, customer.code, values.date, amount, values.invoice_numbers),
                                   [item for _, item in items])
        chosen = [(by_key[(a.invoice_number, a.seq)], a) for a in auto]
    recorded = repo.record_payment(customer_id=customer.id, reference=reference, date=values.date, amount=amount,
                                   allocations=chosen, unapplied=unapplied, method=values.method.strip()[:30])
    audit.record(uow, Change("payment", reference, "create", None, recorded.as_json()))
    # in this transaction: a subscriber hears of the payment only once it is committed
    webhooks.emit(uow, "payment.applied", entity=f"payment:{recorded.id}", data=recorded.as_json())
    return recorded


def list_payments(uow: Uow, *, query: PaymentQuery, after: Cursor, limit: int) -> list[PaymentView]:
    """Newest first."""
    if query.currency:
        query = replace(query, currency=check.currency("currency", query.currency))
    try:
        return uow.repo(DOCUMENTS).payments(query, after, limit)
    except ValueError as exc:
        raise InvalidInputError("cursor: not a cursor of this listing") from exc


def get_payment(uow: Uow, reference: str) -> PaymentView:
    found = uow.repo(DOCUMENTS).find_payment(reference)
    if found is None:
        raise NotFoundError(f"no payment {reference!r}")
    return found
