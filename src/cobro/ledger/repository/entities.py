"""Single customers and contacts for the API's creates, updates and listings: ``uow.repo(ENTITIES)``.

Listings page by key ("after the cursor's sort value and id"), never by offset, so a page stays stable while rows
are added; every query is filtered by the tenant first, so a cursor (or an id) of another tenant finds nothing.
Invoices and payments are in `documents.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import ColumnElement, and_, delete, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from cobro.kernel.errors import NotFoundError
from cobro.kernel.types import Channel, ContactRole
from cobro.ledger.records import ContactRow, CustomerRow
from cobro.ledger.repository.store import profile
from cobro.ledger.schemas.entities import ContactView, CustomerFields, CustomerQuery
from cobro.ledger.schemas.statement import CustomerProfile
from cobro.platform.db.like import ESCAPE, contains
from cobro.platform.uow import RepositoryKey

Cursor = Sequence[str | int] | None


class EntityRepository(Protocol):
    def find_customer(self, code: str, *, lock: bool = False) -> CustomerProfile | None:
        """The customer with `code`, or None; `lock` holds its row until the transaction ends (updates)."""
        ...

    def add_customer(self, code: str, fields: CustomerFields) -> CustomerProfile: ...

    def update_customer(self, customer_id: int, fields: CustomerFields) -> CustomerProfile: ...

    def customers(self, query: CustomerQuery, after: Cursor, limit: int) -> list[CustomerProfile]:
        """Up to `limit` customers matching `query` after the cursor's key, in `query.sort` order."""
        ...

    def contacts(self, customer_id: int) -> list[ContactView]: ...

    def find_contact(self, customer_id: int, contact_id: int) -> ContactView | None: ...

    def contact_named(self, customer_id: int, name: str) -> int | None:
        """The id of the customer's contact called `name` (names are unique per customer)."""
        ...

    def save_contact(self, customer_id: int, contact_id: int | None, values: ContactView) -> ContactView:
        """Insert (`contact_id` None) or overwrite a contact with `values` (its id and code are ignored)."""
        ...

    def delete_contact(self, contact_id: int) -> None: ...


def keyset(column: InstrumentedAttribute[str] | InstrumentedAttribute[dt.date], row_id: InstrumentedAttribute[int],
           after: Cursor, *, sort: str, dates: bool = False) -> ColumnElement[bool] | None:
    """Rows after the cursor's (sort, value, id) in the listing's order: the id breaks ties so no row is skipped.
    A cursor names its sort, so one issued for another order is refused (ValueError) rather than misread."""
    if after is None:
        return None
    if len(after) != 3 or after[0] != sort or not isinstance(after[2], int):
        raise ValueError("cursor")
    value: str | dt.date = str(after[1])
    if dates:
        value = dt.date.fromisoformat(str(after[1]))
    if sort.startswith("-"):
        return or_(column < value, and_(column == value, row_id < after[2]))
    return or_(column > value, and_(column == value, row_id > after[2]))


def contact_view(row: ContactRow, code: str) -> ContactView:
    return ContactView(row.id, code, row.name, ContactRole(row.role), row.email, row.phone,
                       Channel(row.preferred_channel), row.language)


class SqlEntityRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def _customer_row(self, customer_id: int) -> CustomerRow:
        row = self.session.get(CustomerRow, customer_id)
        if row is None or row.tenant_id != self.tenant:
            raise NotFoundError(f"no customer with id {customer_id}")
        return row

    def find_customer(self, code: str, *, lock: bool = False) -> CustomerProfile | None:
        stmt = select(CustomerRow).where(CustomerRow.tenant_id == self.tenant, CustomerRow.code == code)
        row = self.session.scalar(stmt.with_for_update() if lock else stmt)
        return profile(row) if row is not None else None

    def add_customer(self, code: str, fields: CustomerFields) -> CustomerProfile:
        row = CustomerRow(tenant_id=self.tenant, code=code, behaviour="", row_hash="")
        self._fill(row, fields)
        self.session.add(row)
        self.session.flush()
        return profile(row)

    def update_customer(self, customer_id: int, fields: CustomerFields) -> CustomerProfile:
        row = self._customer_row(customer_id)
        self._fill(row, fields)
        row.row_hash = ""  # the next import of this customer compares against the file again
        self.session.flush()
        return profile(row)

    @staticmethod
    def _fill(row: CustomerRow, f: CustomerFields) -> None:
        row.legal_name, row.country, row.tax_id, row.segment = f.legal_name, f.country, f.tax_id, f.segment
        row.account_owner, row.collector, row.language, row.terms = f.account_owner, f.collector, f.language, f.terms
        row.credit_limit_minor, row.credit_limit_currency = f.credit_limit_minor, f.credit_limit_currency

    def customers(self, query: CustomerQuery, after: Cursor, limit: int) -> list[CustomerProfile]:
        stmt = select(CustomerRow).where(CustomerRow.tenant_id == self.tenant)
        for column, wanted in ((CustomerRow.segment, query.segment), (CustomerRow.collector, query.collector),
                               (CustomerRow.country, query.country)):
            if wanted:
                stmt = stmt.where(column == wanted)
        if query.search:
            like = contains(query.search)  # `%` and `_` are searched for, not wildcards
            stmt = stmt.where(CustomerRow.code.ilike(like, escape=ESCAPE)
                              | CustomerRow.legal_name.ilike(like, escape=ESCAPE)
                              | CustomerRow.tax_id.ilike(like, escape=ESCAPE))
        descending = query.sort.startswith("-")
        column = CustomerRow.legal_name if query.sort.lstrip("-") == "legal_name" else CustomerRow.code
        condition = keyset(column, CustomerRow.id, after, sort=query.sort)
        if condition is not None:
            stmt = stmt.where(condition)
        order = (column.desc(), CustomerRow.id.desc()) if descending else (column, CustomerRow.id)
        return [profile(r) for r in self.session.scalars(stmt.order_by(*order).limit(limit))]

    def contacts(self, customer_id: int) -> list[ContactView]:
        code = self._customer_row(customer_id).code
        rows = self.session.scalars(select(ContactRow).where(
            ContactRow.tenant_id == self.tenant, ContactRow.customer_id == customer_id)
            .order_by(ContactRow.role, ContactRow.name, ContactRow.id))
        return [contact_view(r, code) for r in rows]

    def find_contact(self, customer_id: int, contact_id: int) -> ContactView | None:
        row = self.session.get(ContactRow, contact_id)
        if row is None or row.tenant_id != self.tenant or row.customer_id != customer_id:
            return None
        return contact_view(row, self._customer_row(customer_id).code)

    def contact_named(self, customer_id: int, name: str) -> int | None:
        found = self.session.scalar(select(ContactRow.id).where(
            ContactRow.tenant_id == self.tenant, ContactRow.customer_id == customer_id, ContactRow.name == name))
        return int(found) if found is not None else None

    def save_contact(self, customer_id: int, contact_id: int | None, values: ContactView) -> ContactView:
        code = self._customer_row(customer_id).code
        row = self.session.get(ContactRow, contact_id) if contact_id is not None else None
        if row is None:
            row = ContactRow(tenant_id=self.tenant, customer_id=customer_id)
            self.session.add(row)
        row.name, row.role, row.email, row.phone = values.name, values.role.value, values.email, values.phone
        row.preferred_channel, row.language = values.preferred_channel.value, values.language
        row.row_hash = ""  # the next import of this contact compares against the file again
        self.session.flush()
        return contact_view(row, code)

    def delete_contact(self, contact_id: int) -> None:
        self.session.execute(delete(ContactRow).where(ContactRow.tenant_id == self.tenant,
                                                      ContactRow.id == contact_id))
        self.session.flush()


ENTITIES: RepositoryKey[EntityRepository] = RepositoryKey("ledger.entities", SqlEntityRepository)
