"""The jobs `cobro worker` runs: the one place that knows every feature's job functions (docs/jobs.md).

A feature adds a job with one `registry.add(Job(...))` line below; its function lives in the feature's `tasks`
module and takes `(container, tenant, *, as_of, now)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cobro.jobs.registry import Registry
    from cobro.platform.settings import Settings

SUNDAY = 6


def registry(settings: Settings) -> Registry:
    # imported here, not at the top: `cobro --help` must not load the delivery channels or the HTTP client
    from cobro.cashapp.tasks import statement_inbox
    from cobro.collections.tasks import daily_cycle
    from cobro.delivery.tasks import deliver_outbox
    from cobro.forecasting.tasks import refresh_predictions, retrain
    from cobro.jobs.domain import Schedule, Scope, parse_time
    from cobro.jobs.registry import Job, Registry
    from cobro.risk.tasks import alert_digest
    from cobro.webhooks.tasks import send_webhooks

    jobs = Registry()
    jobs.add(Job("cycle", Schedule.daily(parse_time(settings.jobs_cycle_at)), daily_cycle,
                 description="the daily collections cycle, per tenant, on its business days"))
    jobs.add(Job("outbox", Schedule.every(5), deliver_outbox, scope=Scope.GLOBAL,
                 description="deliver the outbox (e-mail, WhatsApp, SMS, letters)"))
    jobs.add(Job("webhooks", Schedule.every(5), send_webhooks, scope=Scope.GLOBAL,
                 description="send due webhook deliveries"))
    jobs.add(Job("statements", Schedule.every(60), statement_inbox,
                 description="import bank statements dropped in COBRO_STATEMENT_INBOX"))
    jobs.add(Job("retrain", Schedule.weekly(SUNDAY, parse_time(settings.jobs_retrain_at)), retrain,
                 description="retrain the payment-date model on the settled history"))
    jobs.add(Job("predict_refresh", Schedule.daily(parse_time("05:30"), business_days_only=False), refresh_predictions,
                 description="store the payment-date predictions of every open instalment (before the cycle)"))
    jobs.add(Job("alert_digest", Schedule.daily(parse_time(settings.jobs_digest_at)), alert_digest,
                 description="raise the day's alerts and e-mail each user their digest (after the cycle)"))
    return jobs
