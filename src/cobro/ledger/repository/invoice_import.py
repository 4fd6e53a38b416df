"""Set-based invoice import: stream validated rows into a temporary staging table, then merge.

The merge is a handful of INSERT ... SELECT / UPDATE ... FROM statements that run the same on SQLite (3.33+)
and PostgreSQL, so a million rows never round-trip through Python one at a time.  Everything happens in the
caller's transaction: if the file has a bad row, the caller rolls back and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, text

from cobro.kernel.types import DocumentKind
from cobro.ledger.imports.records import InvoiceLine
from cobro.ledger.repository import open_items
from cobro.ledger.repository.invoice_changes import NO_KEEP, Keep

STAGE_COLUMNS = (
    "row_no", "number", "seq", "customer_code", "customer_name", "issue_date", "due_date", "currency",
    "amount_minor", "kind", "disputed", "corrects", "channel", "terms", "settled_date", "segment", "country",
    "tax_id", "over_cap", "h40",
)


@dataclass
class MergeCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    customers_created: int = 0
    settled: int = 0


def create_stage(conn: Connection) -> None:
    pg = conn.dialect.name == "postgresql"
    temp = "CREATE TEMPORARY TABLE" + (" IF NOT EXISTS" if not pg else "")
    on_commit = " ON COMMIT DROP" if pg else ""
    conn.execute(text("DROP TABLE IF EXISTS stage_invoices"))
    conn.execute(text(f"""
        {temp} stage_invoices (
            row_no INTEGER, number VARCHAR(64), seq INTEGER, customer_code VARCHAR(64), customer_name VARCHAR(300),
            issue_date DATE, due_date DATE, currency VARCHAR(3), amount_minor BIGINT, kind VARCHAR(20),
            disputed BOOLEAN, corrects VARCHAR(64), channel VARCHAR(20), terms VARCHAR(60), settled_date DATE,
            segment VARCHAR(60), country VARCHAR(8), tax_id VARCHAR(40), over_cap BOOLEAN, h40 BIGINT
        ){on_commit}"""))


def _date(value: dt.date | None, pg: bool) -> object:
    if value is None:
        return None
    return value if pg else value.isoformat()  # SQLAlchemy's SQLite Date type stores ISO text


def stage_rows(conn: Connection, lines: Iterable[tuple[InvoiceLine, int]]) -> int:
    """Write (line, 40-bit hash) pairs to the staging table; COPY on PostgreSQL, executemany on SQLite."""
    pg = conn.dialect.name == "postgresql"
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    count = 0

    def tuples() -> Iterable[tuple[object, ...]]:
        nonlocal count
        for ln, h40 in lines:
            count += 1
            yield (ln.row, ln.number, ln.seq, ln.customer_code, ln.customer_name, _date(ln.issue_date, pg),
                   _date(ln.due_date, pg), ln.currency, ln.amount_minor, ln.kind, ln.disputed, ln.corrects,
                   ln.channel, ln.terms, _date(ln.settled_date, pg), ln.segment, ln.country, ln.tax_id,
                   ln.over_legal_cap, h40)

    if pg:
        cols = ", ".join(STAGE_COLUMNS)
        with dbapi.cursor() as cur, cur.copy(f"COPY stage_invoices ({cols}) FROM STDIN") as copy:
            for tup in tuples():
                copy.write_row(tup)
    else:
        marks = ", ".join("?" for _ in STAGE_COLUMNS)
        cur = dbapi.cursor()
        batch: list[tuple[object, ...]] = []
        for tup in tuples():
            batch.append(tup)
            if len(batch) >= 20000:
                cur.executemany(f"INSERT INTO stage_invoices VALUES ({marks})", batch)
                batch.clear()
        if batch:
            cur.executemany(f"INSERT INTO stage_invoices VALUES ({marks})", batch)
        cur.close()
    return count


def stage_frame(conn: Connection, frame: pl.DataFrame) -> None:
    """Write a validated batch (columns in STAGE_COLUMNS order) from the fast CSV path."""
    if frame.is_empty():
        return
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    if conn.dialect.name == "postgresql":
        # polars writes the batch as CSV in one call ("" for empty text, nothing for NULL: PostgreSQL's CSV rules)
        cols = ", ".join(STAGE_COLUMNS)
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False)
        with dbapi.cursor() as cur, cur.copy(f"COPY stage_invoices ({cols}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getbuffer())
        return
    # SQLAlchemy's SQLite Date type stores ISO text: format the dates in polars, not per row in Python
    as_text = frame.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
    as_text.columns = list(STAGE_COLUMNS)
    # a column with one value in the whole batch (currency, kind, terms, empty names…) is written once, as a
    # literal in the statement, instead of once per row: binding is most of executemany's cost
    distinct = as_text.select(pl.all().n_unique()).row(0, named=True)
    constant = [c for c in STAGE_COLUMNS if c != "row_no" and distinct[c] == 1]
    varying = [c for c in STAGE_COLUMNS if c not in constant]
    values = ["?"] * len(varying) + [_sql_literal(as_text[c][0]) for c in constant]
    cur = dbapi.cursor()
    cur.executemany(f"INSERT INTO stage_invoices ({', '.join(varying + constant)}) VALUES ({', '.join(values)})",
                    as_text.select(varying).iter_rows())
    cur.close()


def _sql_literal(value: object) -> str:
    """A constant for the SQLite staging insert, quoted the SQL way (text doubles its quotes)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def unknown_customers(conn: Connection, tenant_id: int) -> list[tuple[int, str]]:
    rows = conn.execute(text("""
        SELECT MIN(s.row_no), s.customer_code FROM stage_invoices s
        WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = :t AND c.code = s.customer_code)
        GROUP BY s.customer_code ORDER BY 1 LIMIT 1000"""), {"t": tenant_id})
    return [(int(r[0]), str(r[1])) for r in rows]


