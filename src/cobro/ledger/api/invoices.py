"""`/api/v1/invoices` (create with instalments, read, list with filters and sort) and `/api/v1/credit-notes`."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, Path, Query, Response, status

from cobro.kernel.errors import InvalidInputError
from cobro.kernel.types import DocumentKind, InvoiceStatus
from cobro.ledger.api.models import CreditNoteIn, InvoiceIn, InvoiceOut, invoice_out, page
from cobro.ledger.schemas.entities import (
    CreditNoteInput,
    InstalmentInput,
    InvoiceInput,
    InvoiceQuery,
    InvoiceView,
)
from cobro.ledger.service import documents as service
from cobro.platform.http.auth import require
from cobro.platform.http.deps import UowDep, WriteUowDep
from cobro.platform.http.paging import DEFAULT_LIMIT, MAX_LIMIT, Page, check_limit, decode_cursor, etag_of
from cobro.platform.http.params import Day
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/v1/invoices", tags=["ledger"], responses=PROBLEMS)
notes = APIRouter(prefix="/v1/credit-notes", tags=["ledger"], responses=PROBLEMS)
READ, WRITE = [require("ledger.read")], [require("ledger.write")]
# INVOICE_SORTS, for the OpenAPI document
InvoiceSort = Literal["due_date", "-due_date", "issue_date", "-issue_date", "number", "-number"]
CONFLICT: dict[int | str, dict[str, object]] = {409: {"description": "A document with this number exists already"}}


def _created(response: Response, view: InvoiceView) -> InvoiceOut:
    out = invoice_out(view)
    response.headers["Location"] = "/api/v1/invoices/" + quote(out.number, safe="")
    response.headers["ETag"] = etag_of(out)
    return out


@router.post("", status_code=status.HTTP_201_CREATED, response_model=InvoiceOut, dependencies=WRITE,
             summary="Create an invoice", responses=CONFLICT)
def create_invoice(uow: WriteUowDep, response: Response, body: Annotated[InvoiceIn, Body()]) -> InvoiceOut:
    """An invoice of an existing customer, owed in one instalment (due on `due_date`, else by its terms) or in the
    `instalments` given, whose amounts sum to `amount`.  A number that exists answers 409."""
    values = InvoiceInput(
        number=body.number, customer_code=body.customer_code, issue_date=body.issue_date, currency=body.currency,
        amount=body.amount, due_date=body.due_date, terms=body.terms,
        instalments=tuple(InstalmentInput(i.due_date, i.amount) for i in body.instalments),
        disputed=body.disputed, channel=body.channel)
    return _created(response, service.create_invoice(uow, values=values))


@router.get("", response_model=Page[InvoiceOut], dependencies=READ, summary="List invoices")
def list_invoices(
    uow: UowDep,
    customer: Annotated[str, Query(max_length=64, description="A customer's code")] = "",
    status_: Annotated[InvoiceStatus | None, Query(alias="status")] = None,
    kind: Annotated[DocumentKind | None, Query()] = None,
    currency: Annotated[str, Query(pattern=r"^([A-Za-z]{3})?$", description="ISO 4217 code")] = "",
    due_before: Annotated[Day | None, Query(description="Due on or before this day")] = None,
    due_after: Annotated[Day | None, Query(description="Due on or after this day")] = None,
    sort: Annotated[InvoiceSort, Query(description="`-` first: descending")] = "due_date",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=500, pattern=r"^[A-Za-z0-9_-]*$")] = None,
) -> Page[InvoiceOut]:
    """Invoices and credit notes matching every filter given; follow `next_cursor` for the next page."""
    if due_before is not None and due_after is not None and due_after > due_before:
        raise InvalidInputError("due_after: after due_before, so nothing can match")
    query = InvoiceQuery(customer=customer, status=status_, kind=kind, currency=currency, due_before=due_before,
                         due_after=due_after, sort=sort)
    limit = check_limit(limit)
    found = service.list_invoices(uow, query=query, after=decode_cursor(cursor), limit=limit + 1)
    name = sort.lstrip("-")

    def key(v: InvoiceView) -> list[str | int]:
        value = v.number if name == "number" else (v.issue_date if name == "issue_date" else v.due_date).isoformat()
        return [sort, value, v.id]

    return page(found, limit, key, invoice_out)


@router.get("/{number}", response_model=InvoiceOut, dependencies=READ, summary="Read an invoice")
def get_invoice(uow: UowDep, number: Annotated[str, Path(min_length=1, max_length=64)],
                response: Response) -> InvoiceOut:
    """An invoice or credit note with its instalments, what is paid and open, and its `ETag`."""
    found = invoice_out(service.get_invoice(uow, number))
    response.headers["ETag"] = etag_of(found)
    return found


@notes.post("", status_code=status.HTTP_201_CREATED, response_model=InvoiceOut, dependencies=WRITE,
            summary="Create a credit note", responses=CONFLICT)
def create_credit_note(uow: WriteUowDep, response: Response, body: Annotated[CreditNoteIn, Body()]) -> InvoiceOut:
    """Credit the customer holds; `corrects` names the invoice it corrects (same customer and currency).  The
    credit is kept apart, never netted into that invoice: a payment or cash application uses it."""
    values = CreditNoteInput(number=body.number, customer_code=body.customer_code, issue_date=body.issue_date,
                             currency=body.currency, amount=body.amount, corrects=body.corrects)
    return _created(response, service.create_credit_note(uow, values=values))
