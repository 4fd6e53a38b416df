"""Outbox queries: insert new rows, claim due rows, fence every state change, opt-outs, delivery events, timeline.

Claiming is one `UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING id, attempts`:
on PostgreSQL the sub-select takes `FOR UPDATE SKIP LOCKED`, so concurrent workers split the queue; on SQLite
the UPDATE is the transaction's first statement, so it takes the single write lock at once and two workers
serialise instead of both reading the same rows.  The returned `attempts` is a fencing token: every later
update says `WHERE id = :id AND status = 'sending' AND attempts = :token`, so a worker whose lease expired
and whose row was re-claimed by another cannot overwrite the newer outcome.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

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
    DisputeRow,
    HoldRow,
    PaymentPlanRow,
    PlanInstalmentRow,
    PolicyExceptionRow,
    PromiseRow,
    TimelineEventRow,
)
from cobro.delivery.records import ChannelOptOutRow, ContactPointStatusRow, DeliveryEventRow, OutboxMessageRow
from cobro.delivery.schemas import CLAIMABLE, REVIVABLE, OutboxStatus
from cobro.ledger.records import CustomerRow, InstalmentRow, InvoiceRow
from cobro.ledger.repository.open_items import open_instalments
from cobro.platform.tenants import TenantRow

T = OutboxMessageRow
SENDING = OutboxStatus.SENDING.value

# The columns a new row is written with, in the order `insert_many` takes them (the rest have defaults).
INSERT_COLUMNS = ("tenant_id", "action_id", "channel", "recipient", "recipient_name", "language", "template",
                  "tone", "context_json", "idempotency_key", "status", "attempts", "last_error", "message_id")


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything cobro stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def normalize_recipient(channel: str, recipient: str) -> str:
    value = recipient.strip().lower()
    if channel in ("whatsapp", "sms"):
        value = "".join(c for c in value if c.isdigit())
        value = value[2:] if value.startswith("00") else value
    return value


def point_kind(channel: str) -> str:
    """The contact point a channel writes to: email, phone, or "" (a letter goes to the customer's address)."""
    return {"email": "email", "sms": "phone", "whatsapp": "phone"}.get(channel, "")


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    attempt: int  # fencing token: attempts after the claim


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A claimed row as stored; its `context_json` is read by `cobro.delivery.schemas.read_context`."""

    id: int
    tenant_id: int
    tenant_code: str
    customer_id: int | None  # the action's customer; None for messages queued without an action
    channel: str
    recipient: str
    recipient_name: str
    language: str
    template: str
    tone: str
    context_json: str
    idempotency_key: str
    created_at: dt.datetime
    action_id: int | None = None  # the collection action that queued it (the cycle's messages)


@dataclass(frozen=True, slots=True)
class ActionItems:
    """What a cycle message is about, as the ledger and collections stand now (read at delivery time).

    `open_items` are the customer's receivable instalments open now in the action's currency (the ledger's one
    rule, `open_items`), `closed` says for each of the action's instalments that is not among them why (its
    invoice's status: paid, cancelled, written_off), and the pauses are those the cycle applies to the pair."""

    action_id: int
    customer_id: int
    currency: str
    item_ids: tuple[int, ...]  # in the order the message lists them; negative: payment-plan instalment
    open_items: tuple[Item, ...]
    closed: dict[int, str]
    holds: tuple[Hold, ...] = ()
    disputes: tuple[Dispute, ...] = ()
    promises: tuple[Promise, ...] = ()
    exceptions: tuple[PolicyException, ...] = ()
    plans: tuple[Plan, ...] = ()


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- claiming -------------------------------------------------------------------------------------
    def claim(self, *, now: dt.datetime, lease_until: dt.datetime, limit: int, tenant_id: int | None = None,
              exclude_channels: tuple[str, ...] = ()) -> list[Claimed]:
        due = or_(
            and_(T.status.in_([s.value for s in CLAIMABLE]),
                 or_(T.next_attempt_at.is_(None), T.next_attempt_at <= now)),
            and_(T.status == SENDING, T.next_attempt_at <= now),  # lease expired: the sender died
        )
        pick = select(T.id).where(due)
        if tenant_id is not None:
            pick = pick.where(T.tenant_id == tenant_id)
        if exclude_channels:
            pick = pick.where(T.channel.not_in(exclude_channels))
        pick = pick.order_by(T.id).limit(limit)
        if self.session.get_bind().dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        stmt = (update(T).where(T.id.in_(pick.scalar_subquery()))
                .values(status=SENDING, attempts=T.attempts + 1, next_attempt_at=lease_until)
                .returning(T.id, T.attempts)
                .execution_options(synchronize_session=False))
        rows = self.session.execute(stmt).all()
        return sorted((Claimed(int(r[0]), int(r[1])) for r in rows), key=lambda c: c.id)

    def load(self, outbox_id: int) -> OutboxItem:
        row = self.session.execute(
            select(T, TenantRow.code, CollectionActionRow.customer_id)
            .join(TenantRow, TenantRow.id == T.tenant_id)
            .outerjoin(CollectionActionRow, CollectionActionRow.id == T.action_id)
            .where(T.id == outbox_id)).one()
        msg, tenant_code, customer_id = row
        return OutboxItem(msg.id, msg.tenant_id, tenant_code, customer_id, msg.channel, msg.recipient or "",
                          msg.recipient_name or "", msg.language or "es", msg.template, msg.tone or "",
                          msg.context_json or "", msg.idempotency_key,
                          utc(msg.created_at) or dt.datetime(2000, 1, 1, tzinfo=dt.UTC), msg.action_id)

    # --- what a message is about, now (the re-check before sending) ---------------------------------------
    def action_items(self, tenant_id: int, action_id: int, *, as_of: dt.date) -> ActionItems | None:
        """The action's items and the customer's open items and pauses in its currency, now; None if the action
        is gone.  A handful of small queries for one customer: this runs once per message."""
        a = CollectionActionRow
        found = self.session.execute(select(a.customer_id, a.currency, a.items_json).where(
            a.id == action_id, a.tenant_id == tenant_id)).first()
        if found is None:
            return None
        customer_id, currency = int(found[0]), str(found[1])
        ids = tuple(int(i) for i in json.loads(found[2] or "[]"))
        sub = open_instalments(tenant_id, None, customer_ids=[customer_id])
        open_items = tuple(
            Item(int(r.instalment_id), int(r.invoice_id), str(r.number), int(r.seq), r.issue_date, r.due_date,
                 int(r.open_minor), str(r.currency), bool(r.disputed))
            for r in self.session.execute(select(sub).where(sub.c.currency == currency)
                                          .order_by(sub.c.due_date, sub.c.instalment_id)))
        real = [i for i in ids if i > 0]
        closed = {int(iid): str(status) for iid, status in self.session.execute(
            select(InstalmentRow.id, InvoiceRow.status).join(InvoiceRow, InvoiceRow.id == InstalmentRow.invoice_id)
            .where(InstalmentRow.tenant_id == tenant_id, InstalmentRow.id.in_(real or [-1])))}
        return ActionItems(action_id, customer_id, currency, ids, open_items, closed,
                           *self._pauses(tenant_id, customer_id, currency, as_of))

    def _pauses(self, tenant_id: int, customer_id: int, currency: str, as_of: dt.date) -> tuple[Any, ...]:
        """The customer's pauses as the cycle loads them (`collections.repository.cycle.pauses`, for one
        customer and currency): active holds, open disputes, pending or broken promises, approved exceptions,
        active plans."""
        def of(row: Any) -> list[Any]:
            return [row.tenant_id == tenant_id, row.customer_id == customer_id]

        holds = tuple(Hold(h.id, h.reason, h.invoice_id, h.until) for h in self.session.scalars(
            select(HoldRow).where(*of(HoldRow), HoldRow.released_on.is_(None),
                                  HoldRow.until.is_(None) | (HoldRow.until >= as_of))))
        disputes = tuple(Dispute(d.id, frozenset(json.loads(d.invoice_ids_json)), d.reason_code, d.amount_minor,
                                 d.currency) for d in self.session.scalars(
            select(DisputeRow).where(*of(DisputeRow), DisputeRow.status == "open")))
        promises = tuple(Promise(p.id, p.currency, p.amount_minor, p.due_on, p.grace_days, p.status,
                                 p.evaluated_on) for p in self.session.scalars(
            select(PromiseRow).where(*of(PromiseRow), PromiseRow.status.in_(("pending", "broken")))))
        exceptions = tuple(PolicyException(e.id, e.kind, e.value, e.expires_on) for e in self.session.scalars(
            select(PolicyExceptionRow).where(*of(PolicyExceptionRow), PolicyExceptionRow.status == "approved",
                                             PolicyExceptionRow.expires_on >= as_of)))
        plans = []
        for r in self.session.scalars(select(PaymentPlanRow).where(
                *of(PaymentPlanRow), PaymentPlanRow.status == "active", PaymentPlanRow.currency == currency)):
            steps = sorted((PlanInstalment(pi.seq, pi.due_date, pi.amount_minor) for pi in self.session.scalars(
                select(PlanInstalmentRow).where(PlanInstalmentRow.plan_id == r.id))), key=lambda x: x.seq)
            plans.append(Plan(r.id, r.currency, frozenset(json.loads(r.covered_json)), tuple(steps), r.agreed_on))
        return holds, disputes, promises, exceptions, tuple(plans)

    def customer_id(self, tenant_id: int, code: str) -> int | None:
        return self.session.scalar(select(CustomerRow.id).where(CustomerRow.tenant_id == tenant_id,
                                                                CustomerRow.code == code))

    # --- writing new rows (only `cobro.delivery.service.outbox` calls these) -------------------------------
    def insert_many(self, rows: Sequence[Sequence[Any]]) -> None:
        """Bulk-load rows (values in `INSERT_COLUMNS` order) through the driver: COPY on PostgreSQL, executemany
        on SQLite.  The ORM's multi-VALUES inserts spend most of their time building and parsing huge
        statements; a cycle queues tens of thousands of messages."""
        if not rows:
            return
        conn = self.session.connection()
        raw = conn.connection.driver_connection
        assert raw is not None
        columns = ", ".join(INSERT_COLUMNS)
        if conn.dialect.name == "postgresql":
            with raw.cursor() as cur, cur.copy(f"COPY {T.__tablename__} ({columns}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
        else:
            cur = raw.cursor()
            cur.executemany(f"INSERT INTO {T.__tablename__} ({columns}) "
                            f"VALUES ({', '.join('?' for _ in INSERT_COLUMNS)})", rows)
            cur.close()

    def insert_one(self, values: Sequence[Any]) -> int:
        row = T(**dict(zip(INSERT_COLUMNS, values, strict=True)))
        self.session.add(row)
        self.session.flush()
        return int(row.id)

    def by_key(self, tenant_id: int, idempotency_key: str) -> tuple[int, str, str, str] | None:
        """(id, channel, recipient, status) of the tenant's row with this key."""
        row = self.session.execute(select(T.id, T.channel, T.recipient, T.status).where(
            T.tenant_id == tenant_id, T.idempotency_key == idempotency_key)).first()
        return None if row is None else (int(row[0]), str(row[1]), str(row[2] or ""), str(row[3]))

    # --- fenced transitions (False = the lease was lost; someone else owns the row now) --------------
    def _fenced(self, claimed: Claimed, **values: Any) -> bool:
        result = self.session.execute(
            update(T).where(T.id == claimed.id, T.status == SENDING, T.attempts == claimed.attempt)
            .values(**values).execution_options(synchronize_session=False))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def mark_sent(self, claimed: Claimed, *, message_id: str, now: dt.datetime) -> bool:
        return self._fenced(claimed, status=OutboxStatus.SENT.value, message_id=message_id, sent_at=now, next_attempt_at=None,
                            last_error="")

    def mark_failed(self, claimed: Claimed, *, error: str, next_attempt_at: dt.datetime, message_id: str) -> bool:
        return self._fenced(claimed, status=OutboxStatus.FAILED.value, last_error=error, next_attempt_at=next_attempt_at,
                            message_id=message_id)

    def mark_dead(self, claimed: Claimed, *, error: str, message_id: str = "") -> bool:
        return self._fenced(claimed, status=OutboxStatus.DEAD.value, last_error=error, next_attempt_at=None, message_id=message_id)

    def mark_cancelled(self, claimed: Claimed, *, idempotency_key: str, reason: str) -> bool:
        """Nothing left to say (or a letter that no longer says what is true): never sent.  The row gives its key
        up (`key#cancelled-<id>`), so the cycle may plan the step again and queue it under the same key."""
        return self._fenced(claimed, status=OutboxStatus.CANCELLED.value, last_error=reason, next_attempt_at=None,
                            idempotency_key=f"{idempotency_key}#cancelled-{claimed.id}"[:200])

    def rewrite_context(self, claimed: Claimed, *, context_json: str) -> bool:
        """The message now lists only what is still open: what is sent is what the row says."""
        return self._fenced(claimed, context_json=context_json)

    def cancel_action(self, tenant_id: int, action_id: int) -> None:
        """The action's message was not sent: the cycle's history skips cancelled actions, so the step is planned
        again when it is due and something is open (a write to collections' table, like the timeline's)."""
        self.session.execute(update(CollectionActionRow).where(
            CollectionActionRow.id == action_id, CollectionActionRow.tenant_id == tenant_id)
            .values(status="cancelled").execution_options(synchronize_session=False))

    def mark_skipped(self, claimed: Claimed, *, reason: str) -> bool:
        return self._fenced(claimed, status=OutboxStatus.SKIPPED.value, last_error=reason, next_attempt_at=None)

    def release(self, claimed: Claimed, *, next_attempt_at: dt.datetime, reason: str) -> bool:
        """Hand a claimed-but-untried row back (its channel is down): the claim does not count as an attempt."""
        return self._fenced(claimed, status=OutboxStatus.PENDING.value, attempts=claimed.attempt - 1,
                            next_attempt_at=next_attempt_at, last_error=reason)

    # --- operator actions ----------------------------------------------------------------------------
    def retry(self, outbox_id: int, tenant_id: int) -> bool:
        """Dead, failed or skipped → pending now, attempts reset.  Sent and in-flight rows are left alone."""
        result = self.session.execute(
            update(T).where(T.id == outbox_id, T.tenant_id == tenant_id,
                            T.status.in_([s.value for s in REVIVABLE]))
            .values(status=OutboxStatus.PENDING.value, attempts=0, next_attempt_at=None)
            .execution_options(synchronize_session=False))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def list_messages(self, *, tenant_id: int, status: str | None = None, limit: int = 100,
                      ) -> list[OutboxMessageRow]:
        stmt = select(T).where(T.tenant_id == tenant_id)
        if status:
            stmt = stmt.where(T.status == status)
        return list(self.session.scalars(stmt.order_by(T.id).limit(limit)))

    def counts(self, *, tenant_id: int) -> dict[str, int]:
        rows = self.session.execute(select(T.status, func.count()).where(T.tenant_id == tenant_id)
                                    .group_by(T.status)).all()
        return {str(s): int(n) for s, n in rows}

    # --- opt-outs, events, timeline ------------------------------------------------------------------
    def is_opted_out(self, tenant_id: int, channel: str, recipient: str) -> bool:
        key = normalize_recipient(channel, recipient)
        return self.session.scalar(select(ChannelOptOutRow.id).where(
            ChannelOptOutRow.tenant_id == tenant_id, ChannelOptOutRow.recipient == key,
            ChannelOptOutRow.channel.in_((channel, "*"))).limit(1)) is not None

    def add_opt_out(self, tenant_id: int, channel: str, recipient: str, *, reason: str = "",
                    source: str = "manual") -> bool:
        key = normalize_recipient(channel, recipient)
        if self.session.scalar(select(ChannelOptOutRow.id).where(
                ChannelOptOutRow.tenant_id == tenant_id, ChannelOptOutRow.channel == channel,
                ChannelOptOutRow.recipient == key)) is not None:
            return False
        self.session.add(ChannelOptOutRow(tenant_id=tenant_id, channel=channel, recipient=key, reason=reason,
                                          source=source))
        self.session.flush()
        return True

    def remove_opt_out(self, tenant_id: int, channel: str, recipient: str) -> bool:
        result = self.session.execute(delete(ChannelOptOutRow).where(
            ChannelOptOutRow.tenant_id == tenant_id, ChannelOptOutRow.channel == channel,
            ChannelOptOutRow.recipient == normalize_recipient(channel, recipient)))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # --- contact points known not to work (bounces, wrong numbers) -------------------------------------
    def invalid_reason(self, tenant_id: int, channel: str, recipient: str) -> str | None:
        """Why this channel's recipient is known not to work, or None."""
        kind = point_kind(channel)
        if not kind or not recipient:
            return None
        found = self.session.scalar(select(ContactPointStatusRow.reason).where(
            ContactPointStatusRow.tenant_id == tenant_id, ContactPointStatusRow.kind == kind,
            ContactPointStatusRow.address == normalize_recipient(channel, recipient)))
        return None if found is None else str(found)

    def mark_invalid(self, tenant_id: int, kind: str, address: str, *, reason: str, source: str) -> bool:
        """Record an address (`kind` email) or phone number (`kind` phone) as invalid; False if it was already."""
        key = normalize_recipient("email" if kind == "email" else "sms", address)
        if not key or self.session.scalar(select(ContactPointStatusRow.id).where(
                ContactPointStatusRow.tenant_id == tenant_id, ContactPointStatusRow.kind == kind,
                ContactPointStatusRow.address == key)) is not None:
            return False
        self.session.add(ContactPointStatusRow(tenant_id=tenant_id, kind=kind, address=key, status="invalid",
                                               source=source, reason=reason[:2000]))
        self.session.flush()
        return True

    def invalid_points(self, tenant_id: int) -> list[tuple[str, str, str, str]]:
        """(kind, address, source, reason) of every invalid point of the tenant."""
        q = select(ContactPointStatusRow.kind, ContactPointStatusRow.address, ContactPointStatusRow.source,
                   ContactPointStatusRow.reason).where(ContactPointStatusRow.tenant_id == tenant_id
                                                       ).order_by(ContactPointStatusRow.id)
        return [(str(k), str(a), str(s), str(r)) for k, a, s, r in self.session.execute(q)]

    def add_event(self, item: OutboxItem, *, kind: str, attempt: int, detail: str = "",
                  provider_id: str = "") -> None:
        self.session.add(DeliveryEventRow(tenant_id=item.tenant_id, outbox_id=item.id, channel=item.channel,
                                          recipient=item.recipient, kind=kind, attempt=attempt,
                                          detail=detail[:2000], provider_id=provider_id[:200]))

    def events(self, outbox_id: int) -> list[DeliveryEventRow]:
        return list(self.session.scalars(select(DeliveryEventRow).where(DeliveryEventRow.outbox_id == outbox_id)
                                         .order_by(DeliveryEventRow.id)))

    def add_timeline(self, item: OutboxItem, *, customer_id: int | None, day: dt.date, summary: str,
                     outcome: str = "sent") -> None:
        if customer_id is None:
            return
        self.session.add(TimelineEventRow(tenant_id=item.tenant_id, customer_id=customer_id, day=day,
                                          kind=f"{item.channel}_{outcome}", ref=f"outbox:{item.id}",
                                          summary=summary, actor="delivery"))
