"""All SQL of webhooks.  `SqlWebhookRepository` is one tenant's subscriptions, events and delivery log;
`SqlWebhookQueue` is the sender's view across tenants: claim what is due, in order per entity, and record
how each attempt went."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from sqlalchemy import and_, delete, exists, insert, select, text, update
from sqlalchemy.orm import Session, aliased

from cobro.platform.uow import RepositoryKey
from cobro.webhooks.records import WebhookDeliveryRow, WebhookEventRow, WebhookSubscriptionRow
from cobro.webhooks.schemas import Delivery, Outgoing, Subscription

_EMIT_CHUNK = 5000  # events per bulk insert in `emit_many`
_COPY_FROM = 50  # on PostgreSQL, chunks of at least this many events are COPYed (a single event is one INSERT)
LEASE = dt.timedelta(minutes=2)  # a claimed delivery is left alone this long; a crashed sender's claim expires


class WebhookRepository(Protocol):
    def add_subscription(self, *, url: str, secret: str, events: list[str], description: str) -> Subscription: ...
    def subscriptions(self) -> list[Subscription]: ...
    def remove_subscription(self, subscription_id: int) -> bool: ...
    def reactivate(self, subscription_id: int) -> bool: ...
    def secret_of(self, subscription_id: int) -> str | None: ...
    def emit(self, *, event_type: str, entity: str, payload_json: str, at: dt.datetime | None) -> int: ...
    def emit_many(self, *, event_type: str, events: Iterable[tuple[str, str]], at: dt.datetime | None) -> int: ...
    def deliveries(self, *, status: str, subscription_id: int | None, limit: int,
                   before_id: int = 0) -> list[Delivery]: ...


class SqlWebhookRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def add_subscription(self, *, url: str, secret: str, events: list[str], description: str) -> Subscription:
        row = WebhookSubscriptionRow(tenant_id=self.tenant, url=url, secret=secret, events=" ".join(events),
                                     description=description, active=True, dead_in_a_row=0, disabled_reason="")
        self.session.add(row)
        self.session.flush()
        return _subscription(row)

    def subscriptions(self) -> list[Subscription]:
        rows = self.session.scalars(select(WebhookSubscriptionRow).where(
            WebhookSubscriptionRow.tenant_id == self.tenant).order_by(WebhookSubscriptionRow.id))
        return [_subscription(r) for r in rows]

    def remove_subscription(self, subscription_id: int) -> bool:
        gone = self.session.execute(delete(WebhookSubscriptionRow).where(
            WebhookSubscriptionRow.tenant_id == self.tenant, WebhookSubscriptionRow.id == subscription_id))
        return bool(getattr(gone, "rowcount", 0))

    def reactivate(self, subscription_id: int) -> bool:
        done = self.session.execute(update(WebhookSubscriptionRow).where(
            WebhookSubscriptionRow.tenant_id == self.tenant, WebhookSubscriptionRow.id == subscription_id
        ).values(active=True, dead_in_a_row=0, disabled_reason=""))
        return bool(getattr(done, "rowcount", 0))

    def secret_of(self, subscription_id: int) -> str | None:
        return self.session.scalar(select(WebhookSubscriptionRow.secret).where(
            WebhookSubscriptionRow.tenant_id == self.tenant, WebhookSubscriptionRow.id == subscription_id))

    def emit(self, *, event_type: str, entity: str, payload_json: str, at: dt.datetime | None) -> int:
        """The event and one pending delivery per active subscription that wants it, in the caller's transaction
        (a rolled-back change sends nothing).  Returns the number of deliveries queued."""
        when = {} if at is None else {"occurred_at": at}
        event_id = self.session.execute(insert(WebhookEventRow).values(
            tenant_id=self.tenant, type=event_type, entity=entity, payload_json=payload_json, **when
        ).returning(WebhookEventRow.id)).scalar_one()
        subs = self.session.execute(select(WebhookSubscriptionRow.id, WebhookSubscriptionRow.events).where(
            WebhookSubscriptionRow.tenant_id == self.tenant, WebhookSubscriptionRow.active.is_(True))).all()
        wanted = [sid for sid, events in subs if "*" in events.split() or event_type in events.split()]
        due = {} if at is None else {"next_attempt_at": at}
        if wanted:
            self.session.execute(insert(WebhookDeliveryRow), [
                {"tenant_id": self.tenant, "subscription_id": sid, "event_id": event_id, "entity": entity,
                 "status": "pending", "attempts": 0, "last_status": 0, "last_error": "", **due} for sid in wanted])
        return len(wanted)

    def emit_many(self, *, event_type: str, events: Iterable[tuple[str, str]], at: dt.datetime | None) -> int:
        """`emit` for many entities at once: the subscriptions are read once and, when no active one wants
        `event_type`, `events` is never iterated and nothing is written (a cycle planning 100k actions for a tenant
        without subscribers pays one query).  Otherwise events and deliveries go in bulk inserts, in chunks.
        Returns the number of deliveries queued."""
        subs = self.session.execute(select(WebhookSubscriptionRow.id, WebhookSubscriptionRow.events).where(
            WebhookSubscriptionRow.tenant_id == self.tenant, WebhookSubscriptionRow.active.is_(True))).all()
        wanted = [sid for sid, chosen in subs if "*" in chosen.split() or event_type in chosen.split()]
        if not wanted:
            return 0
        when = {} if at is None else {"occurred_at": at}
        due = {} if at is None else {"next_attempt_at": at}
        queued = 0
        chunk: list[dict[str, object]] = []
        pg = self.session.get_bind().dialect.name == "postgresql"  # COPY pays off for many rows (set per chunk)

        def flush() -> int:
            entities = [row["entity"] for row in chunk]
            copy = pg and len(chunk) >= _COPY_FROM
            if copy:
                ids = self._copy_events(chunk)
            else:
                ids = list(self.session.scalars(insert(WebhookEventRow).returning(
                    WebhookEventRow.id, sort_by_parameter_order=True), chunk).all())
            deliveries = [{"tenant_id": self.tenant, "subscription_id": sid, "event_id": event_id, "entity": entity,
                           "status": "pending", "attempts": 0, "last_status": 0, "last_error": "", **due}
                          for event_id, entity in zip(ids, entities, strict=True) for sid in wanted]
            if copy:
                _copy(self.session, "webhook_deliveries", deliveries)
            else:
                self.session.execute(insert(WebhookDeliveryRow), deliveries)
            chunk.clear()
            return len(ids) * len(wanted)

        for entity, payload_json in events:
            chunk.append({"tenant_id": self.tenant, "type": event_type, "entity": entity,
                          "payload_json": payload_json, **when})
            if len(chunk) >= _EMIT_CHUNK:
                queued += flush()
        if chunk:
            queued += flush()
        return queued

    def _copy_events(self, rows: list[dict[str, object]]) -> list[int]:
        """PostgreSQL: take the events' ids from their sequence, then COPY them in (an INSERT ... RETURNING of
        thousands of rows is several times slower)."""
        ids = [int(i) for i in self.session.scalars(text(
            "SELECT nextval(pg_get_serial_sequence('webhook_events', 'id')) FROM generate_series(1, :n)"),
            {"n": len(rows)})]
        _copy(self.session, "webhook_events", [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
        return ids

    def deliveries(self, *, status: str, subscription_id: int | None, limit: int,
                   before_id: int = 0) -> list[Delivery]:
        stmt = (select(WebhookDeliveryRow, WebhookEventRow.type)
                .join(WebhookEventRow, WebhookEventRow.id == WebhookDeliveryRow.event_id)
                .where(WebhookDeliveryRow.tenant_id == self.tenant))
        if status:
            stmt = stmt.where(WebhookDeliveryRow.status == status)
        if subscription_id is not None:
            stmt = stmt.where(WebhookDeliveryRow.subscription_id == subscription_id)
        if before_id:  # the API's cursor: newest first, so the next page holds smaller ids
            stmt = stmt.where(WebhookDeliveryRow.id < before_id)
        rows = self.session.execute(stmt.order_by(WebhookDeliveryRow.id.desc()).limit(limit)).all()
        return [_delivery(d, t) for d, t in rows]


class SqlWebhookQueue:
    """The sender's queue across all tenants (it runs in the worker, for everyone)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim_due(self, now: dt.datetime, limit: int) -> list[Outgoing]:
        """Due deliveries that have no earlier pending delivery of the same entity to the same subscription
        (order per entity), leased for `LEASE` so another sender skips them."""
        earlier = aliased(WebhookDeliveryRow)
        d = WebhookDeliveryRow
        blocked = exists().where(and_(earlier.subscription_id == d.subscription_id, earlier.entity == d.entity,
                                      earlier.status == "pending", earlier.id < d.id))
        stmt = (select(d.id).join(WebhookSubscriptionRow, WebhookSubscriptionRow.id == d.subscription_id)
                .where(d.status == "pending", d.next_attempt_at <= now, ~blocked,
                       WebhookSubscriptionRow.active.is_(True))
                .order_by(d.id).limit(limit))
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(of=d, skip_locked=True)
        ids = list(self.session.scalars(stmt))
        if not ids:
            return []
        self.session.execute(update(d).where(d.id.in_(ids)).values(next_attempt_at=now + LEASE))
        rows = self.session.execute(
            select(d.id, d.subscription_id, d.tenant_id, d.attempts, WebhookSubscriptionRow.url,
                   WebhookSubscriptionRow.secret, WebhookEventRow.id.label("event_id"), WebhookEventRow.type,
                   WebhookEventRow.payload_json, WebhookEventRow.occurred_at)
            .join(WebhookSubscriptionRow, WebhookSubscriptionRow.id == d.subscription_id)
            .join(WebhookEventRow, WebhookEventRow.id == d.event_id)
            .where(d.id.in_(ids)).order_by(d.id)).all()
        return [Outgoing(r.id, r.subscription_id, r.tenant_id, r.url, r.secret, r.type, r.attempts,
                         _body(r.type, r.occurred_at, r.payload_json)) for r in rows]

    def delivered(self, delivery_id: int, subscription_id: int, status: int, now: dt.datetime) -> None:
        self.session.execute(update(WebhookDeliveryRow).where(WebhookDeliveryRow.id == delivery_id).values(
            status="delivered", attempts=WebhookDeliveryRow.attempts + 1, last_status=status, last_error="",
            delivered_at=now))
        self.session.execute(update(WebhookSubscriptionRow).where(
            WebhookSubscriptionRow.id == subscription_id).values(dead_in_a_row=0))

    def failed(self, delivery_id: int, status: int, error: str, retry_at: dt.datetime) -> None:
        self.session.execute(update(WebhookDeliveryRow).where(WebhookDeliveryRow.id == delivery_id).values(
            attempts=WebhookDeliveryRow.attempts + 1, last_status=status, last_error=error[:500],
            next_attempt_at=retry_at))

    def dead(self, delivery_id: int, subscription_id: int, status: int, error: str) -> int:
        """Give the delivery up; returns how many deliveries of its subscription died in a row."""
        self.session.execute(update(WebhookDeliveryRow).where(WebhookDeliveryRow.id == delivery_id).values(
            status="dead", attempts=WebhookDeliveryRow.attempts + 1, last_status=status, last_error=error[:500]))
        self.session.execute(update(WebhookSubscriptionRow).where(WebhookSubscriptionRow.id == subscription_id)
                             .values(dead_in_a_row=WebhookSubscriptionRow.dead_in_a_row + 1))
        return int(self.session.scalar(select(WebhookSubscriptionRow.dead_in_a_row).where(
            WebhookSubscriptionRow.id == subscription_id)) or 0)

    def disable(self, subscription_id: int, reason: str) -> None:
        self.session.execute(update(WebhookSubscriptionRow).where(WebhookSubscriptionRow.id == subscription_id)
                             .values(active=False, disabled_reason=reason))


