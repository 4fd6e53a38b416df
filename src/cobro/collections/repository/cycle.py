"""SQL of the daily cycle: bulk loads of open items, episodes and pauses; conflict-safe bulk writes.

Every loader is one query over the tenant (optionally one customer), never one per item or customer.  The
writes use INSERT ... ON CONFLICT DO NOTHING RETURNING, so a second run that races the first finds the
(tenant, customer, currency, step, episode) key taken and writes nothing for it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Table, and_, func, or_, select, text, update
from sqlalchemy.orm import Session

from cobro.collections.domain.dunning import ONBOARDING, CaseHistory, DoneStep
from cobro.collections.domain.pauses import (
    Dispute,
    Hold,
    Item,
    Plan,
    PlanInstalment,
    PolicyException,
    Promise,
)
from cobro.collections.records import (
    CollectionActionRow,
    CollectionCaseRow,
    CycleRunRow,
    DisputeRow,
    HoldRow,
    PaymentPlanRow,
    PlanInstalmentRow,
    PolicyExceptionRow,
    PromiseRow,
)
from cobro.collections.repository.contactability import blocked_channels, contact_blocks
from cobro.collections.repository.onboarding import IMPORTED
from cobro.ledger.records import ContactRow, CustomerRow, PaymentRow
from cobro.ledger.repository import open_items as ledger_open

Key = tuple[int, str]  # (customer id, currency)


class Customer(NamedTuple):
    """The customer columns the cycle needs (a hundred thousand ORM rows cost seconds; tuples do not)."""

    id: int
    code: str
    legal_name: str
    tax_id: str
    segment: str
    collector: str
    language: str
    country: str = ""  # the debtor's country: which late-payment law its letters cite
    address: tuple[str, ...] = ()  # postal lines a letter prints in the envelope's window


def lock_for_run(session: Session, tenant_code: str) -> None:
    """Make the run plan from one consistent snapshot that includes everything committed before it started.

    The cycle reads in many statements (promise payments, per-pair summaries, histories, pauses, open items).
    On SQLite the run's first statement is a write, so it waits for (rather than races) another writer and then
    holds the single write lock: nothing can commit while it reads, and a transaction that read first and wrote
    later would fail with SQLITE_BUSY once another run had committed.  On PostgreSQL (READ COMMITTED by default)
    each statement would see the commits made since the previous one, so a payment import committing mid-run
    could be in the summaries and not in the items; the run is REPEATABLE READ instead.  Its snapshot is taken
    at its first query, so runs are serialised first with a table lock (LOCK takes no snapshot): a second run
    waits for the first to commit and then sees its actions, instead of failing to serialise on their keys.
    Both statements must come before any query of the transaction (PostgreSQL refuses them otherwise)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE tenants SET name = name WHERE code = :c"), {"c": tenant_code})
    else:
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        session.execute(text("LOCK TABLE cycle_runs IN SHARE ROW EXCLUSIVE MODE"))


def start_run(session: Session, tenant: int, as_of: dt.date, *, dry_run: bool, now: dt.datetime) -> int:
    row = CycleRunRow(tenant_id=tenant, as_of=as_of, dry_run=dry_run, started_at=now, counts_json="{}")
    session.add(row)
    session.flush()
    return int(row.id)


def finish_run(session: Session, run_id: int, counts: dict[str, Any], now: dt.datetime) -> None:
    session.execute(update(CycleRunRow).where(CycleRunRow.id == run_id).values(
        finished_at=now, counts_json=json.dumps(counts)))


def open_items_from(dialect: str, *, whole_tenant: bool) -> str:
    """The open items the cycle plans over: the ledger's receivable instalments open now (`open_items`, the one
    rule), shared with the per-pair aggregate in cycle_sql, which must see the same.  On SQLite, whole-tenant
    reads say NOT INDEXED: the planner would walk a million rows through the tenant index, which measured four
    times slower than scanning the table."""
    scan = " NOT INDEXED" if dialect == "sqlite" and whole_tenant else ""
    return ledger_open.from_sql(as_of=None, inst="x", inv="i", tenant="%(t)s", scan=scan, only_open=True)


