"""Solvency evidence for risk: each customer's accounts → Altman Z'', falling indicators and (with a trained
bankruptcy model) P(default), as the `SolvencyInput` the risk score and the classification read.

Accounts come from the `financial_statements` table (fiscal years up to the as-of date's year) and/or a file
given with ``--financials`` (which wins for the customers it contains).  The model is the file written by
`cobro solvency train` at the configured path (``<model_dir>/solvency.model``); without it, or when it cannot be
read, the score uses Altman Z'' only and every solvency reason says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cobro.platform.uow import Uow
from cobro.risk.domain import risk as rk
from cobro.solvency.domain import FinancialStatement, altman_z2, describe_change, falling, ratios
from cobro.solvency.repository import SOLVENCY
from cobro.solvency.schemas import Assessment, AssessmentSource, SolvencyDetails, YearDetails

if TYPE_CHECKING:
    from cobro.solvency.model.model import SolvencyModel

MODEL_FILE = "solvency.model"
SHOWN_RATIOS = ("current_ratio", "quick_ratio", "debt_to_assets", "interest_coverage", "roa", "ebit_margin", "dso")


def model_path(model_dir: Path | str) -> Path:
    return Path(model_dir) / MODEL_FILE


def stored(uow: Uow, as_of: dt.date) -> Mapping[str, tuple[FinancialStatement, ...]]:
    """The tenant's stored statements per customer code, fiscal years up to `as_of`'s year, oldest first."""
    found = uow.repo(SOLVENCY).statements(until=as_of)
    return {code: tuple(s.statement for s in items) for code, items in found.items()}


def _load(path: Path | None) -> tuple[SolvencyModel | None, str]:
    """(model or None, note for the reasons when there is none)."""
    if path is None:
        return None, "no bankruptcy model configured"
    if not path.exists():
        return None, "no bankruptcy model trained (cobro solvency train)"
    from cobro.solvency.model.model import ModelFormatError, SolvencyModel

    try:
        return SolvencyModel.load(path), ""
    except ModelFormatError:
        return None, "the bankruptcy model file is unusable, retrain it (cobro solvency train)"


def _probabilities(model: SolvencyModel, latest: Mapping[str, Sequence[FinancialStatement]]) -> dict[str, tuple[float, str]]:
    import numpy as np

    from cobro.solvency.model.features import statement_vector

    codes, rows, filled = [], [], []
    for code, stmts in latest.items():
        previous = stmts[-2] if len(stmts) >= 2 else None
        vec, used = statement_vector(model.feature_names, stmts[-1], previous, fill=model.feature_medians or None)
        codes.append(code)
        rows.append(vec)
        filled.append(f"{sum(used)}/{len(model.feature_names)}")
    if not rows:
        return {}
    p = model.predict_proba(np.vstack(rows))
    return {c: (float(v), f) for c, v, f in zip(codes, p, filled, strict=True)}


def assess_all(stored_statements: Mapping[str, Sequence[FinancialStatement]],
               given: Mapping[str, Sequence[FinancialStatement]] | None = None, *,
               model_file: Path | None = None) -> Mapping[str, Assessment]:
    """One assessment per customer code with accounts (those in `given` replace the stored ones)."""
    merged: dict[str, tuple[tuple[FinancialStatement, ...], AssessmentSource]] = {
        code: (tuple(sorted(s, key=lambda x: x.year or 0)), AssessmentSource.STORED)
        for code, s in stored_statements.items() if s}
    for code, s in (given or {}).items():
        if s:
            merged[code] = (tuple(sorted(s, key=lambda x: x.year or 0)), AssessmentSource.FILE)
    if not merged:
        return {}
    model, note = _load(model_file)
    pds = _probabilities(model, {c: s for c, (s, _) in merged.items()}) if model is not None else {}
    out: dict[str, Assessment] = {}
    for code, (stmts, source) in merged.items():
        z = altman_z2(stmts[-1])
        pd, filled = pds.get(code, (None, ""))
        sol = rk.SolvencyInput(p_default=pd, z2=z.score, zone=None if z.zone is None else str(z.zone),
                               worsened=tuple(describe_change(c) for c in falling(stmts)), year=stmts[-1].year,
                               model_note=note, model_features=filled)
        out[code] = Assessment(sol, stmts, source)
    return out


def details(a: Assessment) -> SolvencyDetails:
    """What `cobro risk show` lists: per year the main ratios and Z'', then P(default) and what fell."""
    years = []
    for s in a.statements:
        r, z = ratios(s), altman_z2(s)
        shown = {k: getattr(r, k) for k in SHOWN_RATIOS}
        years.append(YearDetails(s.year, None if z.score is None else round(z.score, 2), z.zone,
                                 {k: None if v is None else round(float(v or 0), 3) for k, v in shown.items()},
                                 r.negative_equity))
    sol = a.solvency
    return SolvencyDetails(a.source, tuple(years), None if sol.p_default is None else round(sol.p_default, 4),
                           sol.model_features, sol.model_note, tuple(sol.worsened))
