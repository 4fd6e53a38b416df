"""Jobs of forecasting (`cobro worker`, docs/jobs.md): the weekly retraining of the payment-date model (what
`cobro predict train --save-model` does, saved where `cobro predict` and the forecast look for the tenant's model)
and the daily refresh of the stored predictions of every open instalment (`cobro predict refresh`)."""

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


def refresh_predictions(container: Container, tenant: str, *, as_of: dt.date, now: dt.datetime) -> str:
    """The daily `predict_refresh` job: `cobro predict refresh --as-of` the slot's day (replaces that day's rows,
    so a retried run stores them once)."""
    from pathlib import Path

    from cobro.forecasting.service import refresh

    with container.uow(tenant) as uow:
        result = refresh(uow, as_of, Path(container.settings.model_dir))
        uow.commit()
    return f"{result.scored} open instalments scored as of {as_of} ({result.model_version})"