def open_items(session: Session, tenant: int, customer_id: int | None = None, *,
               customer_ids: Collection[int] | None = None) -> dict[Key, list[Item]]:
    """Open instalments of open invoices grouped by customer×currency (all of the tenant's, one customer's or
    those of `customer_ids`): one query through the raw driver cursor (a million rows do not go through the ORM)."""
    if customer_ids is not None and not customer_ids:
        return {}
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"
    sql = ("SELECT x.customer_id, x.id, x.invoice_id, i.number, x.seq, i.issue_date, x.due_date, x.open_minor, "
           "x.currency, i.disputed " + open_items_from(conn.dialect.name, whole_tenant=customer_id is None))
    params: dict[str, Any] = {"t": tenant}
    if customer_id is not None:
        sql += " AND x.customer_id = %(c)s"
        params["c"] = customer_id
    if customer_ids is not None:  # one array / JSON parameter, however many customers
        sql += " AND x.customer_id = ANY(%(ids)s)" if pg else " AND x.customer_id IN (SELECT value FROM json_each(%(ids)s))"
        params["ids"] = sorted(customer_ids) if pg else json.dumps(sorted(customer_ids))
    raw = conn.connection.driver_connection
    assert raw is not None
    cur = raw.cursor()
    if pg:
        cur.execute(sql, params)
    else:
        cur.execute(sql.replace("%(t)s", ":t").replace("%(c)s", ":c").replace("%(ids)s", ":ids"), params)
    out: dict[Key, list[Item]] = defaultdict(list)
    dates: dict[Any, dt.date] = {}

    def day(value: Any) -> dt.date:  # SQLite hands back ISO text; most items share few dates
        found = dates.get(value)
        if found is None:
            found = dates[value] = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
        return found

    new = tuple.__new__  # the columns after customer_id are an Item's fields in order; skip its Python __new__
    while batch := cur.fetchmany(20000):
        if pg:  # psycopg hands back dates and booleans already
            for row in batch:
                out[(row[0], row[8])].append(new(Item, row[1:]))
            continue
        for cid, iid, inv_id, number, seq, issued, due, open_minor, currency, disputed in batch:
            out[(cid, currency)].append(Item(iid, inv_id, number, seq, day(issued), day(due), open_minor, currency,
                                             bool(disputed)))
    cur.close()
    return out


def customers(session: Session, tenant: int, customer_id: int | None = None) -> dict[int, Customer]:
    c = CustomerRow
    stmt = select(c.id, c.code, c.legal_name, c.tax_id, c.segment, c.collector, c.language,
                  c.country, c.address, c.postal_code, c.city, c.region).where(c.tenant_id == tenant)
    if customer_id is not None:
        stmt = stmt.where(c.id == customer_id)
    return {int(i): Customer(int(i), code, name, tax, seg, coll, lang, country or "",
                             _postal_lines(street, postal, city, region))
            for i, code, name, tax, seg, coll, lang, country, street, postal, city, region
            in session.connection().execute(stmt).all()}


def _postal_lines(street: str | None, postal: str | None, city: str | None, region: str | None) -> tuple[str, ...]:
    """Street, "postal code city", region, empty parts left out (as `CustomerProfile.postal_lines` prints them)."""
    place = " ".join(p for p in (postal or "", city or "") if p)
    return tuple(line for line in (street or "", place, region or "") if line)


class Contact(NamedTuple):
    """The contact columns the cycle picks recipients by: plain values, safe to read while a writer thread
    holds the session (an ORM row could lazy-load)."""

    name: str
    role: str
    email: str
    phone: str
    language: str
    blocked: tuple[tuple[str, str], ...] = ()  # (channel, why): invalid address or opted out (contactability)


def contacts(session: Session, customer_ids: Iterable[int]) -> dict[int, list[Contact]]:
    out: dict[int, list[Contact]] = defaultdict(list)
    ids = sorted(set(customer_ids))
    c = ContactRow
    rows: list[Any] = []
    for start in range(0, len(ids), 5000):
        rows += session.connection().execute(
            select(c.customer_id, c.tenant_id, c.name, c.role, c.email, c.phone, c.language)
            .where(c.customer_id.in_(ids[start:start + 5000])).order_by(c.customer_id, c.id)).all()
    blocks = contact_blocks(session, {int(r[1]) for r in rows})
    for cid, tenant, name, role, email, phone, language in rows:
        found = blocks.get(int(tenant))
        out[cid].append(Contact(name, role, email, phone, language,
                                blocked_channels(found, email, phone) if found else ()))
    return out


