"""`cobro solvency`: train/score the bankruptcy model on ARFF files, analyse debtors' financial statements.

Row numbering in `score` output: ``row`` is the **0-based** index of the data row in file order (the first
row after ``@data`` is 0; comment and blank lines are not counted).
Default model path: ``$COBRO_MODEL_DIR/solvency.model`` or ``~/.cache/cobro/solvency.model``.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from cobro.kernel.cells import as_number, csv_writer

app = typer.Typer(help="Solvency of debtors: ratios, Altman Z'', bankruptcy-probability model.",
                  no_args_is_help=True)


def default_model_path() -> Path:
    base = os.environ.get("COBRO_MODEL_DIR")
    return (Path(base) if base else Path.home() / ".cache" / "cobro") / "solvency.model"


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _fmt(v: Any, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


@app.command()
def train(
    ctx: typer.Context,
    *,
    arff: Annotated[Path, typer.Option("--arff", help="Training data (ARFF with a {0,1} class).")],
    out: Annotated[Path | None, typer.Option("--out", help="Where to save the model.")] = None,
    folds: Annotated[int, typer.Option("--folds", help="CV folds for the reported metrics (0 = skip).")] = 5,
    calibration: Annotated[str, typer.Option(help="sigmoid | isotonic | none")] = "sigmoid",
    keep_duplicates: Annotated[bool, typer.Option(help="Keep exact duplicate rows.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Train the bankruptcy model; print out-of-fold AUC and Brier; save it."""
    import numpy as np

    from cobro.platform.cli.context import state
    from cobro.solvency.model.arff import ArffError, read_arff
    from cobro.solvency.model.model import InsufficientDataError, ModelParams, deduplicate
    from cobro.solvency.model.model import train as fit

    if calibration not in ("sigmoid", "isotonic", "none"):
        raise _fail(f"unknown calibration {calibration!r}; use sigmoid, isotonic or none")
    try:
        data = read_arff(arff)
    except ArffError as exc:
        raise _fail(str(exc)) from None
    if data.y is None:
        raise _fail(f"{arff}: no class attribute; training needs a nominal {{0,1}} label")
    labelled = np.flatnonzero(data.y >= 0)
    notes = []
    if len(labelled) < data.n_rows:
        notes.append(f"{data.n_rows - len(labelled)} rows with an unknown class (?) were left out")
    x, y = data.x[labelled], data.y[labelled]
    if not keep_duplicates:
        keep = deduplicate(x, y)
        if len(keep) < len(y):
            notes.append(f"{len(y) - len(keep)} exact duplicate rows were dropped")
        x, y = x[keep], y[keep]
    if data.missing_cells():
        notes.append(f"{data.missing_cells()} missing (?) cells are handled natively by the model")
    model_path = out or default_model_path()
    try:
        model = fit(x, y, data.feature_names, ModelParams(calibration=calibration), folds=folds,
                    now=state(ctx).container().clock.now())
    except InsufficientDataError as exc:
        raise _fail(str(exc)) from None
    model.save(model_path)
    cv = model.cv_metrics or {}
    if as_json:
        typer.echo(json.dumps({"model": str(model_path), "rows": model.n_rows, "positives": model.n_positive,
                               "features": len(model.feature_names), "cv": cv, "notes": notes}, indent=2))
        return
    for note in notes:
        typer.echo(f"note: {note}")
    typer.echo(f"trained on {model.n_rows} rows ({model.n_positive} bankrupt), "
               f"{len(model.feature_names)} features")
    if cv:
        typer.echo(f"out-of-fold ({cv['folds']}-fold): AUC {cv['auc']:.4f}  PR-AUC {cv['pr_auc']:.4f}  "
                   f"Brier {cv['brier']:.4f}  log-loss {cv['log_loss']:.4f}")
    typer.echo(f"model saved to {model_path}")


def _load_model(path: Path | None) -> Any:
    from cobro.solvency.model.model import ModelFormatError, SolvencyModel

    try:
        return SolvencyModel.load(path or default_model_path())
    except ModelFormatError as exc:
        raise _fail(str(exc)) from None


