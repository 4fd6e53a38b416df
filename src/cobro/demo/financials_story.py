"""Demo step: debtors' annual accounts → `financial_statements`, the bankruptcy model, and risk with solvency.

1. Invents PGC-style accounts for a share of the debtors (`cobro.demo.financials`: every insolvent debtor, about
   half of the others), writes them to ``financials.csv`` and imports that file exactly as
   ``cobro import financials`` does.
2. Trains the bankruptcy model on the Polish data (5year.arff) **only if that file is there** (the package does
   not depend on it; ``COBRO_DEMO_POLISH_ARFF`` points elsewhere); otherwise the scores use Altman Z'' only and
   say so.
3. Scores and classifies again and shows, per payer behaviour, the score before and after the accounts, and for
   the insolvent debtors the solvency reasons and the classification they now get.
Writes financials.csv, solvency_risk.json (and models/solvency.model when trained) into the output directory.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from cobro.platform.container import Container

DEFAULT_POLISH_ARFF = Path("/work/shared/data/polish-bankruptcy/5year.arff")


def polish_arff() -> Path:
    return Path(os.environ.get("COBRO_DEMO_POLISH_ARFF") or DEFAULT_POLISH_ARFF)


def train_solvency_model(arff: Path, out: Path, *, now: dt.datetime) -> dict[str, Any]:
    """Fit the bankruptcy model on `arff` and save it (trained at `now`); reuse `out` when it is newer than `arff`.

    Lighter than `cobro solvency train` so the demo stays quick: 200 trees at learning rate 0.1 (about the same
    shrinkage × trees as the default 500 × 0.05) and no cross-validated metrics (that command reports them).
    """
    from cobro.solvency.model.arff import read_arff
    from cobro.solvency.model.model import ModelParams, SolvencyModel, deduplicate, train

    if out.exists() and out.stat().st_mtime >= arff.stat().st_mtime:
        cached = SolvencyModel.load(out)
        return {"rows": cached.n_rows, "bankrupt": cached.n_positive, "features": len(cached.feature_names),
                "reused": True}

    data = read_arff(arff)
    if data.y is None:
        raise ValueError(f"{arff}: no class attribute")
    labelled = data.y >= 0
    x, y = data.x[labelled], data.y[labelled]
    keep = deduplicate(x, y)
    model = train(x[keep], y[keep], data.feature_names, ModelParams(n_estimators=200, learning_rate=0.1), folds=0,
                  now=now)
    model.save(out)
    return {"rows": model.n_rows, "bankrupt": model.n_positive, "features": len(model.feature_names),
            "reused": False}


def _scores(container: Container, as_of: dt.date, model: Path | None) -> dict[str, Any]:
    from cobro.risk.service import scores as risk

    with container.uow() as uow:
        ctx = risk.build(uow, as_of, rates=container.rates, solvency_model=model)
        scores = [s.as_json() for s in risk.score_all(uow, as_of, ctx=ctx, store=False).scores]
        classes = [c.as_json() for c in risk.classify_all(uow, as_of, ctx=ctx)]
        recs = risk.recommend_all(uow, as_of, ctx=ctx)
    return {"scores": {s["customer"]: s for s in scores}, "classes": {c["customer"]: c for c in classes},
            "actions": {r.customer: r.action for r in recs}}


def financials_step(container: Container, out_dir: Path, as_of: dt.date, console: Console) -> None:
    """Import invented accounts, train the bankruptcy model when the Polish data is there, score again."""
    from cobro.demo.financials import DemoFirm, make_accounts, write_csv
    from cobro.demo.parties import EUR_RATE
    from cobro.ledger.service.summary import customer_refs
    from cobro.solvency.service.financials import import_financials, usual_currencies

    before = _scores(container, as_of, None)
    with container.uow() as uow:
        currencies = usual_currencies(uow)
        rows = customer_refs(uow)
        behaviour = {r.code: r.behaviour for r in rows}
        firms = [DemoFirm(r.code, r.behaviour, r.segment, currencies.get(r.id, "EUR"),
                          EUR_RATE.get(currencies.get(r.id, "EUR"), 1.0)) for r in rows]
        path = write_csv(make_accounts(firms, as_of, seed=7), out_dir / "financials.csv")
        report = import_financials(uow, path)
        if report.errors:
            raise ValueError(f"demo accounts did not import: {report.errors[0]}")
        uow.commit()
    console.print(f"imported {report.created} annual accounts of {report.extra.get('customers', 0)} debtors "
                  f"from {path.name} (`cobro import financials {path.name}` does the same)")

    model: Path | None = out_dir / "models" / "solvency.model"
    arff = polish_arff()
    if arff.exists():
        started = time.perf_counter()
        info = train_solvency_model(arff, model, now=container.clock.now())  # type: ignore[arg-type]
        verb = "reused (trained" if info["reused"] else "trained"
        console.print(f"bankruptcy model {verb} on {arff.name}: {info['rows']} firms ({info['bankrupt']} bankrupt)"
                      + (")" if info["reused"] else f", {time.perf_counter() - started:.0f} s"))
    else:
        model = None
        console.print(f"[yellow]no {arff} here: skipping the bankruptcy model; scores use Altman Z'' only[/]")
    after = _scores(container, as_of, model)
    _report(behaviour, before, after, out_dir, console)


def _report(behaviour: dict[str, str], before: dict[str, Any], after: dict[str, Any], out_dir: Path,
            console: Console) -> None:
    by_b: dict[str, list[str]] = defaultdict(list)
    for code, s in after["scores"].items():
        if s["components"].get("solvency") is not None:
            by_b[behaviour.get(code, "?")].append(code)
    summary = []
    table = Table(title="Debtors with accounts: risk score before → after the solvency evidence")
    for col in ("behaviour", "n", "mean score", "Z'' zones", "classified (after)", "recommended (after)"):
        table.add_column(col, overflow="fold")
    for b, codes in sorted(by_b.items()):
        mean_b = sum(int(before["scores"][c]["score"]) for c in codes) / len(codes)
        mean_a = sum(int(after["scores"][c]["score"]) for c in codes) / len(codes)
        zones = Counter(_zone(after["scores"][c]) for c in codes)
        labels = Counter(after["classes"][c]["label"] for c in codes if c in after["classes"])
        actions = Counter(after["actions"][c] for c in codes if c in after["actions"])
        summary.append({"behaviour": b, "customers": len(codes), "mean_score_before": round(mean_b, 1),
                        "mean_score_after": round(mean_a, 1), "zones": dict(zones), "classified": dict(labels),
                        "actions": dict(actions)})
        table.add_row(b, str(len(codes)), f"{mean_b:.1f} → {mean_a:.1f}",
                      " ".join(f"{z} {n}" for z, n in sorted(zones.items())),
                      ", ".join(f"{k} {v}" for k, v in labels.most_common()) or "not delinquent",
                      ", ".join(f"{k} {v}" for k, v in actions.most_common()) or "-")
    console.print(table)
    insolvent = sorted(c for c in by_b.get("insolvent", []))
    detail = []
    for code in insolvent[:5]:
        s = after["scores"][code]
        cls = after["classes"].get(code, {})
        solvency = [r for r in s["reasons"] if r.startswith(("accounts", "bankruptcy model", "solvency"))]
        detail.append({"customer": code, "score_before": before["scores"][code]["score"], "score_after": s["score"],
                       "label": cls.get("label"), "action": after["actions"].get(code), "solvency_reasons": solvency})
        console.print(f"[bold]{code}[/] score {before['scores'][code]['score']} → {s['score']}, classified "
                      f"{cls.get('label', 'not delinquent')}, recommended {after['actions'].get(code, '-')}")
        for r in solvency:
            console.print(f"    · {r}")
    (out_dir / "solvency_risk.json").write_text(json.dumps({"by_behaviour": summary, "insolvent": detail}, indent=2,
                                                           ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(f"wrote financials.csv and solvency_risk.json in {out_dir}")


def _zone(score: dict[str, Any]) -> str:
    text = next((r for r in score["reasons"] if r.startswith("accounts")), "")
    for zone in ("distress", "grey", "safe"):
        if f"{zone} zone" in text:
            return zone
    return "n/a"