def histories(session: Session, tenant: int, customer_id: int | None = None) -> dict[Key, CaseHistory]:
    """Open episode and its done steps, plus the last episode number, per customer×currency."""
    flt = [CollectionCaseRow.tenant_id == tenant]
    if customer_id is not None:
        flt.append(CollectionCaseRow.customer_id == customer_id)
    conn = session.connection()  # Core, not ORM, execution: plain rows, a hundred thousand of them
    last = {(int(c), str(cur)): int(e) for c, cur, e in conn.execute(
        select(CollectionCaseRow.customer_id, CollectionCaseRow.currency, func.max(CollectionCaseRow.episode))
        .where(*flt).group_by(CollectionCaseRow.customer_id, CollectionCaseRow.currency)).all()}
    opened = {(int(c), str(cur)): (int(e), o) for c, cur, e, o in conn.execute(
        select(CollectionCaseRow.customer_id, CollectionCaseRow.currency, CollectionCaseRow.episode,
               CollectionCaseRow.opened_on).where(*flt, CollectionCaseRow.closed_on.is_(None))).all()}
    done: dict[Key, list[DoneStep]] = defaultdict(list)
    a = CollectionActionRow
    # Onboarding (collections.domain.dunning): which pairs ever had an action, and which open episodes entered
    # through an onboarding step (the planner marks that action's reason) or continue another system's history.
    acted = {(int(c), str(cur)) for c, cur in conn.execute(
        select(a.customer_id, a.currency).distinct().where(a.tenant_id == tenant, a.status != "cancelled",
                                                           *([a.customer_id == customer_id] if customer_id else [])))}
    paced: set[Key] = set()
    stmt = (select(a.customer_id, a.currency, a.step, a.step_index, a.as_of, or_(a.reason.like(f"{ONBOARDING}%"), a.status == IMPORTED))
            .join(CollectionCaseRow, and_(CollectionCaseRow.tenant_id == a.tenant_id,
                                          CollectionCaseRow.customer_id == a.customer_id,
                                          CollectionCaseRow.currency == a.currency,
                                          CollectionCaseRow.episode == a.episode))
            .where(*flt, CollectionCaseRow.closed_on.is_(None), a.status != "cancelled"))
    steps: dict[tuple[Any, ...], DoneStep] = {}  # most pairs did the same step on the same day: share one
    for c, cur, step, index, on, entered in conn.execute(stmt).all():  # .all(): one fetch, not a call per row
        if entered:
            paced.add((int(c), str(cur)))
        found = steps.get((step, index, on))
        if found is None:
            found = steps[(step, index, on)] = DoneStep(str(step), int(index), on)
        done[(int(c), str(cur))].append(found)
    out: dict[Key, CaseHistory] = {}
    shared: dict[tuple[Any, ...], CaseHistory] = {}
    for key, episode in last.items():
        ep, opened_on = opened.get(key, (0, None))
        memo = (ep, opened_on, tuple(done.get(key, ())), episode, key in acted, key in paced)
        found_history = shared.get(memo)
        if found_history is None:
            found_history = shared[memo] = CaseHistory(*memo)
        out[key] = found_history
    return out


