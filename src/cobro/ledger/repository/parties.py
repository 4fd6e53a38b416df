"""Queries and upserts for customers and contacts (tenants live in `cobro.platform.tenants`)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import astuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.kernel.errors import NotFoundError
from cobro.ledger.imports.records import ContactLine, CustomerLine, FieldChange
from cobro.ledger.records import ContactRow, CustomerRow
from cobro.ledger.repository import open_items
from cobro.platform.db.like import ESCAPE, contains


def _hash(values: tuple[object, ...]) -> str:
    return hashlib.sha1(repr(values).encode(), usedforsecurity=False).hexdigest()


Upserted = tuple[int, int, int, list[FieldChange]]
# an import field → the customer row's attributes it sets (credit_limit carries its currency)
_CUSTOMER_ATTRS: dict[str, tuple[str, ...]] = {
    "legal_name": ("legal_name",), "country": ("country",), "tax_id": ("tax_id",), "segment": ("segment",),
    "account_owner": ("account_owner",), "collector": ("collector",),
    # the limit is read in the file's currency (its column, else EUR), so the two are written together
    "credit_limit": ("credit_limit_minor", "credit_limit_currency"), "credit_limit_currency": (),
    "language": ("language",), "terms": ("terms",), "address": ("address",), "postal_code": ("postal_code",),
    "city": ("city",), "region": ("region",),
}
_CONTACT_ATTRS = ("role", "email", "phone", "preferred_channel", "language")


def _shown(value: object) -> str:
    return "" if value is None else str(value)


def _apply(row: object, line: object, attrs: tuple[str, ...], row_no: int, key: str,
           changes: list[FieldChange]) -> bool:
    """Set each attribute of `row` from `line` where it differs; record the change; True when any changed."""
    changed = False
    for attr in attrs:
        old, new = getattr(row, attr), getattr(line, attr)
        if old != new:
            changes.append(FieldChange(row_no, key, attr, _shown(old), _shown(new)))
            setattr(row, attr, new)
            changed = True
    return changed


def upsert_customers(session: Session, tenant: int, lines: list[CustomerLine]) -> Upserted:
    """Insert new customers; on existing ones set only the fields each line gives (`CustomerLine.given`), so a
    file with fewer columns keeps every other field.  Returns (created, updated, unchanged, changes)."""
    existing = {r.code: r for r in session.scalars(
        select(CustomerRow).where(CustomerRow.tenant_id == tenant, CustomerRow.code.in_([ln.code for ln in lines]))
    )} if len(lines) < 30000 else {r.code: r for r in session.scalars(
        select(CustomerRow).where(CustomerRow.tenant_id == tenant))}
    created = updated = unchanged = 0
    changes: list[FieldChange] = []
    for ln in lines:
        row = existing.get(ln.code)
        if row is None:
            session.add(CustomerRow(
                tenant_id=tenant, code=ln.code, legal_name=ln.legal_name, country=ln.country, tax_id=ln.tax_id,
                segment=ln.segment, account_owner=ln.account_owner, collector=ln.collector,
                credit_limit_minor=ln.credit_limit_minor, credit_limit_currency=ln.credit_limit_currency,
                language=ln.language, terms=ln.terms, address=ln.address, postal_code=ln.postal_code, city=ln.city,
                region=ln.region, behaviour="", row_hash=""))
            created += 1
            continue
        attrs = tuple(a for f, names in _CUSTOMER_ATTRS.items() if f in ln.given for a in names)
        if ln.credit_limit_minor is None and "credit_limit" in ln.given:
            ln.credit_limit_currency = ""  # a cleared limit has no currency
        if _apply(row, ln, attrs, ln.row, ln.code, changes):
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return created, updated, unchanged, changes


def countries(session: Session, tenant: int) -> dict[str, str]:
    """Customer code → country code, for the tenant's customers that have one."""
    return {str(code): str(country) for code, country in session.execute(
        select(CustomerRow.code, CustomerRow.country).where(CustomerRow.tenant_id == tenant, CustomerRow.country != ""))}


