"""`/api/v1/customers` and their contacts: create, read (with an ETag), update (PATCH, `If-Match`), list with a
cursor, filters and sort; contacts created, updated, listed and deleted under their customer."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, Header, Path, Query, Response, status

from cobro.ledger.api.models import (
    ContactIn,
    ContactOut,
    ContactPatch,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    contact_out,
    customer_out,
    page,
)
from cobro.ledger.schemas.entities import (
    ContactChanges,
    ContactInput,
    CustomerChanges,
    CustomerInput,
    CustomerQuery,
)
from cobro.ledger.service import entities as service
from cobro.platform.http.auth import require
from cobro.platform.http.deps import UowDep, WriteUowDep
from cobro.platform.http.paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Page,
    check_if_match,
    check_limit,
    decode_cursor,
    etag_of,
)
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/v1/customers", tags=["ledger"], responses=PROBLEMS)
READ, WRITE = [require("ledger.read")], [require("ledger.write")]
Code = Annotated[str, Path(min_length=1, max_length=64, description="The customer's code")]
ContactId = Annotated[int, Path(ge=1, le=2**62, description="The contact's id")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=500, pattern=r"^[A-Za-z0-9_-]*$", description="`next_cursor` of the previous page")]
IfMatch = Annotated[str | None, Header(max_length=500, description="The ETag read; a stale one answers 412")]
CustomerSort = Literal["code", "-code", "legal_name", "-legal_name"]  # CUSTOMER_SORTS, for the OpenAPI document
PRECONDITION: dict[int | str, dict[str, object]] = {412: {"description": "If-Match names a state the resource no longer has"}}
CONFLICT: dict[int | str, dict[str, object]] = {409: {"description": "It exists already"}}


def _location(*parts: str | int) -> str:
    return "/api/v1/customers/" + "/".join(quote(str(p), safe="") for p in parts)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CustomerOut, dependencies=WRITE,
             summary="Create a customer", responses=CONFLICT)
def create_customer(uow: WriteUowDep, response: Response, body: Annotated[CustomerIn, Body()]) -> CustomerOut:
    """A new customer, checked like an imported row (country code, tax id of that country, terms, credit limit in
    its currency); a code that exists answers 409."""
    created = customer_out(service.create_customer(uow, values=CustomerInput(**body.model_dump())))
    response.headers["Location"] = _location(created.code)
    response.headers["ETag"] = etag_of(created)
    return created


@router.get("", response_model=Page[CustomerOut], dependencies=READ, summary="List customers")
def list_customers(
    uow: UowDep,
    segment: Annotated[str, Query(max_length=60)] = "",
    collector: Annotated[str, Query(max_length=120)] = "",
    country: Annotated[str, Query(pattern=r"^([A-Za-z]{2})?$", description="ISO 3166 two-letter code")] = "",
    search: Annotated[str, Query(max_length=100, description="Part of the code, legal name or tax id")] = "",
    sort: Annotated[CustomerSort, Query(description="`-` first: descending")] = "code",
    limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None,
) -> Page[CustomerOut]:
    """Customers matching every filter given, `limit` per page; follow `next_cursor` for the next page."""
    query = CustomerQuery(segment=segment, collector=collector, country=country, search=search, sort=sort)
    limit = check_limit(limit)
    found = service.list_customers(uow, query=query, after=decode_cursor(cursor), limit=limit + 1)
    by_name = sort.lstrip("-") == "legal_name"
    return page(found, limit, lambda c: [sort, c.legal_name if by_name else c.code, c.id], customer_out)


@router.get("/{code}", response_model=CustomerOut, dependencies=READ, summary="Read a customer")
def get_customer(uow: UowDep, code: Code, response: Response) -> CustomerOut:
    """The customer's record, with its `ETag` for a later `If-Match`."""
    found = customer_out(service.get_customer(uow, code))
    response.headers["ETag"] = etag_of(found)
    return found


@router.patch("/{code}", response_model=CustomerOut, dependencies=WRITE, summary="Update a customer",
              responses=PRECONDITION)
def update_customer(uow: WriteUowDep, code: Code, response: Response, body: Annotated[CustomerPatch, Body()],
                    if_match: IfMatch = None) -> CustomerOut:
    """Only the fields sent change; the whole record is checked again (a new country re-checks the tax id)."""
    check_if_match(if_match, etag_of(customer_out(service.get_customer_for_update(uow, code))))
    changes = CustomerChanges(**body.model_dump(exclude_unset=True, exclude_none=True))
    updated = customer_out(service.update_customer(uow, code, changes=changes))
    response.headers["ETag"] = etag_of(updated)
    return updated


@router.get("/{code}/contacts", response_model=list[ContactOut], dependencies=READ, summary="List contacts")
def list_contacts(uow: UowDep, code: Code) -> list[ContactOut]:
    """The customer's contacts by role, then name."""
    return [contact_out(c) for c in service.contacts(uow, code)]


@router.post("/{code}/contacts", status_code=status.HTTP_201_CREATED, response_model=ContactOut,
             dependencies=WRITE, summary="Add a contact", responses=CONFLICT)
def create_contact(uow: WriteUowDep, code: Code, response: Response,
                   body: Annotated[ContactIn, Body()]) -> ContactOut:
    """A contact of the customer (role, e-mail checked as reminders need it, preferred channel)."""
    created = contact_out(service.create_contact(uow, code, values=ContactInput(**body.model_dump())))
    response.headers["Location"] = _location(code, "contacts", created.id)
    response.headers["ETag"] = etag_of(created)
    return created


@router.get("/{code}/contacts/{contact_id}", response_model=ContactOut, dependencies=READ, summary="Read a contact")
def get_contact(uow: UowDep, code: Code, contact_id: ContactId, response: Response) -> ContactOut:
    found = contact_out(service.get_contact(uow, code, contact_id))
    response.headers["ETag"] = etag_of(found)
    return found


@router.patch("/{code}/contacts/{contact_id}", response_model=ContactOut, dependencies=WRITE,
              summary="Update a contact", responses=PRECONDITION)
def update_contact(uow: WriteUowDep, code: Code, contact_id: ContactId, response: Response,
                   body: Annotated[ContactPatch, Body()], if_match: IfMatch = None) -> ContactOut:
    """Only the fields sent change."""
    check_if_match(if_match, etag_of(contact_out(service.get_contact(uow, code, contact_id))))
    changes = ContactChanges(**body.model_dump(exclude_unset=True, exclude_none=True))
    updated = contact_out(service.update_contact(uow, code, contact_id, changes=changes))
    response.headers["ETag"] = etag_of(updated)
    return updated


@router.delete("/{code}/contacts/{contact_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=WRITE,
               summary="Delete a contact", responses=PRECONDITION)
def delete_contact(uow: WriteUowDep, code: Code, contact_id: ContactId, if_match: IfMatch = None) -> Response:
    """The contact goes; reminders no longer reach it."""
    check_if_match(if_match, etag_of(contact_out(service.get_contact(uow, code, contact_id))))
    service.delete_contact(uow, code, contact_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