def pauses(session: Session, tenant: int, as_of: dt.date, customer_id: int | None = None
           ) -> tuple[dict[int, list[Hold]], dict[int, list[Dispute]], dict[int, list[Promise]],
                      dict[int, list[PolicyException]], dict[int, list[Plan]]]:
    """Active holds, open disputes, pending/broken promises, approved exceptions and active plans by customer."""
    def flt(row: Any) -> list[Any]:
        out = [row.tenant_id == tenant]
        if customer_id is not None:
            out.append(row.customer_id == customer_id)
        return out

    holds: dict[int, list[Hold]] = defaultdict(list)
    for h in session.scalars(select(HoldRow).where(*flt(HoldRow), HoldRow.released_on.is_(None),
                                                   (HoldRow.until.is_(None)) | (HoldRow.until >= as_of))):
        holds[h.customer_id].append(Hold(h.id, h.reason, h.invoice_id, h.until))
    disputes: dict[int, list[Dispute]] = defaultdict(list)
    for d in session.scalars(select(DisputeRow).where(*flt(DisputeRow), DisputeRow.status == "open")):
        disputes[d.customer_id].append(Dispute(d.id, frozenset(json.loads(d.invoice_ids_json)), d.reason_code,
                                               d.amount_minor, d.currency))
    promises: dict[int, list[Promise]] = defaultdict(list)
    for p in session.scalars(select(PromiseRow).where(*flt(PromiseRow), PromiseRow.status.in_(("pending", "broken")),
                                                      PromiseRow.due_on >= as_of - dt.timedelta(days=120))):
        promises[p.customer_id].append(Promise(p.id, p.currency, p.amount_minor, p.due_on, p.grace_days, p.status,
                                               p.evaluated_on))
    exceptions: dict[int, list[PolicyException]] = defaultdict(list)
    for e in session.scalars(select(PolicyExceptionRow).where(
            *flt(PolicyExceptionRow), PolicyExceptionRow.status == "approved", PolicyExceptionRow.expires_on >= as_of)):
        exceptions[e.customer_id].append(PolicyException(e.id, e.kind, e.value, e.expires_on))
    plans: dict[int, list[Plan]] = defaultdict(list)
    rows = list(session.scalars(select(PaymentPlanRow).where(*flt(PaymentPlanRow), PaymentPlanRow.status == "active")))
    if rows:
        inst: dict[int, list[PlanInstalment]] = defaultdict(list)
        for pi in session.scalars(select(PlanInstalmentRow).where(PlanInstalmentRow.plan_id.in_([r.id for r in rows]))):
            inst[pi.plan_id].append(PlanInstalment(pi.seq, pi.due_date, pi.amount_minor))
        for r in rows:
            plans[r.customer_id].append(Plan(r.id, r.currency, frozenset(json.loads(r.covered_json)),
                                             tuple(sorted(inst[r.id], key=lambda x: x.seq)), r.agreed_on))
    return holds, disputes, promises, exceptions, plans


def pending_promise_payments(session: Session, tenant: int, as_of: dt.date) -> list[tuple[PromiseRow, list[tuple[dt.date, int]]]]:
    """Pending promises with the customer's payments in that currency since the promise was made."""
    rows = list(session.scalars(select(PromiseRow).where(PromiseRow.tenant_id == tenant,
                                                         PromiseRow.status == "pending")))
    if not rows:
        return []
    pays: dict[Key, list[tuple[dt.date, int]]] = defaultdict(list)
    earliest = min(r.promised_on for r in rows)
    ids = sorted({r.customer_id for r in rows})
    for start in range(0, len(ids), 5000):
        for cid, cur, day, amount in session.execute(
            select(PaymentRow.customer_id, PaymentRow.currency, PaymentRow.date, PaymentRow.amount_minor)
            .where(PaymentRow.tenant_id == tenant, PaymentRow.customer_id.in_(ids[start:start + 5000]),
                   PaymentRow.date >= earliest, PaymentRow.date <= as_of)):
            pays[(int(cid), str(cur))].append((day, int(amount)))
    return [(r, [(d, a) for d, a in pays.get((r.customer_id, r.currency), []) if d >= r.promised_on])
            for r in rows]


def expire_exceptions(session: Session, tenant: int, as_of: dt.date) -> int:
    return int(session.execute(update(PolicyExceptionRow).where(
        PolicyExceptionRow.tenant_id == tenant, PolicyExceptionRow.status.in_(("approved", "requested")),
        PolicyExceptionRow.expires_on < as_of).values(status="expired")).rowcount or 0)  # type: ignore[attr-defined]


def _raw_rows(rows: Sequence[dict[str, Any]], cols: list[str], pg: bool) -> list[Sequence[Any]]:
    data: list[Sequence[Any]] = (list(map(itemgetter(*cols), rows)) if len(cols) > 1
                                 else [(r[cols[0]],) for r in rows])
    if pg:
        return data
    # SQLAlchemy stores dates as ISO text on SQLite; do the same when bypassing it.  The rows of one call come
    # from one dict literal, so a column holds dates if its first non-null value is one; only those are visited.
    dated = [i for i, c in enumerate(cols)
             if isinstance(next((r[c] for r in rows if r[c] is not None), None), dt.date)]
    if not dated:
        return data
    iso: dict[dt.date, str] = {}
    out: list[Sequence[Any]] = []
    for tup in data:
        row = list(tup)
        for i in dated:
            v = row[i]
            if isinstance(v, dt.date):
                row[i] = iso.get(v) or iso.setdefault(v, v.isoformat())
        out.append(row)
    return out