def customer_ids(session: Session, tenant: int, codes: set[str]) -> dict[str, int]:
    if not codes:
        return {}
    found: dict[str, int] = {}
    code_list = sorted(codes)
    for start in range(0, len(code_list), 5000):
        chunk = code_list[start:start + 5000]
        for code, cid in session.execute(
            select(CustomerRow.code, CustomerRow.id).where(CustomerRow.tenant_id == tenant, CustomerRow.code.in_(chunk))
        ):
            found[code] = int(cid)
    return found


def upsert_contacts(session: Session, tenant: int, lines: list[ContactLine], ids: dict[str, int]) -> Upserted:
    """Contacts by (customer, name): new ones inserted, existing ones given only the fields each line sets."""
    existing = {(r.customer_id, r.name): r for r in session.scalars(
        select(ContactRow).where(ContactRow.tenant_id == tenant, ContactRow.customer_id.in_(set(ids.values()))))}
    created = updated = unchanged = 0
    changes: list[FieldChange] = []
    for ln in lines:
        cid = ids[ln.customer_code]
        row = existing.get((cid, ln.name))
        if row is None:
            row = ContactRow(tenant_id=tenant, customer_id=cid, name=ln.name, role=ln.role, email=ln.email,
                             phone=ln.phone, preferred_channel=ln.preferred_channel, language=ln.language,
                             row_hash=_hash(astuple(ln)[1:-1]))
            session.add(row)
            existing[(cid, ln.name)] = row
            created += 1
        elif _apply(row, ln, tuple(a for a in _CONTACT_ATTRS if a in ln.given), ln.row,
                    f"{ln.customer_code} / {ln.name}", changes):
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return created, updated, unchanged, changes


def get_customer(session: Session, tenant: int, code: str) -> CustomerRow:
    row = session.scalar(select(CustomerRow).where(CustomerRow.tenant_id == tenant, CustomerRow.code == code))
    if row is None:
        raise NotFoundError(f"no customer with code {code!r}")
    return row


def contacts_of(session: Session, customer_id: int) -> list[ContactRow]:
    return list(session.scalars(select(ContactRow).where(ContactRow.customer_id == customer_id)
                                .order_by(ContactRow.role, ContactRow.name)))


def list_customers(session: Session, tenant: int, *, limit: int = 200, search: str = "") -> list[tuple[CustomerRow, dict[str, int], int]]:
    """Customers with their open balance now per currency and count of open invoices, largest balance first."""
    balances, counts = open_balances(session, tenant)
    query = select(CustomerRow).where(CustomerRow.tenant_id == tenant)
    if search:
        like = contains(search)  # `%` and `_` are searched for, not wildcards
        query = query.where(CustomerRow.code.ilike(like, escape=ESCAPE)
                            | CustomerRow.legal_name.ilike(like, escape=ESCAPE))
    rows = list(session.scalars(query))
    rows.sort(key=lambda r: (-sum(balances.get(r.id, {}).values()), r.code))
    return [(r, balances.get(r.id, {}), counts.get(r.id, 0)) for r in rows[:limit]]


def open_balances(session: Session, tenant: int, customer_ids: Collection[int] | None = None,
                  ) -> tuple[dict[int, dict[str, int]], dict[int, int]]:
    """Open minor units now per customer and currency, and open invoices per customer (`open_items`' rule)."""
    o = open_items.open_instalments(tenant, None, customer_ids=customer_ids)
    stmt = (select(o.c.customer_id, o.c.currency, func.sum(o.c.open_minor), func.count(func.distinct(o.c.invoice_id)))
            .group_by(o.c.customer_id, o.c.currency))
    balances: dict[int, dict[str, int]] = {}
    counts: dict[int, int] = {}
    for cid, cur, total, n in session.execute(stmt):
        balances.setdefault(int(cid), {})[str(cur)] = int(total or 0)
        counts[int(cid)] = counts.get(int(cid), 0) + int(n)
    return balances, counts