@app.command()
def score(
    arff: Annotated[Path, typer.Option("--arff", help="Firms to score (ARFF; class optional).")],
    out: Annotated[Path, typer.Option("--out", help="CSV with columns row,p_default (row 0-based).")],
    model: Annotated[Path | None, typer.Option("--model", help="Model file (default: cache).")] = None,
    factors: Annotated[Path | None, typer.Option("--factors", help="CSV of the top 3 factors per firm.")] = None,
) -> None:
    """Score every data row in file order: `row` is the 0-based data-row index."""
    import numpy as np

    from cobro.solvency.model.arff import ArffError, read_arff
    from cobro.solvency.model.explain import top_factors

    m = _load_model(model)
    try:
        data = read_arff(arff)
    except ArffError as exc:
        raise _fail(str(exc)) from None
    missing = [n for n in m.feature_names if n not in data.feature_names]
    if missing:
        raise _fail(f"{arff} lacks {len(missing)} feature(s) the model needs, e.g. {missing[:3]}")
    order = [data.feature_names.index(n) for n in m.feature_names]
    x = data.x[:, order]
    p = m.predict_proba(x) if data.n_rows else np.zeros(0)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv_writer(fh)
        w.writerow(["row", "p_default"])
        for i, prob in enumerate(p):
            w.writerow([i, as_number(f"{prob:.6f}")])
    if factors is not None:
        with factors.open("w", newline="", encoding="utf-8") as fh:
            w = csv_writer(fh)
            w.writerow(["row", "rank", "feature", "value", "contribution"])
            for i, row in enumerate(top_factors(m, x, k=3) if data.n_rows else []):
                for rank, f in enumerate(row, start=1):
                    w.writerow([i, rank, f.feature, "" if math.isnan(f.value) else as_number(f"{f.value:.6g}"),
                                as_number(f"{f.contribution:.4f}")])
    nan_rows = int(np.isnan(x).any(axis=1).sum())
    typer.echo(f"scored {data.n_rows} rows → {out}" + (f" (factors → {factors})" if factors else ""))
    if nan_rows:
        typer.echo(f"note: {nan_rows} rows have missing (?) values; the model handles them natively")


def _analysis(path: Path, model_path: Path | None) -> tuple[list[dict[str, Any]], list[str]]:
    from cobro.solvency.domain import altman_z2, ratios, trend, worsened_latest
    from cobro.solvency.model.explain import top_factors
    from cobro.solvency.model.features import statement_vector
    from cobro.solvency.model.statements_import import by_customer, read_statements

    items, problems = read_statements(path)
    messages = [str(p) for p in problems]
    if not items and any(p.severity == "error" for p in problems):
        raise _fail("; ".join(messages))
    model = None
    if model_path is not None or default_model_path().exists():
        model = _load_model(model_path)
    result = []
    for customer, stmts in by_customer(items).items():
        years = []
        for i, s in enumerate(stmts):
            entry: dict[str, Any] = {"year": s.year, "ratios": ratios(s).as_dict(),
                                     "altman_z2": altman_z2(s).as_dict()}
            if model is not None:
                vec, filled = statement_vector(model.feature_names, s, stmts[i - 1] if i else None,
                                               fill=model.feature_medians or None)
                row = vec.reshape(1, -1)
                entry["p_default"] = float(model.predict_proba(row)[0])
                entry["model_features_filled"] = f"{sum(filled)}/{len(model.feature_names)}"
                ranked = top_factors(model, row, k=len(model.feature_names))[0]
                own = [f for f in ranked if filled[model.feature_names.index(f.feature)]]
                entry["factors"] = [f.describe() for f in own[:3]]
            years.append(entry)
        result.append({
            "customer": customer, "years": years,
            "trend": [c.as_dict() for c in trend(stmts)],
            "worsened_latest": [c.indicator for c in worsened_latest(stmts)],
        })
    return result, messages


_SHOWN = ("current_ratio", "quick_ratio", "debt_to_assets", "interest_coverage", "roa", "ebit_margin",
          "dso", "cash_conversion_cycle")


@app.command()
def analyze(
    statements: Annotated[Path, typer.Option("--statements", help="CSV/XLSX, one row per customer × year.")],
    model: Annotated[Path | None, typer.Option("--model", help="Model for P(default) (default: cache "
                                                               "if present).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Ratios, Altman Z'' and zone per customer and year, the trend, and P(default) when a model exists."""
    result, messages = _analysis(statements, model)
    if as_json:
        typer.echo(json.dumps({"customers": result, "problems": messages}, indent=2, default=str))
        return
    for msg in messages:
        typer.echo(f"problem: {msg}", err=True)
    for cust in result:
        typer.echo(f"\n{cust['customer']}")
        for y in cust["years"]:
            z = y["altman_z2"]
            zone = f"Z'' {_fmt(z['score'], 2)} ({z['zone']})" if z["score"] is not None else \
                f"Z'' n/a (missing {', '.join(z['missing'])})"
            typer.echo(f"  {y['year'] or '?'}: {zone}")
            typer.echo("    " + "  ".join(f"{k}={_fmt(y['ratios'][k], 2)}" for k in _SHOWN))
            if "p_default" in y:
                typer.echo(f"    P(default 1y) {y['p_default']:.3f} ({y['model_features_filled']} model features "
                           f"from the statement, the rest at training medians)")
                for factor in y["factors"]:
                    typer.echo(f"      - {factor}")
        if cust["worsened_latest"]:
            typer.echo(f"  worsened in the latest year: {', '.join(cust['worsened_latest'])}")
