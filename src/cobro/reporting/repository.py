"""Report queries: ageing, KPI aggregates, month-end snapshots, payment timing, cost inputs.

All the SQL of `cobro report` lives here.  Every query is *as-of aware* and built on the ledger's one rule,
`cobro.ledger.repository.open_items` (an instalment is open at a date when its invoice was issued by then and
``amount − allocations dated ≤ as_of > 0``), so ageing totals equal the ledger's open balance.  The heavy lifting is one scan with the bucket ``CASE`` inside a
``GROUP BY``; Python only receives a handful of aggregate rows.  Money comes back as integer minor units.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal, Protocol

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from cobro.ledger.repository import open_items
from cobro.platform.uow import RepositoryKey
from cobro.reporting.domain.aging import BucketSpec

GroupBy = Literal["customer", "segment"] | None


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _days(dialect: str, later: str, earlier: str) -> str:
    """Whole calendar days ``later − earlier`` for two date expressions (bound ``:name`` or columns)."""
    if dialect == "sqlite":
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
    return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"


def _month(dialect: str, expr: str) -> str:
    return f"substr({expr}, 1, 7)" if dialect == "sqlite" else f"to_char({expr}, 'YYYY-MM')"


def _open_items_sql(dialect: str, *, extra_cols: str = "", join_customers: bool = False,
                    join_invoices: bool = True) -> str:
    """Receivable instalments with their open amount at :as_of (`open_end`, the ledger's builder), days past due
    (`dpd`) and, when invoices are joined, the amount, dates and days since invoice (`age`).

    Without `join_invoices` (due-basis ageing needs no invoice column) the builder leaves the few documents out
    with a NOT IN over a small hashed set instead of a join of the whole invoices table, which is what made
    ageing several times slower than a plain GROUP BY.
    """
    cols = (f"s.currency AS currency, {open_items.open_expr('s')} AS open_end, "
            f"{_days(dialect, ':as_of', 's.due_date')} AS dpd")
    if join_invoices:
        cols += (f", s.amount_minor AS amount, i.issue_date AS issue_date, s.due_date AS due_date, "
                 f"{_days(dialect, ':as_of', 'i.issue_date')} AS age")
    owner = "i" if join_invoices else "s"
    joins = f"JOIN customers c ON c.id = {owner}.customer_id" if join_customers else ""
    return f"SELECT {cols} {extra_cols} " + open_items.from_sql(join_invoices=join_invoices, joins=joins)


# --- ageing ------------------------------------------------------------------------------------------------------

@dataclass
class AgeingRows:
    """Ageing aggregates per currency: bucket index → (amount, count); per group too when asked."""

    buckets: dict[str, dict[int, tuple[int, int]]] = field(default_factory=lambda: defaultdict(dict))
    groups: dict[str, dict[str, dict[int, tuple[int, int]]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict)))
    credit_notes: dict[str, tuple[int, int]] = field(default_factory=dict)
    unapplied_cash: dict[str, tuple[int, int]] = field(default_factory=dict)


def ageing(session: Session, tenant: int, as_of: dt.date, spec: BucketSpec, by: GroupBy = None) -> AgeingRows:
    """Open invoice instalments by currency and bucket (and by customer or segment), plus credits apart."""
    d = _dialect(session)
    anchor = "dpd" if spec.basis == "due" else "age"
    group_col = {None: "''", "customer": "c.code", "segment": "c.segment"}[by]
    inner = _open_items_sql(d, extra_cols=f", {group_col} AS grp", join_customers=by is not None,
                            join_invoices=spec.basis == "invoice")
    sql = f"""
        SELECT currency, grp, {spec.case_sql(anchor)} AS bucket, COUNT(*), SUM(open_end)
        FROM ({inner}) o WHERE open_end > 0
        GROUP BY currency, grp, {spec.case_sql(anchor)}"""
    out = AgeingRows()
    params = {"t": tenant, "as_of": as_of}
    for cur, grp, bucket, n, total in session.execute(text(sql), params):
        amount, count = int(total or 0), int(n)
        prev = out.buckets[cur].get(int(bucket), (0, 0))
        out.buckets[cur][int(bucket)] = (prev[0] + amount, prev[1] + count)
        if by is not None:
            out.groups[cur][str(grp or "")][int(bucket)] = (amount, count)
    out.credit_notes, out.unapplied_cash = credits(session, tenant, as_of)
    return out


def credits(session: Session, tenant: int, as_of: dt.date) -> tuple[dict[str, tuple[int, int]],
                                                                     dict[str, tuple[int, int]]]:
    """Open credit notes issued by `as_of`, and unapplied cash received by `as_of` (positive minor units).

    Unapplied cash is the amount still unapplied today: the ledger does not date later applications of cash.
    """
    params = {"t": tenant, "as_of": as_of}
    notes = {str(c): (int(v or 0), int(n)) for c, n, v in session.execute(text(
        "SELECT i.currency, COUNT(*), SUM(i.open_minor) " + open_items.credit_notes_from_sql()
        + " GROUP BY i.currency"), params)}
    cash = {str(c): (int(v or 0), int(n)) for c, n, v in session.execute(text(
        "SELECT q.currency, COUNT(*), SUM(q.unapplied_minor) " + open_items.unapplied_cash_from_sql()
        + " GROUP BY q.currency"), params)}
    return notes, cash


# --- KPI aggregates ----------------------------------------------------------------------------------------------

@dataclass
class MonthRow:
    """Aggregates of the invoices issued in one calendar month, seen at :as_of (minor units)."""

    month: str
    sales: int = 0  # everything issued that month (up to as_of)
    sales_in_window: int = 0  # issued in (begin, as_of]
    open_end: int = 0
    open_begin: int = 0
    open_x_age: int = 0  # Σ open × days since invoice


@dataclass
class OpenTotals:
    """Open invoice instalments of one currency at :as_of, by days past due (minor units)."""

    open_end: int = 0
    open_count: int = 0
    open_current: int = 0  # not yet due: dpd <= 0
    open_over_90: int = 0
    past_due_x_days: int = 0  # Σ open × days past due over past-due items
    past_due: int = 0


@dataclass
class KpiRows:
    months: list[MonthRow] = field(default_factory=list)
    open: OpenTotals = field(default_factory=OpenTotals)


def kpi_months(session: Session, tenant: int, as_of: dt.date, begin: dt.date) -> dict[str, KpiRows]:
    """Two scans, neither joining 1M instalments to 1M invoices (that join alone cost ~2.5× the ageing baseline):

    * instalments only, per currency (and due date on PostgreSQL): open amount and count, current, > 90 and
      Σ open × days past due at :as_of; credit notes and not-yet-issued invoices are left out with the hashed
      ``NOT IN`` of due-basis ageing;
    * invoices only, per currency and issue date: sales and open amounts at :as_of and :begin, with the
      allocations summed per invoice.  An invoice's amount is the sum of its instalments' (the ledger keeps it so:
      the importer and the e-invoice loader write both, the last instalment absorbing any rounding), so these
      equal the per-instalment sums.  ix_invoices_kind_issue covers this scan on SQLite.

    Python turns the few hundred dates into days past due and age, and folds issue dates into months: grouping by
    a plain date column is cheaper for the database than a per-row ``CASE`` or ``to_char``.
    """
    d = _dialect(session)
    params = {"t": tenant, "as_of": as_of, "begin": begin}
    lean = _open_items_sql(d, extra_cols=", s.due_date AS due_date", join_invoices=False)
    out: dict[str, KpiRows] = defaultdict(KpiRows)
    if d == "sqlite":  # SQLite sorts 1M rows for any GROUP BY: the day sums are cheaper as CASEs per currency
        due_sql = f"""
            SELECT currency, SUM(open_end), COUNT(*), SUM(CASE WHEN dpd <= 0 THEN open_end ELSE 0 END),
                   SUM(CASE WHEN dpd > 90 THEN open_end ELSE 0 END),
                   SUM(CASE WHEN dpd > 0 THEN open_end * dpd ELSE 0 END),
                   SUM(CASE WHEN dpd > 0 THEN open_end ELSE 0 END)
            FROM ({lean}) o WHERE open_end > 0 GROUP BY currency"""
        for cur, *vals in session.execute(text(due_sql), params):
            out[str(cur)].open = OpenTotals(*(int(v or 0) for v in vals))
    else:  # PostgreSQL hashes a few hundred (currency, due date) groups faster than it evaluates the CASEs
        due_sql = f"""
            SELECT currency, due_date, SUM(open_end), COUNT(*) FROM ({lean}) o
            WHERE open_end > 0 GROUP BY currency, due_date"""
        for cur, due, open_end, count in session.execute(text(due_sql), params):
            dpd = (as_of - (due if isinstance(due, dt.date) else dt.date.fromisoformat(str(due)))).days
            amount, totals = int(open_end or 0), out[str(cur)].open
            totals.open_end += amount
            totals.open_count += int(count)
            if dpd <= 0:
                totals.open_current += amount
            else:
                totals.past_due += amount
                totals.past_due_x_days += amount * dpd
            if dpd > 90:
                totals.open_over_90 += amount
    open_end, open_begin = open_items.open_expr("i"), open_items.open_expr("i", paid="paid_begin")
    issue_sql = f"""
        SELECT i.currency, i.issue_date, SUM(i.amount_minor),
               SUM(CASE WHEN {open_end} > 0 THEN {open_end} ELSE 0 END),
               SUM(CASE WHEN {open_begin} > 0 THEN {open_begin} ELSE 0 END)
        {open_items.invoices_from_sql(also={"paid_begin": ":begin"})}
        GROUP BY i.currency, i.issue_date"""
    months: dict[str, dict[str, MonthRow]] = defaultdict(dict)
    for cur, issued, sales, open_end, open_begin in session.execute(text(issue_sql), params):
        day = issued if isinstance(issued, dt.date) else dt.date.fromisoformat(str(issued))
        key = f"{day.year:04d}-{day.month:02d}"
        row = months[str(cur)].setdefault(key, MonthRow(key))
        row.sales += int(sales or 0)
        row.sales_in_window += int(sales or 0) if day > begin else 0
        row.open_end += int(open_end or 0)
        row.open_begin += int(open_begin or 0) if day <= begin else 0
        row.open_x_age += int(open_end or 0) * (as_of - day).days
    for cur, by_month in months.items():
        out[cur].months = [by_month[k] for k in sorted(by_month)]
    return dict(out)


@dataclass(frozen=True)
class PaymentTiming:
    """Σ paid, Σ paid × days beyond terms, Σ paid × days to pay (allocations in a window, minor units)."""

    paid: int
    paid_x_beyond: int
    paid_x_beyond_clipped: int
    paid_x_to_pay: int


def payment_timing(session: Session, tenant: int, start: dt.date, end: dt.date) -> dict[str, PaymentTiming]:
    """Allocations dated in (start, end] against invoices: the inputs of ADBT and ADP."""
    d = _dialect(session)
    beyond = _days(d, "a.date", "s.due_date")
    sql = f"""
        SELECT i.currency, SUM(a.amount_minor), SUM(a.amount_minor * {beyond}),
               SUM(CASE WHEN {beyond} > 0 THEN a.amount_minor * {beyond} ELSE 0 END),
               SUM(a.amount_minor * {_days(d, 'a.date', 'i.issue_date')})
        FROM allocations a JOIN instalments s ON s.id = a.instalment_id JOIN invoices i ON i.id = a.invoice_id
        WHERE a.tenant_id = :t AND a.date > :start AND a.date <= :end AND {open_items.receivable('i')}
        GROUP BY i.currency"""
    return {str(cur): PaymentTiming(*(int(v or 0) for v in vals))
            for cur, *vals in session.execute(text(sql), {"t": tenant, "start": start, "end": end})}


# --- provision: month-end snapshots ------------------------------------------------------------------------------

def snapshot(session: Session, tenant: int, as_of: dt.date, spec: BucketSpec, *,
             flow_from: int, flow_to: int) -> dict[str, tuple[list[int], int]]:
    """Due-basis bucket balances at `as_of`, and the open amount with days past due in [flow_from, flow_to].

    The second number is the roll-rate "written off" flow: what sat in the last matrix bucket at the previous
    month-end and is still unpaid now (its age moved on by the days between the two month-ends).
    """
    d = _dialect(session)
    sql = f"""
        SELECT currency, {spec.case_sql('dpd')}, SUM(open_end),
               SUM(CASE WHEN dpd BETWEEN :f0 AND :f1 THEN open_end ELSE 0 END)
        FROM ({_open_items_sql(d, join_invoices=False)}) o WHERE open_end > 0
        GROUP BY currency, {spec.case_sql('dpd')}"""
    out: dict[str, tuple[list[int], int]] = {}
    params = {"t": tenant, "as_of": as_of, "f0": flow_from, "f1": flow_to}
    for cur, bucket, total, flow in session.execute(text(sql), params):
        balances, prev_flow = out.get(str(cur), ([0] * len(spec.buckets), 0))
        balances[int(bucket)] += int(total or 0)
        out[str(cur)] = (balances, prev_flow + int(flow or 0))
    return out


def first_activity(session: Session, tenant: int) -> dt.date | None:
    value = session.execute(text("SELECT MIN(issue_date) FROM invoices WHERE tenant_id = :t"),
                            {"t": tenant}).scalar()
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# --- cost of delinquency -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OpenInvoice:
    number: str
    customer: str
    currency: str
    due_date: dt.date
    open_minor: int


def open_invoices(session: Session, tenant: int, as_of: dt.date) -> list[OpenInvoice]:
    """Open instalments at `as_of`, one row each (for per-invoice cost; not for the 1M-row paths)."""
    d = _dialect(session)
    inner = _open_items_sql(d, extra_cols=", i.number AS number, c.code AS customer",
                            join_customers=True)
    sql = f"SELECT number, customer, currency, due_date, open_end FROM ({inner}) o WHERE open_end > 0 ORDER BY number"
    rows = []
    for number, customer, cur, due, open_end in session.execute(text(sql), {"t": tenant, "as_of": as_of}):
        due_date = due if isinstance(due, dt.date) else dt.date.fromisoformat(str(due))
        rows.append(OpenInvoice(str(number), str(customer), str(cur), due_date, int(open_end)))
    return rows


def actions_by_customer(session: Session, tenant: int, as_of: dt.date) -> dict[str, dict[str, dict[str, int]]]:
    """Collection actions per customer code → {"taken"|"planned": {channel: count}}; empty without the table.

    The `collection_actions` table belongs to the collections feature; it is read only when it exists.
    """
    if not inspect(session.get_bind()).has_table("collection_actions"):
        return {}
    sql = """
        SELECT c.code, x.channel, x.status, COUNT(*) FROM collection_actions x
        JOIN customers c ON c.id = x.customer_id
        WHERE x.tenant_id = :t AND x.as_of <= :as_of GROUP BY c.code, x.channel, x.status"""
    out: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: {"taken": {}, "planned": {}})
    for code, channel, status, n in session.execute(text(sql), {"t": tenant, "as_of": as_of}):
        kind = "planned" if str(status) in ("planned", "pending", "scheduled", "proposed") else "taken"
        if str(status) in ("cancelled", "skipped", "failed"):
            continue
        out[str(code)][kind][str(channel)] = out[str(code)][kind].get(str(channel), 0) + int(n)
    return dict(out)


def ledger_rows(session: Session, tenant: int) -> list[tuple[object, ...]]:
    """The ledger as the rows of `cobro.ledger.imports.frame.LEDGER_SCHEMA` (minus `amount`), so `cobro analyze`
    runs on a database ledger (the demo) as it runs on an export, and finds the same open amounts at every date.

    A file row is an amount settled in full on its `settled_date`; the database also knows part payments, so each
    receivable instalment becomes one row per allocation (that amount, settled on the allocation's date) plus one
    open row for what is still unpaid: the rows open at D then sum to ``amount − allocations dated ≤ D``, the
    ledger's rule.  The rows of one instalment share its invoice number and due date (the analysis adds them up
    per instalment).  Open credit notes are one row each at their open amount, never settled (the ledger does not
    date how credit is used).  Rows come in invoice id order.
    """
    cols = ("i.number, c.code, c.legal_name, i.issue_date, {due}, {amount}, i.currency, i.kind, i.disputed, "
            "i.channel, c.segment, c.country, i.terms, i.id")
    receivables = (f"SELECT {cols.format(due='s.due_date', amount='s.amount_minor')}, s.seq, a.date, a.amount_minor "
                   + open_items.from_sql(as_of=None, joins="JOIN customers c ON c.id = i.customer_id "
                                                          "LEFT JOIN allocations a ON a.instalment_id = s.id")
                   + " ORDER BY i.id, s.seq, a.date, a.id")
    notes = (f"SELECT {cols.format(due='i.due_date', amount='i.open_minor')} FROM invoices i"
             f" JOIN customers c ON c.id = i.customer_id WHERE i.id IN (SELECT i.id {open_items.credit_notes_from_sql(as_of=None)})")
    params = {"t": tenant}
    out: list[tuple[int, int, tuple[object, ...]]] = []
    unpaid: dict[tuple[int, int], tuple[list[object], int]] = {}
    for row in session.execute(text(receivables), params):
        *head, invoice_id, seq, paid_on, paid = tuple(row)
        key = (int(invoice_id), int(seq))
        fields, left = unpaid.get(key, (list(head), int(head[5])))
        if paid_on is not None and int(paid):
            out.append((*key, _ledger_row(fields, int(paid), paid_on)))
            left -= int(paid)
        unpaid[key] = (fields, left)
    out += [(*key, _ledger_row(fields, left, None)) for key, (fields, left) in unpaid.items() if left > 0]
    out += [(int(r[-1]), 0, _ledger_row(list(r[:-1]), int(r[5]), None)) for r in session.execute(text(notes), params)]
    out.sort(key=lambda r: (r[0], r[1]))  # stable: an instalment's allocations stay in date order
    return [r for _, _, r in out]


def _ledger_row(fields: list[object], amount_minor: int, settled_on: object) -> tuple[object, ...]:
    number, code, name, issued, due, _, currency, kind, disputed, channel, segment, country, terms = fields
    return (number, code, name, issued, due, amount_minor, currency, kind, disputed, settled_on, channel, segment,
            country, terms)


# --- the repository the services use (``uow.repo(REPORTS)``, scoped to the unit of work's tenant) -------------

class ReportsRepository(Protocol):
    def ageing(self, as_of: dt.date, spec: BucketSpec, by: GroupBy = None) -> AgeingRows: ...
    def kpi_months(self, as_of: dt.date, begin: dt.date) -> dict[str, KpiRows]: ...
    def payment_timing(self, start: dt.date, end: dt.date) -> dict[str, PaymentTiming]: ...
    def snapshot(self, as_of: dt.date, spec: BucketSpec, *, flow_from: int,
                 flow_to: int) -> dict[str, tuple[list[int], int]]: ...
    def first_activity(self) -> dt.date | None: ...
    def open_invoices(self, as_of: dt.date) -> list[OpenInvoice]: ...
    def actions_by_customer(self, as_of: dt.date) -> dict[str, dict[str, dict[str, int]]]: ...
    def ledger_rows(self) -> list[tuple[object, ...]]: ...


@dataclass(frozen=True)
class SqlReportsRepository:
    """The queries above, for one tenant."""

    session: Session
    tenant: int

    def ageing(self, as_of: dt.date, spec: BucketSpec, by: GroupBy = None) -> AgeingRows:
        return ageing(self.session, self.tenant, as_of, spec, by)

    def kpi_months(self, as_of: dt.date, begin: dt.date) -> dict[str, KpiRows]:
        return kpi_months(self.session, self.tenant, as_of, begin)

    def payment_timing(self, start: dt.date, end: dt.date) -> dict[str, PaymentTiming]:
        return payment_timing(self.session, self.tenant, start, end)

    def snapshot(self, as_of: dt.date, spec: BucketSpec, *, flow_from: int,
                 flow_to: int) -> dict[str, tuple[list[int], int]]:
        return snapshot(self.session, self.tenant, as_of, spec, flow_from=flow_from, flow_to=flow_to)

    def first_activity(self) -> dt.date | None:
        return first_activity(self.session, self.tenant)

    def open_invoices(self, as_of: dt.date) -> list[OpenInvoice]:
        return open_invoices(self.session, self.tenant, as_of)

    def actions_by_customer(self, as_of: dt.date) -> dict[str, dict[str, dict[str, int]]]:
        return actions_by_customer(self.session, self.tenant, as_of)

    def ledger_rows(self) -> list[tuple[object, ...]]:
        return ledger_rows(self.session, self.tenant)


REPORTS: RepositoryKey[ReportsRepository] = RepositoryKey("reporting", SqlReportsRepository)