def zero_amount_invoices(conn: Connection) -> list[tuple[int, str]]:
    """(first row, number) of each staged invoice whose amount adds up to 0: stored as settled, worth a word."""
    rows = conn.execute(text(f"""
        SELECT MIN(row_no), number FROM stage_invoices WHERE kind = '{DocumentKind.INVOICE.value}'
        GROUP BY number HAVING SUM(amount_minor) = 0 ORDER BY 1 LIMIT 1000"""))
    return [(int(r[0]), str(r[1])) for r in rows]


def merge(conn: Connection, tenant_id: int, source: str, *, create_customers: bool,
          multi_instalment: bool = True, keep: Keep = NO_KEEP,
          changes: Callable[[Connection], None] | None = None) -> MergeCounts:
    """Merge the staged rows.  Every statement is driven by the staging tables and finds ledger rows by key,
    so the cost grows with the file, not with the ledger.  An existing invoice keeps the fields of `keep`
    (columns the file lacks, empty cells that do not clear); `changes` sees the heads before they are written."""
    p: dict[str, object] = {"t": tenant_id, "src": source[:200], "salt": keep.salt()}
    pg = conn.dialect.name == "postgresql"
    counts = MergeCounts()
    if multi_instalment:
        conn.execute(text("CREATE INDEX ix_stage_number ON stage_invoices (number, seq)"))
    if pg:
        conn.execute(text("ANALYZE stage_invoices"))
    if create_customers:
        counts.customers_created = conn.execute(text("""
            INSERT INTO customers (tenant_id, code, legal_name, country, tax_id, segment, account_owner, collector,
                                   credit_limit_currency, language, terms, behaviour, row_hash)
            SELECT :t, s.customer_code, MIN(COALESCE(NULLIF(s.customer_name, ''), s.customer_code)),
                   MIN(s.country), MIN(s.tax_id), MIN(s.segment), '', '', '', 'es', MIN(s.terms), '', ''
            FROM stage_invoices s
            WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = :t AND c.code = s.customer_code)
            GROUP BY s.customer_code"""), p).rowcount
    _create_heads(conn, p, multi_instalment)
    if pg:
        conn.execute(text("ANALYZE stage_heads"))
    row = conn.execute(text("""
        SELECT SUM(CASE WHEN old_hash IS NULL THEN 1 ELSE 0 END),
               SUM(CASE WHEN old_hash = h THEN 1 ELSE 0 END),
               SUM(CASE WHEN old_hash <> h THEN 1 ELSE 0 END)
        FROM stage_heads""")).one()
    counts.created, counts.unchanged, counts.updated = (int(v or 0) for v in row)
    # instalment rows come from the staging table when an invoice has several, else from its head row
    rows_from, r = (("stage_heads h JOIN stage_invoices s ON s.number = h.number", "s") if multi_instalment
                    else ("stage_heads h", "h"))
    if changes is not None and counts.updated:
        changes(conn)

    # invoices that get a settlement now have their amounts recomputed from allocations at the end
    conn.execute(text("DROP TABLE IF EXISTS stage_touched"))
    conn.execute(text("CREATE TEMPORARY TABLE stage_touched AS SELECT invoice_id FROM stage_heads WHERE 1 = 0"))
    with bulk_load(conn, counts.created + counts.updated, counts.created):
        if counts.updated:
            _update_changed(conn, p, rows_from, r, keep)
        if counts.created:
            _insert_new(conn, p, rows_from, r)
    counts.settled = _apply_settlements(conn, p)
    _refresh_open_amounts(conn, p)
    return counts


