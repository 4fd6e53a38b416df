"""Weekly retraining of the payment-date model as a job (`cobro worker`, docs/jobs.md): what `cobro predict
train --save-model` does, saved where `cobro predict` and the forecast look for the tenant's model."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cobro.platform.container import Container


def retrain(container: Container, tenant: str, *, as_of: dt.date, now: dt.datetime) -> str:
    from cobro.forecasting.service import train
    from cobro.kernel.errors import InvalidInputError

    with container.uow(tenant) as uow:
        try:
            model = train(uow, as_of, container.settings.model_dir, now=now)
        except InvalidInputError as exc:  # an empty ledger has nothing to learn yet: not a failure to retry
            return f"not trained: {exc}"
    return f"trained {model.kind} on {model.invoices} invoices as of {as_of}: {model.path}"
