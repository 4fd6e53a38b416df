"""Deliver the transactional outbox: claim → commit "sending" → send → commit the outcome.

Guarantee: at-least-once transport with an idempotent Message-ID.  A row is committed as "sending" (with a lease)
BEFORE its message leaves, and as "sent" right after.  If the process dies between the two, the row stays
"sending" until its lease expires and is then sent again with the SAME Message-ID, so a receiver that dedups by
Message-ID sees it once; the window is one message per crashed worker.  Rows whose lease has not expired are
never re-sent, so a slow sender and a fresh worker do not both send.  Failures: a transient one schedules a
retry with exponential backoff ("failed" until `next_attempt_at`), a permanent one, a render error or the
last allowed attempt makes the row "dead" with `last_error` kept; one message's failure never stops the others.

Only what is still true is sent: right before a cycle message leaves, its items are read again in the
transaction that holds the row's lease (`recheck`): paid, credited or paused everywhere → "cancelled" with the
reason on the customer's timeline and the action cancelled, so the cycle may plan the step again; partly → the
row's context is rewritten with what is open (e-mail, WhatsApp, SMS) or it is cancelled (letters).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cobro.delivery.channels.base import Channel, DeliveryResult, make_message_id
from cobro.delivery.channels.compose import compose
from cobro.delivery.channels.email import message_domain
from cobro.delivery.channels.render import Renderer, RenderError
from cobro.delivery.repository import Claimed, OutboxItem, OutboxRepository, point_kind
from cobro.delivery.schemas import MessageFormatError, OutboxMessage, context_json, read_context
from cobro.delivery.service.recheck import Verdict, recheck
from cobro.delivery.service.setup import build_channels
from cobro.kernel.clock import Clock
from cobro.platform.settings import Settings
from cobro.platform.tenants import find_tenant
from cobro.webhooks import service as webhooks

log = logging.getLogger(__name__)

# Called as hook(stage, successful_sends) at "after_claim" (a batch is committed "sending", nothing sent yet),
# "after_send" (the message left, its row is still "sending") and "after_commit" (the row is "sent").  Production
# passes none; the crash tests pass one that kills the process, the re-check tests one that pays an invoice.
CrashHook = Callable[[str, int], None]


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    lost_lease: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)  # nothing left to claim, or a letter no longer true
    rewritten: list[int] = field(default_factory=list)  # sent with only the items still open
    errors: dict[int, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"claimed": self.claimed, "sent": len(self.sent), "retried": len(self.retried),
                "dead": len(self.dead), "skipped": len(self.skipped), "released": len(self.released),
                "lost_lease": len(self.lost_lease), "cancelled": len(self.cancelled),
                "rewritten": len(self.rewritten), "sent_ids": self.sent, "dead_ids": self.dead,
                "cancelled_ids": self.cancelled, "errors": {str(k): v for k, v in self.errors.items()}}


def backoff(attempt: int, base_seconds: float, cap_seconds: float) -> dt.timedelta:
    """base × 2^(attempt−1), capped: 1 min, 2, 4, 8 ... with the defaults."""
    return dt.timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(attempt - 1, 0)))


class Deliverer:
    def __init__(self, sessions: sessionmaker[Session], channels: Mapping[str, Channel], *, clock: Clock,
                 config: Settings, domain: str, tenant_id: int | None = None,
                 renderer: Renderer | None = None, crash_hook: CrashHook | None = None) -> None:
        self.sessions = sessions
        self.channels = channels
        self.clock = clock
        self.config = config
        self.domain = domain
        self.tenant_id = tenant_id
        self.renderer = renderer or Renderer()
        self.crash_hook = crash_hook
        self._sends = 0

    def deliver(self, limit: int | None = None) -> DeliveryReport:
        """Deliver due messages until none is left (or `limit` were claimed)."""
        report = DeliveryReport()
        down: set[str] = set()  # channels that were unreachable in this run: leave their rows alone
        try:
            while limit is None or report.claimed < limit:
                size = self.config.outbox_batch_size if limit is None else \
                    min(self.config.outbox_batch_size, limit - report.claimed)
                batch = self._claim(size, tuple(sorted(down)))
                if not batch:
                    break
                report.claimed += len(batch)
                if self.crash_hook:
                    self.crash_hook("after_claim", self._sends)
                for claimed in batch:
                    self._deliver_one(claimed, report, down)
        finally:
            for channel in self.channels.values():
                channel.close()
        return report

    def _claim(self, size: int, exclude: tuple[str, ...]) -> list[Claimed]:
        now = self.clock.now()
        lease_until = now + dt.timedelta(seconds=self.config.outbox_lease_seconds)
        with self.sessions() as session, session.begin():
            return OutboxRepository(session).claim(now=now, lease_until=lease_until, limit=size,
                                                   tenant_id=self.tenant_id, exclude_channels=exclude)

    def _deliver_one(self, claimed: Claimed, report: DeliveryReport, down: set[str]) -> None:
        item = self._still_true(claimed, report)
        if item is None:
            return
        message_id = make_message_id(item.tenant_code, item.idempotency_key, self.domain)
        now = self.clock.now()
        if item.channel in down:
            retry_at = now + backoff(1, self.config.outbox_backoff_seconds, self.config.outbox_backoff_cap_seconds)
            self._finish(item, claimed, report.released, lambda r: r.release(
                claimed, next_attempt_at=retry_at, reason=f"{item.channel} unavailable; not tried"))
            return
        if item.channel != "letter":
            with self.sessions() as session:
                opted_out = OutboxRepository(session).is_opted_out(item.tenant_id, item.channel, item.recipient)
                invalid = OutboxRepository(session).invalid_reason(item.tenant_id, item.channel, item.recipient)
            if opted_out:
                self._finish(item, claimed, report.skipped, lambda r: r.mark_skipped(
                    claimed, reason="recipient opted out"), event=("opted_out", "recipient opted out", ""))
                return
            if invalid is not None:
                why = f"recipient address invalid: {invalid}"[:2000]
                self._finish(item, claimed, report.skipped, lambda r: r.mark_skipped(claimed, reason=why),
                             event=("invalid_address", why, ""))
                return
        channel = self.channels.get(item.channel)
        if channel is None:
            error = f"channel {item.channel!r} is not configured"
            report.errors[item.id] = error
            self._finish(item, claimed, report.dead, lambda r: r.mark_dead(claimed, error=error),
                         event=("dead", error, ""))
            return
        try:
            stored = _message(item)
            message = compose(renderer=self.renderer, message=stored, message_id=message_id,
                              created=item.created_at)
        except (MessageFormatError, RenderError) as exc:
            error = f"render error: {exc}"
            report.errors[item.id] = error
            self._finish(item, claimed, report.dead, lambda r: r.mark_dead(claimed, error=error),
                         event=("dead", error, ""))
            return
        result = channel.send(message)
        self._outcome(item, claimed, result, message_id, customer=stored.context.customer.code, report=report,
                      down=down)

    def _still_true(self, claimed: Claimed, report: DeliveryReport) -> OutboxItem | None:
        """Re-check a cycle message's items now, in one transaction with what it decides; the row as it is to be
        sent, or None when it was cancelled (or its lease lost).  Messages queued without an action (a terms
        letter) claim no items and go as queued; an unreadable context is left to the render step."""
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            repo = OutboxRepository(session)
            item = repo.load(claimed.id)
            if item.action_id is None:
                return item
            try:
                stored = _message(item)
            except MessageFormatError:
                return item
            found = repo.action_items(item.tenant_id, item.action_id, as_of=now.date())
            if found is None:
                return item
            check = recheck(found, stored, as_of=now.date())
            if check.verdict is Verdict.UNCHANGED:
                return item
            if check.verdict is Verdict.REWRITE and check.context is not None:
                rewritten = context_json(check.context)
                if not repo.rewrite_context(claimed, context_json=rewritten):
                    report.lost_lease.append(item.id)
                    return None
                repo.add_event(item, kind="rewritten", attempt=claimed.attempt, detail=check.reason)
                report.rewritten.append(item.id)
                return dataclasses.replace(item, context_json=rewritten)
            if not repo.mark_cancelled(claimed, idempotency_key=item.idempotency_key, reason=check.reason):
                report.lost_lease.append(item.id)
                return None
            repo.add_event(item, kind="cancelled", attempt=claimed.attempt, detail=check.reason)
            repo.cancel_action(item.tenant_id, item.action_id)
            repo.add_timeline(item, customer_id=found.customer_id, day=now.date(), outcome="cancelled",
                              summary=f"{item.channel} {item.template} not sent: {check.reason}"[:2000])
        report.cancelled.append(item.id)
        return None

    def _outcome(self, item: OutboxItem, claimed: Claimed, result: DeliveryResult, message_id: str, *,
                 customer: str, report: DeliveryReport, down: set[str]) -> None:
        now = self.clock.now()
        if result.ok:
            self._sends += 1
            if self.crash_hook:
                self.crash_hook("after_send", self._sends)
            summary = (f"{item.channel} {item.template} sent to {item.recipient or item.recipient_name}"
                       f" ({result.provider_id or message_id})")
            self._finish(item, claimed, report.sent, lambda r: r.mark_sent(
                claimed, message_id=message_id, now=now), event=("sent", "", result.provider_id),
                timeline=(now.date(), summary, customer),
                webhook=("message.sent", _hook_data(item, customer, message_id, at=now,
                                                    provider_id=result.provider_id)))
            if self.crash_hook:
                self.crash_hook("after_commit", self._sends)
            return
        report.errors[item.id] = result.error
        if result.unavailable:
            down.add(item.channel)
        # An unreachable transport says nothing about the message: back off (capped) but never dead-letter.
        exhausted = not result.unavailable and claimed.attempt >= self.config.outbox_max_attempts
        if result.permanent_failure or exhausted:
            kind = "bounce" if result.bounce else "dead"
            self._finish(item, claimed, report.dead, lambda r: r.mark_dead(
                claimed, error=result.error, message_id=message_id), event=(kind, result.error, ""),
                bounced=result.bounce, customer=customer,
                webhook=("message.bounced", _hook_data(item, customer, message_id, at=now, reason=result.error))
                if result.bounce else None)
            return
        retry_at = now + backoff(claimed.attempt, self.config.outbox_backoff_seconds,
                                 self.config.outbox_backoff_cap_seconds)
        self._finish(item, claimed, report.retried, lambda r: r.mark_failed(
            claimed, error=result.error, next_attempt_at=retry_at, message_id=message_id),
            event=("deferred", f"{result.error}; retry at {retry_at.isoformat()}", ""))

    def _finish(self, item: OutboxItem, claimed: Claimed, bucket: list[int], transition: Any, *,
                event: tuple[str, str, str] | None = None, timeline: tuple[dt.date, str, str] | None = None,
                bounced: bool = False, customer: str = "",
                webhook: tuple[str, dict[str, Any]] | None = None) -> None:
        """Apply one fenced transition plus its event rows (and its webhook event) in one transaction."""
        with self.sessions() as session, session.begin():
            repo = OutboxRepository(session)
            if not transition(repo):
                # Our lease expired and another worker owns the row now: its outcome wins.
                log.warning("outbox %s: lease lost before recording the outcome", item.id)
                return
            if event is not None:
                repo.add_event(item, kind=event[0], attempt=claimed.attempt, detail=event[1],
                               provider_id=event[2])
            if timeline is not None:
                day, summary, customer = timeline
                # A message queued without an action (a terms letter) finds its customer by the code it names.
                customer_id = item.customer_id if item.customer_id is not None \
                    else repo.customer_id(item.tenant_id, customer)
                repo.add_timeline(item, customer_id=customer_id, day=day, summary=summary)
            if bounced and item.recipient:
                _bounced(session, repo, item, reason=event[1] if event else "", day=self.clock.now().date(),
                         customer=customer)
            if webhook is not None:  # with the status change: a crash before commit sends no webhook either
                webhooks.emit_for_tenant(session, item.tenant_id, webhook[0], entity=f"message:{item.id}",
                                         data=webhook[1])
        bucket.append(item.id)


def _hook_data(item: OutboxItem, customer: str, message_id: str, *, at: dt.datetime, provider_id: str = "",
               reason: str = "") -> dict[str, Any]:
    """The payload of message.sent / message.bounced."""
    data: dict[str, Any] = {"id": item.id, "channel": item.channel, "template": item.template, "customer": customer,
                            "recipient": item.recipient, "recipient_name": item.recipient_name,
                            "message_id": message_id, "action_id": item.action_id, "at": at.isoformat()}
    if provider_id:
        data["provider_id"] = provider_id
    if reason:
        data["reason"] = reason
    return data


def _bounced(session: Session, repo: OutboxRepository, item: OutboxItem, *, reason: str, day: dt.date,
             customer: str) -> None:
    """A hard bounce: the address is wrong data (not an opt-out), so it is marked invalid for every later message
    and the cycle picks the next contact or channel; the customer's timeline says so and the collector is alerted
    (`risk.service.alerts`, in this transaction)."""
    kind = point_kind(item.channel)
    if not kind or not repo.mark_invalid(item.tenant_id, kind, item.recipient, reason=reason or "bounced",
                                         source="bounce"):
        return
    customer_id = item.customer_id if item.customer_id is not None else repo.customer_id(item.tenant_id, customer)
    summary = f"{item.channel} to {item.recipient} bounced: {kind} marked invalid ({reason or 'bounced'})"[:2000]
    repo.add_timeline(item, customer_id=customer_id, day=day, summary=summary, outcome="bounced")
    if customer_id is None:
        return
    from cobro.platform.uow import UnitOfWork
    from cobro.risk.schemas import AlertKind
    from cobro.risk.service.alerts import raise_alert

    raise_alert(UnitOfWork.within(session, item.tenant_code), kind=AlertKind.BOUNCE, customer_id=customer_id,
                as_of=day, message=summary, subject=f"{kind}:{item.recipient.strip().lower()}")


def _message(item: OutboxItem) -> OutboxMessage:
    """The claimed row as the typed message its writer queued (the context parsed by the one reader)."""
    return OutboxMessage(channel=item.channel, template=item.template, idempotency_key=item.idempotency_key,
                         context=read_context(item.context_json), recipient=item.recipient,
                         recipient_name=item.recipient_name, language=item.language, tone=item.tone)


def make_deliverer(*, settings: Settings, sessions: sessionmaker[Session], clock: Clock,
                   all_tenants: bool = False, crash_hook: CrashHook | None = None) -> Deliverer:
    """The production wiring: channels and knobs from the one `Settings`, this tenant only unless `all_tenants`."""
    tenant_id = None
    if not all_tenants:
        with sessions() as session:
            found = find_tenant(session, settings.tenant)
        tenant_id = found.id if found is not None else -1  # unknown tenant: nothing to deliver
    return Deliverer(sessions, build_channels(settings), clock=clock, config=settings,
                     domain=message_domain(settings.smtp_from), tenant_id=tenant_id, crash_hook=crash_hook)
