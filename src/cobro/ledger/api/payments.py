"""`/api/v1/payments`: record a payment (allocated by the caller, by the ledger's rule, or kept unallocated), read
one, list them newest first."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Body, Path, Query, Response, status

from cobro.kernel.errors import InvalidInputError
from cobro.ledger.api.models import PaymentIn, PaymentOut, page, payment_out
from cobro.ledger.schemas.entities import AllocationInput, PaymentInput, PaymentQuery
from cobro.ledger.service import documents as service
from cobro.platform.http.auth import require
from cobro.platform.http.deps import UowDep, WriteUowDep
from cobro.platform.http.paging import DEFAULT_LIMIT, MAX_LIMIT, Page, check_limit, decode_cursor, etag_of
from cobro.platform.http.params import Day
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/v1/payments", tags=["ledger"], responses=PROBLEMS)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PaymentOut,
             dependencies=[require("ledger.write")], summary="Record a payment",
             responses={409: {"description": "A payment with this reference exists already"}})
def create_payment(uow: WriteUowDep, response: Response, body: Annotated[PaymentIn, Body()]) -> PaymentOut:
    """A payment received from a customer.  With `allocations`, each takes at most what its invoice still owes;
    without, the ledger's rule allocates it (the `invoices` named first, then the oldest due); with
    `unallocated: true` it is kept whole as credit.  Whatever is not allocated stays as the customer's credit."""
    values = PaymentInput(
        reference=body.reference, customer_code=body.customer_code, date=body.date, currency=body.currency,
        amount=body.amount, method=body.method,
        allocations=None if body.allocations is None else tuple(
            AllocationInput(a.invoice_number, a.amount, a.seq) for a in body.allocations),
        invoice_numbers=tuple(body.invoices), unallocated=body.unallocated)
    out = payment_out(service.create_payment(uow, values=values))
    response.headers["Location"] = "/api/v1/payments/" + quote(out.reference, safe="")
    response.headers["ETag"] = etag_of(out)
    return out


@router.get("", response_model=Page[PaymentOut], dependencies=[require("ledger.read")], summary="List payments")
def list_payments(
    uow: UowDep,
    customer: Annotated[str, Query(max_length=64, description="A customer's code")] = "",
    currency: Annotated[str, Query(pattern=r"^([A-Za-z]{3})?$", description="ISO 4217 code")] = "",
    date_from: Annotated[Day | None, Query(description="Received on or after this day")] = None,
    date_to: Annotated[Day | None, Query(description="Received on or before this day")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=500, pattern=r"^[A-Za-z0-9_-]*$")] = None,
) -> Page[PaymentOut]:
    """Payments newest first, with their allocations; follow `next_cursor` for the next page."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise InvalidInputError("date_from: after date_to, so nothing can match")
    limit = check_limit(limit)
    found = service.list_payments(uow, query=PaymentQuery(customer=customer, currency=currency, date_from=date_from,
                                                          date_to=date_to),
                                  after=decode_cursor(cursor), limit=limit + 1)
    return page(found, limit, lambda p: ["-date", p.date.isoformat(), p.id], payment_out)


@router.get("/{reference}", response_model=PaymentOut, dependencies=[require("ledger.read")],
            summary="Read a payment")
def get_payment(uow: UowDep, reference: Annotated[str, Path(min_length=1, max_length=120)],
                response: Response) -> PaymentOut:
    """A payment with its allocations and what is kept unapplied."""
    found = payment_out(service.get_payment(uow, reference))
    response.headers["ETag"] = etag_of(found)
    return found