def _copy(session: Session, table: str, rows: Sequence[dict[str, Any]]) -> list[str]:
    """Bulk-load dict rows into `table` through the driver: COPY on PostgreSQL, executemany on SQLite.  (The
    ORM's multi-VALUES inserts spend most of their time building and parsing huge statements.)"""
    cols = list(rows[0])
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"
    raw = conn.connection.driver_connection
    assert raw is not None
    data = _raw_rows(rows, cols, pg)
    if pg:
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for tup in data:
                copy.write_row(tup)
    else:
        cur = raw.cursor()
        cur.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})", data)
        cur.close()
    return cols


def _staged(session: Session, target: str, rows: Sequence[dict[str, Any]], tail: str) -> list[Any]:
    """Copy rows into a temporary twin of `target`, then INSERT ... SELECT with a conflict clause (`tail`)."""
    stage = f"stage_{target}"
    session.execute(text(f"DROP TABLE IF EXISTS {stage}"))
    cols = list(rows[0])
    session.execute(text(f"CREATE TEMPORARY TABLE {stage} AS SELECT {', '.join(cols)} FROM {target} WHERE 1 = 0"))
    _copy(session, stage, rows)
    # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join
    result = session.execute(text(f"INSERT INTO {target} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM {stage} "
                                  f"WHERE true {tail}"))
    out = list(result) if result.returns_rows else []  # type: ignore[attr-defined]  # a CursorResult at run time
    session.execute(text(f"DROP TABLE {stage}"))
    return out


def open_cases(session: Session, tenant: int, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        _staged(session, "collection_cases", rows, "ON CONFLICT DO NOTHING")


def close_cases(session: Session, tenant: int, keys: Sequence[tuple[int, str, int]], as_of: dt.date) -> None:
    for cid, cur, episode in keys:
        session.execute(update(CollectionCaseRow).where(
            CollectionCaseRow.tenant_id == tenant, CollectionCaseRow.customer_id == cid,
            CollectionCaseRow.currency == cur, CollectionCaseRow.episode == episode,
            CollectionCaseRow.closed_on.is_(None)).values(closed_on=as_of))


_ACTION_KEY = ("tenant_id", "customer_id", "currency", "step", "episode")


def insert_actions(session: Session, rows: Sequence[dict[str, Any]]) -> dict[tuple[int, str, str, int], int]:
    """Insert planned actions; returns the ids of those this run created (conflicting keys are skipped).

    An action whose message delivery cancelled (its items were paid or paused before it left) is planned again
    in place: the step did not happen, so when it is due again it is this run's."""
    if not rows:
        return {}
    again = ", ".join(f"{c} = excluded.{c}" for c in rows[0] if c not in _ACTION_KEY)
    found = _staged(session, "collection_actions", rows,
                    f"ON CONFLICT ({', '.join(_ACTION_KEY)}) DO UPDATE SET {again} "
                    "WHERE collection_actions.status = 'cancelled' RETURNING id, customer_id, currency, step, episode")
    return {(int(cid), str(cur), str(step), int(ep)): int(rid) for rid, cid, cur, step, ep in found}


def bulk_insert(session: Session, table: type[Any] | Table, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        name = table.__tablename__ if hasattr(table, "__tablename__") else table.name
        _copy(session, str(name), rows)


def set_flags(session: Session, tenant: int, rows: Sequence[dict[str, Any]]) -> None:
    """Raise flags (credit_stop) idempotently: an existing flag is re-activated, not duplicated."""
    if rows:
        _staged(session, "customer_flags", rows,
                "ON CONFLICT (tenant_id, customer_id, flag) DO UPDATE SET active = excluded.active, "
                "reason = excluded.reason, set_on = excluded.set_on, cleared_on = NULL")


def count_open(session: Session, tenant: int) -> int:
    return int(session.execute(text(
        "SELECT COUNT(*) FROM instalments WHERE tenant_id = :t AND open_minor > 0"), {"t": tenant}).scalar() or 0)