def _create_heads(conn: Connection, p: dict[str, object], multi_instalment: bool) -> None:
    """One row per invoice in the file, with the ledger's id and content hash when the invoice exists already.
    New invoices get their id here (the next sequence values on PostgreSQL; the current maximum plus the file's
    row number on SQLite, whose single writer makes that safe), so nothing looks the new rows up again by number."""
    pg = conn.dialect.name == "postgresql"
    conn.execute(text("DROP TABLE IF EXISTS stage_heads"))
    # with one row per invoice (no instalment column) no grouping is needed
    grouped = """
        SELECT s.number AS number, MIN(s.row_no) AS row_no, MIN(c.id) AS customer_id, MIN(s.issue_date) AS issue_date,
               MAX(s.due_date) AS due_date, MIN(s.currency) AS currency, SUM(s.amount_minor) AS amount_minor,
               MIN(s.kind) AS kind, MAX(CASE WHEN s.disputed THEN 1 ELSE 0 END) AS disputed,
               MIN(s.corrects) AS corrects, MIN(s.channel) AS channel, MIN(s.terms) AS terms,
               MAX(s.settled_date) AS settled_date, MAX(CASE WHEN s.over_cap THEN 1 ELSE 0 END) AS over_cap,
               SUM(s.h40) + :salt AS h
        FROM stage_invoices s JOIN customers c ON c.tenant_id = :t AND c.code = s.customer_code
        GROUP BY s.number""" if multi_instalment else """
        SELECT s.number AS number, s.row_no AS row_no, c.id AS customer_id, s.issue_date AS issue_date,
               s.due_date AS due_date, s.currency AS currency, s.amount_minor AS amount_minor, s.kind AS kind,
               CASE WHEN s.disputed THEN 1 ELSE 0 END AS disputed, s.corrects AS corrects, s.channel AS channel,
               s.terms AS terms, s.settled_date AS settled_date, CASE WHEN s.over_cap THEN 1 ELSE 0 END AS over_cap,
               s.h40 + :salt AS h, s.seq AS seq
        FROM stage_invoices s JOIN customers c ON c.tenant_id = :t AND c.code = s.customer_code"""
    if pg:
        sequence = conn.execute(text("SELECT pg_get_serial_sequence('invoices', 'id')")).scalar_one()
        new_id = f"nextval('{sequence}')"
    else:
        base = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM invoices")).scalar_one()
        new_id = f"{int(base)} + g.row_no"  # row numbers are unique per invoice
    if conn.execute(text("SELECT 1 FROM invoices WHERE tenant_id = :t LIMIT 1"), p).first() is None:
        # the tenant's first load: no invoice can exist yet, so skip one index probe per row
        conn.execute(text(f"""
            CREATE TEMPORARY TABLE stage_heads AS
            SELECT g.*, CAST({new_id} AS BIGINT) AS invoice_id, CAST(NULL AS BIGINT) AS old_hash
            FROM ({grouped}) g"""), p)
        return
    conn.execute(text(f"""
        CREATE TEMPORARY TABLE stage_heads AS
        SELECT g.*, CAST(COALESCE(i.id, {new_id}) AS BIGINT) AS invoice_id, i.content_hash AS old_hash
        FROM ({grouped}) g LEFT JOIN invoices i ON i.tenant_id = :t AND i.number = g.number"""), p)


BULK_MIN_ROWS = 50_000


