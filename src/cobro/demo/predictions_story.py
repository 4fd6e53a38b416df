"""The demo's stored-predictions step: `cobro predict refresh` on the demo ledger, so every open instalment has a
stored payment-date prediction (what `cobro customers show`, /api/v1/predictions and the worklist read)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from cobro.platform.container import Container


def predictions_step(container: Container, out_dir: Path, as_of: dt.date, console: Console) -> None:
    """Score and store every open instalment with the model the risk step trained (out_dir/models)."""
    from cobro.forecasting import service as prediction

    with container.uow() as uow:
        result = prediction.refresh(uow, as_of, out_dir / "models")
        stored = prediction.predictions_for(uow, None, as_of)
        uow.commit()
    late = sum(1 for p in stored if p.p_late >= Decimal("0.5"))
    unpaid = sum(1 for p in stored if p.p_unpaid_180 >= Decimal("0.5"))
    (out_dir / "predictions.json").write_text(json.dumps([p.as_json() for p in stored], indent=1), encoding="utf-8")
    console.print(f"{result.scored} open instalments scored and stored as of {as_of} (model {result.model_version}); "
                  f"{late} more likely late than not, {unpaid} more likely unpaid at 180 days than not; "
                  f"wrote predictions.json")
