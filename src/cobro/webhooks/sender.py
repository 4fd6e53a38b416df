"""The webhook sender: claim due deliveries (committed, so a second sender skips them), POST each signed body
outside any transaction, then record the outcome — delivered, retry later with backoff, or given up; a
subscription whose deliveries die `DISABLE_AFTER_DEAD` times in a row is disabled and the tenant told.

Delivery is at least once: a sender killed between the POST and recording it sends again when the claim's lease
expires, with the same `webhook-id`, which receivers use to drop duplicates (the receiver example does).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable

import httpx
from sqlalchemy.orm import Session, sessionmaker

from cobro.webhooks import domain
from cobro.webhooks.repository import SqlWebhookQueue
from cobro.webhooks.schemas import Outgoing, PassReport, SendResult

log = logging.getLogger(__name__)
Post = Callable[[str, dict[str, str], bytes], SendResult]
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def http_post(url: str, headers: dict[str, str], body: bytes) -> SendResult:
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
            response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return SendResult(0, f"{type(exc).__name__}: {exc}"[:300])
    return SendResult(response.status_code, "" if response.is_success else response.text[:300])


class WebhookSender:
    def __init__(self, sessions: sessionmaker[Session], *, now: Callable[[], dt.datetime],
                 post: Post = http_post, rng: random.Random | None = None, batch: int = 50) -> None:
        self.sessions, self.now, self.post, self.batch = sessions, now, post, batch
        self.rng = rng or random.Random()

    def deliver(self) -> PassReport:
        """One pass: everything due now (each entity's deliveries one at a time, in order)."""
        report = PassReport()
        while True:
            claimed = self._claim()
            if not claimed:
                return report
            for outgoing in claimed:
                self._send(outgoing, report)

    def _claim(self) -> list[Outgoing]:
        with self.sessions() as session, session.begin():
            return SqlWebhookQueue(session).claim_due(self.now(), self.batch)

    def _send(self, out: Outgoing, report: PassReport) -> None:
        stamp = int(self.now().timestamp())
        msg_id = f"msg_{out.delivery_id}"
        headers = {"content-type": "application/json", "user-agent": "cobro-webhooks/1",
                   "webhook-id": msg_id, "webhook-timestamp": str(stamp),
                   "webhook-signature": domain.sign(out.secret, msg_id, stamp, out.body)}
        result = self.post(out.url, headers, out.body)
        now = self.now()
        with self.sessions() as session, session.begin():
            queue = SqlWebhookQueue(session)
            if result.ok:
                queue.delivered(out.delivery_id, out.subscription_id, result.status, now)
                report.delivered += 1
                return
            retry_at = domain.next_attempt(out.attempts + 1, now, self.rng)
            if retry_at is not None:
                queue.failed(out.delivery_id, result.status, result.error, retry_at)
                report.retrying += 1
                return
            report.dead += 1
            if queue.dead(out.delivery_id, out.subscription_id, result.status, result.error) >= domain.DISABLE_AFTER_DEAD:
                reason = (f"disabled after {domain.DISABLE_AFTER_DEAD} deliveries failed {domain.MAX_ATTEMPTS} times"
                          f" each (last: {result.status or result.error})")
                queue.disable(out.subscription_id, reason)
                report.disabled.append(out.subscription_id)
                log.warning("webhook subscription %s of tenant %s %s", out.subscription_id, out.tenant_id, reason)
