"""The SQL of "open as of a date" (`cobro.ledger.domain.status`, docs/ledger.md): the one builder every repository
that needs an open amount, an overdue amount or the credit kept apart composes its statement from.  It is part of
the ledger's public SQL surface, with its records: other features' repositories use it too.

The fragments are SQL text because the report scans and the daily cycle are tuned statements run through
`text()` or the driver's cursor; `open_instalments` wraps the same text as a SQLAlchemy selectable.  Parameters
are named ``:t`` (tenant) and ``:as_of`` unless the caller names its own (the cycle's cursor uses ``%(t)s``).

* `from_sql` — ``FROM instalments … WHERE …``: the receivable instalments, with `open_expr` their open amount at
  :as_of (``amount − allocations dated ≤ :as_of``, invoices issued by :as_of) or, with ``as_of=None``, now (the
  maintained `instalments.open_minor`, which is amount − every allocation).
* `select_sql` — one row per receivable instalment with the standard columns of `COLUMNS`.
* `invoices_from_sql` — the same rule at invoice grain, for scans that never touch instalments (an invoice's amount
  is the sum of its instalments', and an allocation never exceeds its instalment, so the sums agree).
* `credit_notes_from_sql`, `unapplied_cash_from_sql` — the credit the customer holds, kept apart from the open
  amount: open credit notes issued and unapplied cash received by :as_of, at their current amounts (the ledger
  does not date how either is used later).
* `status_case` — the status rule as a CASE, for the statements that write invoices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from sqlalchemy import BigInteger, Boolean, Date, Integer, String, bindparam, column, text
from sqlalchemy.sql.selectable import Subquery

from cobro.kernel.types import DocumentKind, InvoiceStatus
from cobro.ledger.domain.status import FINAL_STATUSES, RECEIVABLE_KIND

_FINAL = ", ".join(f"'{s.value}'" for s in sorted(FINAL_STATUSES))
_KIND = f"'{RECEIVABLE_KIND.value}'"


def receivable(inv: str = "i") -> str:
    """The documents whose instalments are receivables, for a statement that reads the invoice row anyway."""
    return f"{inv}.kind = {_KIND} AND {inv}.status NOT IN ({_FINAL})"


def final_ids(tenant: str = ":t") -> str:
    """Ids of cancelled and written-off invoices: a probe of ix_invoices_tenant_open, for index-only scans."""
    return f"SELECT f.id FROM invoices f WHERE f.tenant_id = {tenant} AND f.status IN ({_FINAL})"


def left_out_ids(as_of: str | None = ":as_of", tenant: str = ":t") -> str:
    """Ids of the documents whose instalments are not receivables at :as_of: credit notes (any kind but invoice),
    invoices issued after :as_of, cancelled and written-off invoices.

    ``kind <> 'invoice'`` is written as two ranges of ix_invoices_kind_issue, so with the issue-date range the
    set costs a few index probes, not a scan of every invoice."""
    later = f" OR (x.kind = {_KIND} AND x.issue_date > {as_of})" if as_of else ""
    return (f"SELECT x.id FROM invoices x WHERE x.tenant_id = {tenant}"
            f" AND (x.kind < {_KIND} OR x.kind > {_KIND}{later}) UNION ALL {final_ids(tenant)}")


def paid_by(as_of: str = ":as_of", *, grain: str = "instalment", tenant: str = ":t",
            also: Mapping[str, str] | None = None, last_paid: bool = False) -> str:
    """Allocations dated ≤ :as_of summed per instalment (or per invoice) as a derived table: ``iid``, ``paid``,
    one ``SUM`` per entry of `also` (name → an earlier date parameter) and, with `last_paid`, the latest date.

    The BIGINT casts keep the arithmetic in integers (PostgreSQL's SUM(bigint) is numeric, and slow)."""
    key = {"instalment": "a.instalment_id", "invoice": "a.invoice_id"}[grain]
    cols = [f"{key} AS iid", "CAST(SUM(a.amount_minor) AS BIGINT) AS paid"]
    cols += [f"CAST(SUM(CASE WHEN a.date <= {day} THEN a.amount_minor ELSE 0 END) AS BIGINT) AS {name}"
             for name, day in (also or {}).items()]
    if last_paid:
        cols.append("MAX(a.date) AS last_paid")
    return (f"(SELECT {', '.join(cols)} FROM allocations a WHERE a.tenant_id = {tenant} AND a.date <= {as_of}"
            f" GROUP BY {key})")


def open_expr(of: str = "s", *, as_of: str | None = ":as_of", paid: str = "paid") -> str:
    """The open minor units of instalment (or invoice) alias `of`: at :as_of through `paid_by`'s alias ``p``,
    or now."""
    if as_of is None:
        return f"{of}.open_minor"
    return f"{of}.amount_minor - COALESCE(p.{paid}, 0)"


def from_sql(*, as_of: str | None = ":as_of", inst: str = "s", inv: str = "i", tenant: str = ":t",
             join_invoices: bool = True, joins: str = "", scan: str = "", only_open: bool = False,
             last_paid: bool = False) -> str:
    """``FROM instalments … WHERE …`` of the receivable instalments at :as_of (or now, ``as_of=None``).

    With `join_invoices` the invoice is alias `inv`; without it (a scan that needs no invoice column) the
    documents to leave out are excluded with a NOT IN over the small `left_out_ids` set instead of a join of
    the whole invoices table.  `joins` is more JOINs (customers…), `scan` an SQLite ``NOT INDEXED`` hint,
    `only_open` keeps the instalments with something open.  The open amount is `open_expr(inst, as_of=as_of)`.
    """
    sql = f"FROM instalments {inst}{scan}"
    if join_invoices:
        sql += f" JOIN invoices {inv} ON {inv}.id = {inst}.invoice_id"
    sql += f" {joins}" if joins else ""
    if as_of is not None:
        sql += f" LEFT JOIN {paid_by(as_of, tenant=tenant, last_paid=last_paid)} p ON p.iid = {inst}.id"
    sql += f" WHERE {inst}.tenant_id = {tenant}"
    if join_invoices:
        sql += f" AND {receivable(inv)}" + (f" AND {inv}.issue_date <= {as_of}" if as_of is not None else "")
    else:
        sql += f" AND {inst}.invoice_id NOT IN ({left_out_ids(as_of, tenant)})"
    if only_open:
        sql += f" AND {open_expr(inst, as_of=as_of)} > 0"
    return sql


# the columns of `select_sql`, with their types for `open_instalments`
COLUMNS = {"instalment_id": Integer, "invoice_id": Integer, "customer_id": Integer, "seq": Integer,
           "currency": String, "due_date": Date, "amount_minor": BigInteger, "open_minor": BigInteger}
INVOICE_COLUMNS = {"number": String, "issue_date": Date, "disputed": Boolean}


def select_sql(*, as_of: str | None = ":as_of", only_open: bool = True, where: str = "", **kw: object) -> str:
    """One row per receivable instalment: the `COLUMNS` (and the `INVOICE_COLUMNS` when invoices are joined)."""
    cols = (f"s.id AS instalment_id, s.invoice_id AS invoice_id, s.customer_id AS customer_id, s.seq AS seq, "
            f"s.currency AS currency, s.due_date AS due_date, s.amount_minor AS amount_minor, "
            f"{open_expr('s', as_of=as_of)} AS open_minor")
    if kw.get("join_invoices", True):
        cols += ", i.number AS number, i.issue_date AS issue_date, i.disputed AS disputed"
    return f"SELECT {cols} " + from_sql(as_of=as_of, only_open=only_open, **kw) + where  # type: ignore[arg-type]


def open_instalments(tenant: int, as_of: dt.date | None, *, customer_ids: Collection[int] | None = None,
                     name: str = "open_items") -> Subquery:
    """`select_sql` as a SQLAlchemy subquery of the instalments open at `as_of` (None: now), optionally of some
    customers; columns as `COLUMNS` and `INVOICE_COLUMNS`.  One per statement (its parameters are named)."""
    where = " AND s.customer_id IN :ids" if customer_ids is not None else ""
    stmt = text(select_sql(as_of=None if as_of is None else ":as_of", where=where)).bindparams(t=tenant)
    if as_of is not None:
        stmt = stmt.bindparams(as_of=as_of)
    if customer_ids is not None:
        stmt = stmt.bindparams(bindparam("ids", sorted(customer_ids) or [-1], expanding=True))
    types = {**COLUMNS, **INVOICE_COLUMNS}
    return stmt.columns(*(column(k, v) for k, v in types.items())).subquery(name)


def invoices_from_sql(*, as_of: str = ":as_of", inv: str = "i", tenant: str = ":t",
                      also: Mapping[str, str] | None = None) -> str:
    """``FROM invoices … WHERE …``: the receivable invoices issued by :as_of with `paid_by` at invoice grain as
    ``p`` (open amount: `open_expr(inv)`).  Final statuses are left out through `final_ids`, so a scan served by
    ix_invoices_kind_issue stays index-only."""
    return (f"FROM invoices {inv} LEFT JOIN {paid_by(as_of, grain='invoice', tenant=tenant, also=also)} p"
            f" ON p.iid = {inv}.id WHERE {inv}.tenant_id = {tenant} AND {inv}.kind = {_KIND}"
            f" AND {inv}.issue_date <= {as_of} AND {inv}.id NOT IN ({final_ids(tenant)})")


def credit_notes_from_sql(*, as_of: str | None = ":as_of", inv: str = "i", tenant: str = ":t") -> str:
    """Open credit notes (issued by :as_of): their amount is `{inv}.open_minor`."""
    issued = f" AND {inv}.issue_date <= {as_of}" if as_of is not None else ""
    return (f"FROM invoices {inv} WHERE {inv}.tenant_id = {tenant} AND {inv}.kind = '{DocumentKind.CREDIT_NOTE.value}'"
            f" AND {inv}.status NOT IN ({_FINAL}) AND {inv}.open_minor > 0{issued}")


def unapplied_cash_from_sql(*, as_of: str | None = ":as_of", pay: str = "q", tenant: str = ":t") -> str:
    """Unapplied cash (received by :as_of): its amount is `{pay}.unapplied_minor`."""
    received = f" AND {pay}.date <= {as_of}" if as_of is not None else ""
    return f"FROM payments {pay} WHERE {pay}.tenant_id = {tenant} AND {pay}.unapplied_minor > 0{received}"


def status_case(open_minor: str, current: str) -> str:
    """`cobro.ledger.domain.status.status_for` in SQL: the status of an invoice with `open_minor` open now."""
    return (f"CASE WHEN {current} IN ({_FINAL}) THEN {current} WHEN {open_minor} > 0 THEN "
            f"'{InvoiceStatus.OPEN.value}' ELSE '{InvoiceStatus.PAID.value}' END")