def _copy(session: Session, table: str, rows: list[dict[str, object]]) -> None:
    """COPY dict rows (all with the same keys) into `table` through the session's psycopg connection."""
    if not rows:
        return
    cols = list(rows[0])
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in cols])


def _body(event_type: str, occurred_at: dt.datetime, payload_json: str) -> bytes:
    stamp = occurred_at if occurred_at.tzinfo else occurred_at.replace(tzinfo=dt.UTC)
    return (f'{{"type":"{event_type}","timestamp":"{stamp.isoformat()}","data":{payload_json}}}').encode()


def _subscription(row: WebhookSubscriptionRow) -> Subscription:
    return Subscription(id=row.id, url=row.url, events=row.events.split(), description=row.description,
                        active=row.active, disabled_reason=row.disabled_reason, created_at=row.created_at)


def _delivery(row: WebhookDeliveryRow, event_type: str) -> Delivery:
    return Delivery(id=row.id, subscription_id=row.subscription_id, event_id=row.event_id, event_type=event_type,
                    entity=row.entity, status=row.status, attempts=row.attempts,
                    next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
                    last_status=row.last_status, last_error=row.last_error, delivered_at=row.delivered_at)


WEBHOOKS: RepositoryKey[WebhookRepository] = RepositoryKey("webhooks", SqlWebhookRepository)
