"""The outbox's use cases: queue messages (the only code that inserts outbox rows), list, retry, opt-outs.

Writers queue in their own transaction: a rolled-back cycle leaves no message and a committed one always has its
messages.  These functions flush, never commit; the entrypoint commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from cobro.delivery.repository import OutboxRepository, utc
from cobro.delivery.schemas import (
    OutboxEntry,
    OutboxListing,
    OutboxMessage,
    OutboxStatus,
    QueuedMessage,
    context_json,
)
from cobro.platform.tenants import find_tenant
from cobro.platform.uow import UnitOfWork


def _session(where: Session | UnitOfWork) -> Session:
    return where.session if isinstance(where, UnitOfWork) else where


def _values(tenant_id: int, message: OutboxMessage, action_id: int | None) -> tuple[Any, ...]:
    """A row in `INSERT_COLUMNS` order."""
    return (tenant_id, action_id, message.channel, message.recipient, message.recipient_name, message.language,
            message.template, message.tone, context_json(message.context), message.idempotency_key,
            message.status.value, 0, message.skip_reason, "")


def enqueue(where: Session | UnitOfWork, tenant_id: int, messages: Sequence[OutboxMessage], *,
            action_ids: Sequence[int | None] | None = None) -> None:
    """Queue many messages in one bulk load (the collections cycle: tens of thousands per run).

    `action_ids[i]` is the collection action that produced `messages[i]`.  The caller guarantees the keys are new
    (the cycle's action keys are unique per run and a concurrent run's are dropped before this): a key that
    exists already fails the whole load, as any unique violation does.
    """
    if action_ids is not None and len(action_ids) != len(messages):
        raise ValueError(f"{len(action_ids)} action ids for {len(messages)} messages")
    ids = action_ids if action_ids is not None else [None] * len(messages)
    OutboxRepository(_session(where)).insert_many(
        [_values(tenant_id, m, a) for m, a in zip(messages, ids, strict=True)])


def enqueue_one(where: Session | UnitOfWork, tenant_id: int, message: OutboxMessage, *,
                action_id: int | None = None) -> QueuedMessage:
    """Queue one message unless its idempotency key is queued already; then that first message is returned
    (`created` False) and nothing is written."""
    repo = OutboxRepository(_session(where))
    found = repo.by_key(tenant_id, message.idempotency_key)
    if found is not None:
        outbox_id, channel, recipient, status = found
        return QueuedMessage(outbox_id, channel, recipient, OutboxStatus(status), created=False)
    outbox_id = repo.insert_one(_values(tenant_id, message, action_id))
    return QueuedMessage(outbox_id, message.channel, message.recipient, message.status, created=True)


def tenant_id(where: Session | UnitOfWork, code: str) -> int | None:
    found = find_tenant(_session(where), code)
    return None if found is None else found.id


def list_messages(where: Session | UnitOfWork, tenant_id: int, *, status: str | None = None,
                  limit: int = 100) -> OutboxListing:
    """The tenant's messages, oldest first (at most `limit`, only `status` if given), and its counts per status."""
    repo = OutboxRepository(_session(where))
    rows = repo.list_messages(tenant_id=tenant_id, status=status, limit=limit)
    entries = tuple(OutboxEntry(r.id, r.channel, r.recipient, r.template, OutboxStatus(r.status), r.attempts,
                                utc(r.next_attempt_at), r.message_id, utc(r.sent_at), r.last_error,
                                r.idempotency_key) for r in rows)
    return OutboxListing(entries, repo.counts(tenant_id=tenant_id))


def retry(where: Session | UnitOfWork, tenant_id: int, outbox_id: int) -> bool:
    """Put a dead, failed or skipped message back in the queue (attempts reset); False if there is none."""
    return OutboxRepository(_session(where)).retry(outbox_id, tenant_id)


def opt_out(where: Session | UnitOfWork, tenant_id: int, channel: str, recipient: str, *, reason: str = "",
            remove: bool = False) -> bool:
    """Record (or, with `remove`, lift) a recipient's opt-out on `channel` ("*" for all); False if unchanged."""
    repo = OutboxRepository(_session(where))
    if remove:
        return repo.remove_opt_out(tenant_id, channel, recipient)
    return repo.add_opt_out(tenant_id, channel, recipient, reason=reason)