@contextmanager
def bulk_load(conn: Connection, touched: int, created: int) -> Iterator[None]:
    """A load that writes at least half of the resulting ledger (a first load, or a re-import that changes most
    invoices) builds the secondary indexes once at the end: a sort per index instead of one random insertion per
    row and index.  On PostgreSQL it also drops the foreign keys and unique constraints and re-adds them, which
    validates them set-wise instead of one trigger call or index probe per row.  Primary keys stay.  It all
    happens in the caller's transaction, which holds the tables' locks meanwhile: a failed import restores the
    indexes and constraints with everything else, and a duplicate that slipped in fails the unique rebuild."""
    if touched < BULK_MIN_ROWS:
        yield
        return
    existing = conn.execute(text("SELECT COUNT(*) FROM invoices")).scalar_one()
    if 2 * touched < existing + created:
        yield
        return
    from sqlalchemy import UniqueConstraint
    from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

    from cobro.ledger import records
    from cobro.platform.db.base import Base

    assert records  # the ledger tables are registered on Base.metadata
    tables = [Base.metadata.tables[name] for name in ("invoices", "instalments")]
    fks = [fk for table in tables for fk in table.foreign_key_constraints]
    uniques = [c for table in tables for c in table.constraints if isinstance(c, UniqueConstraint)]
    indexes = [ix for table in tables for ix in table.indexes]
    if conn.dialect.name != "postgresql":
        fks, uniques = [], []  # SQLite keeps both inside the table definition
    for fk in fks:
        conn.execute(DropConstraint(fk))
    for uq in uniques:
        conn.execute(DropConstraint(uq))
    for ix in indexes:
        conn.execute(DropIndex(ix))
    yield
    for uq in uniques:
        conn.execute(AddConstraint(uq))
    for ix in indexes:
        conn.execute(CreateIndex(ix))
    for fk in fks:
        conn.execute(AddConstraint(fk))


def _update_changed(conn: Connection, p: dict[str, object], rows_from: str, r: str, keep: Keep) -> None:
    """Rewrite invoices whose content changed: instalments first (open = amount - paid), then each invoice with its
    open amount and status from its instalments, so every changed row is written once (on PostgreSQL each write
    is a new row version in every index).  The fields of `keep` stay as stored."""
    due_set, due_diff = ((f"due_date = {r}.due_date, ", f" OR instalments.due_date <> {r}.due_date")
                         if "due_date" not in keep.absent else ("", ""))
    conn.execute(text(f"""
        UPDATE instalments SET {due_set}amount_minor = {r}.amount_minor,
               open_minor = {r}.amount_minor - instalments.paid_minor, currency = {r}.currency
        FROM {rows_from}
        WHERE h.old_hash <> h.h AND instalments.invoice_id = h.invoice_id AND instalments.seq = {r}.seq
          AND (instalments.amount_minor <> {r}.amount_minor{due_diff}
               OR instalments.currency <> {r}.currency)"""), p)
    _insert_instalments(conn, p, rows_from, r, f"h.old_hash <> h.h AND NOT EXISTS ("
                        f"SELECT 1 FROM instalments x WHERE x.invoice_id = h.invoice_id AND x.seq = {r}.seq)")
    conn.execute(text(f"""
        UPDATE invoices SET customer_id = h.customer_id, issue_date = h.issue_date, {keep.head_sets()}
               currency = h.currency, amount_minor = h.amount_minor,
               open_minor = h.open_now, status = {open_items.status_case('h.open_now', 'invoices.status')},
               content_hash = h.h, source = :src, updated_at = CURRENT_TIMESTAMP
        FROM (SELECT c.*, COALESCE(x.open_sum, 0) AS open_now
              FROM stage_heads c LEFT JOIN (
                  SELECT invoice_id, SUM(open_minor) AS open_sum FROM instalments
                  WHERE invoice_id IN (SELECT invoice_id FROM stage_heads WHERE old_hash <> h) GROUP BY invoice_id
              ) x ON x.invoice_id = c.invoice_id
              WHERE c.old_hash <> c.h) h
        WHERE invoices.id = h.invoice_id"""), p)


def _insert_new(conn: Connection, p: dict[str, object], rows_from: str, r: str) -> None:
    """Insert the invoices and instalments that are not in the ledger yet (their ids were assigned in the heads).
    No ORDER BY: the heads were written in id order (the sequence numbered the rows as they were written on
    PostgreSQL; ids follow row numbers on SQLite), so a sort would only cost time."""
    conn.execute(text(f"""
        INSERT INTO invoices (id, tenant_id, customer_id, number, kind, issue_date, due_date, currency, amount_minor,
                              open_minor, status, disputed, corrects, channel, terms, over_legal_cap, source,
                              content_hash)
        SELECT h.invoice_id, :t, h.customer_id, h.number, h.kind, h.issue_date, h.due_date, h.currency,
               h.amount_minor, h.amount_minor, {open_items.status_case('h.amount_minor', "'open'")}, (h.disputed = 1), h.corrects, h.channel, h.terms,
               (h.over_cap = 1), :src, h.h
        FROM stage_heads h WHERE h.old_hash IS NULL"""), p)
    _insert_instalments(conn, p, rows_from, r, "h.old_hash IS NULL")


