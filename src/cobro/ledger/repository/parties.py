"""Queries and upserts for customers and contacts (tenants live in `cobro.platform.tenants`)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import astuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.kernel.errors import NotFoundError
from cobro.ledger.imports.records import ContactLine, CustomerLine
from cobro.ledger.records import ContactRow, CustomerRow
from cobro.ledger.repository import open_items
from cobro.platform.db.like import ESCAPE, contains


def _hash(values: tuple[object, ...]) -> str:
    return hashlib.sha1(repr(values).encode(), usedforsecurity=False).hexdigest()


def upsert_customers(session: Session, tenant: int, lines: list[CustomerLine]) -> tuple[int, int, int]:
    """Insert new customers, update changed ones; returns (created, updated, unchanged)."""
    existing = {r.code: r for r in session.scalars(
        select(CustomerRow).where(CustomerRow.tenant_id == tenant, CustomerRow.code.in_([ln.code for ln in lines]))
    )} if len(lines) < 30000 else {r.code: r for r in session.scalars(
        select(CustomerRow).where(CustomerRow.tenant_id == tenant))}
    created = updated = unchanged = 0
    for ln in lines:
        digest = _hash(astuple(ln)[1:])
        row = existing.get(ln.code)
        if row is None:
            session.add(CustomerRow(
                tenant_id=tenant, code=ln.code, legal_name=ln.legal_name, country=ln.country, tax_id=ln.tax_id,
                segment=ln.segment, account_owner=ln.account_owner, collector=ln.collector,
                credit_limit_minor=ln.credit_limit_minor, credit_limit_currency=ln.credit_limit_currency,
                language=ln.language, terms=ln.terms, behaviour="", row_hash=digest))
            created += 1
        elif row.row_hash == digest:
            unchanged += 1
        else:
            row.legal_name, row.country, row.tax_id, row.segment = ln.legal_name, ln.country, ln.tax_id, ln.segment
            row.account_owner, row.collector, row.language, row.terms = (
                ln.account_owner, ln.collector, ln.language, ln.terms)
            row.credit_limit_minor, row.credit_limit_currency = ln.credit_limit_minor, ln.credit_limit_currency
            row.row_hash = digest
            updated += 1
    session.flush()
    return created, updated, unchanged


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


def upsert_contacts(session: Session, tenant: int, lines: list[ContactLine],
                    ids: dict[str, int]) -> tuple[int, int, int]:
    existing = {(r.customer_id, r.name): r for r in session.scalars(
        select(ContactRow).where(ContactRow.tenant_id == tenant, ContactRow.customer_id.in_(set(ids.values()))))}
    created = updated = unchanged = 0
    for ln in lines:
        cid = ids[ln.customer_code]
        digest = _hash(astuple(ln)[1:])
        row = existing.get((cid, ln.name))
        if row is None:
            row = ContactRow(tenant_id=tenant, customer_id=cid, name=ln.name, role=ln.role, email=ln.email,
                             phone=ln.phone, preferred_channel=ln.preferred_channel, language=ln.language,
                             row_hash=digest)
            session.add(row)
            existing[(cid, ln.name)] = row
            created += 1
        elif row.row_hash == digest:
            unchanged += 1
        else:
            row.role, row.email, row.phone = ln.role, ln.email, ln.phone
            row.preferred_channel, row.language, row.row_hash = ln.preferred_channel, ln.language, digest
            updated += 1
    session.flush()
    return created, updated, unchanged


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
