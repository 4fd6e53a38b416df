"""Single-customer and contact use cases behind `/api/v1/customers`: create, update, read, list; flush, never commit.

Values are checked by the importers' rules (`ledger.domain.fields`), so a customer entered through the API is held
to what a file row would be; a failure names the field (`InvalidInputError("tax_id: ...")`) and writes nothing.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from dataclasses import replace
from typing import Final

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.kernel.errors import ConflictError, InvalidInputError, NotFoundError
from cobro.ledger.domain import fields as check
from cobro.ledger.repository.entities import ENTITIES, Cursor
from cobro.ledger.schemas.entities import (
    CUSTOMER_SORTS,
    ContactChanges,
    ContactInput,
    ContactView,
    CustomerChanges,
    CustomerFields,
    CustomerInput,
    CustomerQuery,
)
from cobro.ledger.schemas.statement import CustomerProfile
from cobro.platform.uow import Uow

MAX_CODE: Final = 64


def _fields(values: CustomerInput) -> CustomerFields:
    """Validated, normalised values of one customer (the import's rules, field by field)."""
    country = check.country("country", values.country or "ES")
    limit_minor: int | None = None
    limit_currency = ""
    if values.credit_limit.strip():
        limit_currency = check.currency("credit_limit_currency", values.credit_limit_currency or "EUR")
        limit_minor = check.amount_minor("credit_limit", values.credit_limit, limit_currency, positive=False)
        if limit_minor < 0:
            raise InvalidInputError("credit_limit: must not be negative")
    return CustomerFields(
        legal_name=check.required("legal_name", values.legal_name), country=country,
        tax_id=check.tax_id("tax_id", values.tax_id, country), segment=values.segment.strip(),
        account_owner=values.account_owner.strip(), collector=values.collector.strip(),
        credit_limit_minor=limit_minor, credit_limit_currency=limit_currency,
        language=check.language("language", values.language) or "es", terms=check.terms("terms", values.terms))


def get_customer(uow: Uow, code: str) -> CustomerProfile:
    found = uow.repo(ENTITIES).find_customer(code)
    if found is None:
        raise NotFoundError(f"no customer with code {code!r}")
    return found


def create_customer(uow: Uow, *, values: CustomerInput) -> CustomerProfile:
    """A new customer; its code must be new to the tenant (ConflictError otherwise: update it instead)."""
    code = check.required("code", values.code)
    if len(code) > MAX_CODE:
        raise InvalidInputError(f"code: at most {MAX_CODE} characters")
    fields = _fields(values)
    repo = uow.repo(ENTITIES)
    if repo.find_customer(code) is not None:
        raise ConflictError(f"code: a customer {code!r} exists already; update it with PATCH")
    created = repo.add_customer(code, fields)
    after = created.as_json()
    changes = [Change("customer", code, "create", None, after)]
    if after["credit_limit"]:
        changes.append(Change("credit_limit", code, "set", None, {"credit_limit": after["credit_limit"]}))
    audit.record(uow, changes)
    return created


def update_customer(uow: Uow, code: str, *, changes: CustomerChanges) -> CustomerProfile:
    """The customer with only the fields named in `changes` changed, re-validated as a whole (a new country
    re-checks the tax id).  Its row is locked until the transaction ends, so an `If-Match` check the caller made
    on `get_customer_for_update` holds until the commit."""
    current = get_customer_for_update(uow, code)
    base = CustomerInput(
        code=current.code, legal_name=current.legal_name, country=current.country, tax_id=current.tax_id,
        segment=current.segment, account_owner=current.account_owner, collector=current.collector,
        credit_limit=current.credit_limit.format_plain() if current.credit_limit else "",
        credit_limit_currency=current.credit_limit.currency if current.credit_limit else "EUR",
        language=current.language, terms=current.terms)
    given = {f.name: getattr(changes, f.name) for f in dataclass_fields(changes) if getattr(changes, f.name) is not None}
    updated = uow.repo(ENTITIES).update_customer(current.id, _fields(replace(base, **given)))
    old, new = current.as_json(), updated.as_json()
    moved = sorted(k for k in new if old.get(k) != new[k])
    if moved:
        audited = [Change("customer", code, "update", {k: old.get(k) for k in moved}, {k: new[k] for k in moved})]
        if "credit_limit" in moved:
            audited.append(Change("credit_limit", code, "set", {"credit_limit": old.get("credit_limit")},
                                  {"credit_limit": new["credit_limit"]}))
        audit.record(uow, audited)
    return updated


def get_customer_for_update(uow: Uow, code: str) -> CustomerProfile:
    """The customer, its row locked until the transaction ends (PostgreSQL; SQLite's writer lock serialises)."""
    found = uow.repo(ENTITIES).find_customer(code, lock=True)
    if found is None:
        raise NotFoundError(f"no customer with code {code!r}")
    return found


def list_customers(uow: Uow, *, query: CustomerQuery, after: Cursor, limit: int) -> list[CustomerProfile]:
    """Up to `limit` customers matching `query` after the cursor (the caller asks one more to know if a next
    page exists)."""
    if query.sort not in CUSTOMER_SORTS:
        raise InvalidInputError(f"sort: one of {', '.join(CUSTOMER_SORTS)}")
    if query.country:
        query = replace(query, country=check.country("country", query.country))
    try:
        return uow.repo(ENTITIES).customers(query, after, limit)
    except ValueError as exc:  # a cursor of another listing (another sort)
        raise InvalidInputError("cursor: not a cursor of this listing and sort") from exc


def _contact(values: ContactInput, customer_code: str) -> ContactView:
    return ContactView(0, customer_code, check.required("name", values.name)[:200], check.role("role", values.role),
                       check.email("email", values.email), values.phone.strip()[:40],
                       check.channel("preferred_channel", values.preferred_channel),
                       check.language("language", values.language))


def contacts(uow: Uow, code: str) -> list[ContactView]:
    """The customer's contacts by role, then name."""
    return uow.repo(ENTITIES).contacts(get_customer(uow, code).id)


def get_contact(uow: Uow, code: str, contact_id: int) -> ContactView:
    found = uow.repo(ENTITIES).find_contact(get_customer(uow, code).id, contact_id)
    if found is None:
        raise NotFoundError(f"customer {code!r} has no contact {contact_id}")
    return found


def create_contact(uow: Uow, code: str, *, values: ContactInput) -> ContactView:
    """A new contact of the customer; names are unique per customer (ConflictError: update that one)."""
    customer = get_customer(uow, code)
    contact = _contact(values, customer.code)
    repo = uow.repo(ENTITIES)
    if repo.contact_named(customer.id, contact.name) is not None:
        raise ConflictError(f"name: customer {code!r} has a contact {contact.name!r} already")
    saved = repo.save_contact(customer.id, None, contact)
    audit.record(uow, Change("contact", str(saved.id), "create", None, _contact_state(saved)))
    return saved


def update_contact(uow: Uow, code: str, contact_id: int, *, changes: ContactChanges) -> ContactView:
    """The contact with only the fields named in `changes` changed, re-validated."""
    current = get_contact(uow, code, contact_id)
    base = ContactInput(current.name, current.role.value, current.email, current.phone,
                        current.preferred_channel.value, current.language)
    given = {f.name: getattr(changes, f.name) for f in dataclass_fields(changes) if getattr(changes, f.name) is not None}
    contact = _contact(replace(base, **given), current.customer_code)
    repo = uow.repo(ENTITIES)
    customer_id = get_customer(uow, code).id
    other = repo.contact_named(customer_id, contact.name)
    if other is not None and other != contact_id:
        raise ConflictError(f"name: customer {code!r} has a contact {contact.name!r} already")
    saved = repo.save_contact(customer_id, contact_id, contact)
    old, new = _contact_state(current), _contact_state(saved)
    moved = sorted(k for k in new if old.get(k) != new[k])
    if moved:
        audit.record(uow, Change("contact", str(contact_id), "update", {k: old[k] for k in moved},
                                 {k: new[k] for k in moved}))
    return saved


def delete_contact(uow: Uow, code: str, contact_id: int) -> None:
    current = get_contact(uow, code, contact_id)  # not found (or another tenant's) is a 404, not a silent success
    uow.repo(ENTITIES).delete_contact(contact_id)
    audit.record(uow, Change("contact", str(contact_id), "delete", _contact_state(current), None))


def _contact_state(c: ContactView) -> dict[str, str]:
    """A contact as its audit entries show it."""
    return {"customer": c.customer_code, "name": c.name, "role": str(c.role.value), "email": c.email,
            "phone": c.phone, "preferred_channel": str(c.preferred_channel.value), "language": c.language}