def _insert_instalments(conn: Connection, p: dict[str, object], rows_from: str, r: str, where: str) -> None:
    """Instalment rows of the heads that `where` selects, nothing paid yet (`r` names the rows' source)."""
    conn.execute(text(f"""
        INSERT INTO instalments (tenant_id, invoice_id, customer_id, seq, due_date, currency, amount_minor,
                                 paid_minor, open_minor)
        SELECT :t, h.invoice_id, h.customer_id, {r}.seq, {r}.due_date, {r}.currency, {r}.amount_minor, 0,
               {r}.amount_minor
        FROM {rows_from}
        WHERE {where}"""), p)


def _apply_settlements(conn: Connection, p: dict[str, object]) -> int:
    """A settled date in the file means the invoice was paid in full on that date: record that payment once."""
    due = conn.execute(text("SELECT COUNT(*) FROM stage_heads WHERE settled_date IS NOT NULL")).scalar_one()
    if not due:
        return 0
    conn.execute(text("""
        INSERT INTO stage_touched (invoice_id)
        SELECT i.id FROM stage_heads h JOIN invoices i ON i.id = h.invoice_id
        WHERE h.settled_date IS NOT NULL AND i.kind = 'invoice' AND i.open_minor > 0
          AND NOT EXISTS (SELECT 1 FROM payments q WHERE q.tenant_id = :t AND q.reference = 'settle:' || h.number)
        """), p)
    created = conn.execute(text("""
        INSERT INTO payments (tenant_id, customer_id, reference, date, currency, amount_minor, unapplied_minor,
                              method, source, note)
        SELECT :t, i.customer_id, 'settle:' || h.number, h.settled_date, i.currency, i.open_minor, 0,
               'settlement', :src, ''
        FROM stage_heads h JOIN invoices i ON i.id = h.invoice_id
        WHERE h.settled_date IS NOT NULL AND i.kind = 'invoice' AND i.open_minor > 0
          AND NOT EXISTS (SELECT 1 FROM payments q WHERE q.tenant_id = :t AND q.reference = 'settle:' || h.number)
        """), p).rowcount
    if not created:
        return 0
    conn.execute(text("""
        INSERT INTO allocations (tenant_id, payment_id, instalment_id, invoice_id, amount_minor, date)
        SELECT :t, q.id, x.id, x.invoice_id, x.open_minor, q.date
        FROM stage_heads h
        JOIN payments q ON q.tenant_id = :t AND q.reference = 'settle:' || h.number
        JOIN instalments x ON x.invoice_id = h.invoice_id
        WHERE h.settled_date IS NOT NULL AND x.open_minor > 0
          AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.payment_id = q.id)"""), p)
    return int(created)


def _refresh_open_amounts(conn: Connection, p: dict[str, object]) -> None:
    """Recompute paid/open of touched invoices from their allocations (the allocations are the truth)."""
    if not conn.execute(text("SELECT COUNT(*) FROM stage_touched")).scalar_one():
        return
    conn.execute(text("""
        UPDATE instalments SET
          paid_minor = COALESCE((SELECT SUM(a.amount_minor) FROM allocations a WHERE a.instalment_id = instalments.id), 0),
          open_minor = amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM allocations a
                                               WHERE a.instalment_id = instalments.id), 0)
        WHERE invoice_id IN (SELECT invoice_id FROM stage_touched)"""), p)
    open_now = "COALESCE((SELECT SUM(x.open_minor) FROM instalments x WHERE x.invoice_id = invoices.id), 0)"
    conn.execute(text(f"""
        UPDATE invoices SET open_minor = {open_now}, status = {open_items.status_case(open_now, 'invoices.status')}
        WHERE id IN (SELECT invoice_id FROM stage_touched)"""), p)


def drop_stage(conn: Connection) -> None:
    conn.execute(text("DROP TABLE IF EXISTS stage_touched"))
    conn.execute(text("DROP TABLE IF EXISTS stage_heads"))
    conn.execute(text("DROP TABLE IF EXISTS stage_invoices"))
