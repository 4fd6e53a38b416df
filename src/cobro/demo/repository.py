"""Bulk-write the demo ledger: COPY on PostgreSQL, executemany on SQLite, chunk by chunk.

The generator hands over rows that already carry their final ids (counted up from the current maximum of
each table), so payments and allocations can point at instalments without a round trip.  Everything runs in
the caller's transaction: if anything fails, nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from cobro.demo.generator import (
    ALLOCATION_COLUMNS,
    CONTACT_COLUMNS,
    CUSTOMER_COLUMNS,
    INSTALMENT_COLUMNS,
    INVOICE_COLUMNS,
    PAYMENT_COLUMNS,
    DemoSpec,
    FirstIds,
    Row,
    customer_rows,
    generate_ledger,
    make_parties,
)
from cobro.kernel.errors import ConflictError, NotFoundError

_TABLES = ("customers", "contacts", "invoices", "instalments", "payments", "allocations")
_SQLITE_BATCH = 20_000


@dataclass
class DemoCounts:
    customers: int = 0
    contacts: int = 0
    invoices: int = 0
    credit_notes: int = 0
    instalments: int = 0
    payments: int = 0
    allocations: int = 0
    open_invoices: int = 0
    behaviours: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return (self.customers + self.contacts + self.invoices + self.credit_notes + self.instalments
                + self.payments + self.allocations)

    def as_dict(self) -> dict[str, object]:
        return {"customers": self.customers, "contacts": self.contacts, "invoices": self.invoices,
                "credit_notes": self.credit_notes, "instalments": self.instalments, "payments": self.payments,
                "allocations": self.allocations, "open_invoices": self.open_invoices, "rows": self.rows,
                "behaviours": dict(sorted(self.behaviours.items()))}


def _first_ids(conn: Connection) -> FirstIds:
    nxt = {t: int(conn.execute(text(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {t}")).scalar_one()) for t in _TABLES}
    return FirstIds(customer=nxt["customers"], contact=nxt["contacts"], invoice=nxt["invoices"],
                    instalment=nxt["instalments"], payment=nxt["payments"], allocation=nxt["allocations"])


def _iso_dates(rows: Sequence[Row], positions: tuple[int, ...]) -> list[Row]:
    """SQLAlchemy's SQLite Date type stores ISO text, so raw inserts must too."""
    out: list[Row] = []
    for r in rows:
        values = list(r)
        for p in positions:
            v = values[p]
            if isinstance(v, dt.date):
                values[p] = v.isoformat()
        out.append(tuple(values))
    return out


def _insert(conn: Connection, table: str, columns: tuple[str, ...], rows: Sequence[Row]) -> None:
    if not rows:
        return
    dbapi: Any = conn.connection.driver_connection
    cols = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        with dbapi.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    dates = tuple(i for i, c in enumerate(columns) if c in ("issue_date", "due_date", "date"))
    marks = ", ".join("?" for _ in columns)
    cur = dbapi.cursor()
    try:
        for start in range(0, len(rows), _SQLITE_BATCH):
            batch = rows[start:start + _SQLITE_BATCH]
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})",
                            _iso_dates(batch, dates) if dates else batch)
    finally:
        cur.close()


@contextmanager
def _foreign_keys_checked_once(conn: Connection) -> Iterator[None]:
    """On PostgreSQL, drop the ledger tables' foreign keys while loading and add them back afterwards.

    Row-by-row RI triggers make COPY into `allocations` ~15x slower; re-adding a constraint validates all
    rows with one join instead.  DDL is transactional, so a failure restores the constraints too.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    fks = conn.execute(text("""
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.conrelid::regclass::text IN ('invoices', 'instalments', 'payments',
                                                                  'allocations', 'contacts')
        ORDER BY 1, 2""")).all()
    for table, name, _ in fks:
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    yield
    for table, name, definition in fks:
        conn.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))


def _fix_sequences(conn: Connection) -> None:
    """Explicit ids bypass PostgreSQL's sequences; move them past the rows just written."""
    if conn.dialect.name != "postgresql":
        return
    for t in _TABLES:
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
                          f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {t}), false)"))
        conn.execute(text(f"ANALYZE {t}"))


def write_demo(conn: Connection, *, tenant_code: str, spec: DemoSpec,
               on_progress: Callable[[str, int], None] | None = None,
               chunk_documents: int = 50_000) -> DemoCounts:
    """Generate and write a demo ledger into `tenant_code`, which must exist and have no customers yet.

    `on_progress(stage, n)` is called with ("customers", debtors written) once and then with
    ("documents", documents written so far) after each chunk.
    """
    tenant = conn.execute(text("SELECT id FROM tenants WHERE code = :c"), {"c": tenant_code}).scalar()
    if tenant is None:
        raise NotFoundError(f"tenant {tenant_code!r} does not exist (run `cobro init` first)")
    tenant_id = int(tenant)
    if conn.execute(text("SELECT 1 FROM customers WHERE tenant_id = :t LIMIT 1"), {"t": tenant_id}).first():
        raise ConflictError(f"tenant {tenant_code!r} already has customers; the demo ledger needs an empty tenant "
                            "(use a fresh database or another --tenant)")
    first = _first_ids(conn)
    customers, contacts = make_parties(spec, first)
    cust_rows, contact_rows = customer_rows(customers, contacts, tenant_id)
    counts = DemoCounts(customers=len(cust_rows), contacts=len(contact_rows),
                        behaviours=dict(Counter(c.behaviour for c in customers)))
    with _foreign_keys_checked_once(conn):
        _insert(conn, "customers", CUSTOMER_COLUMNS, cust_rows)
        _insert(conn, "contacts", CONTACT_COLUMNS, contact_rows)
        if on_progress:
            on_progress("customers", len(cust_rows))
        done = 0
        for chunk in generate_ledger(spec, customers, tenant_id=tenant_id, first=first,
                                     chunk_documents=chunk_documents):
            _insert(conn, "invoices", INVOICE_COLUMNS, chunk.invoices)
            _insert(conn, "instalments", INSTALMENT_COLUMNS, chunk.instalments)
            _insert(conn, "payments", PAYMENT_COLUMNS, chunk.payments)
            _insert(conn, "allocations", ALLOCATION_COLUMNS, chunk.allocations)
            credit = sum(1 for r in chunk.invoices if r[4] == "credit_note")
            counts.credit_notes += credit
            counts.invoices += len(chunk.invoices) - credit
            counts.open_invoices += sum(1 for r in chunk.invoices if r[4] == "invoice" and r[10] == "open")
            counts.instalments += len(chunk.instalments)
            counts.payments += len(chunk.payments)
            counts.allocations += len(chunk.allocations)
            done += chunk.documents
            if on_progress:
                on_progress("documents", done)
    _fix_sequences(conn)
    return counts
