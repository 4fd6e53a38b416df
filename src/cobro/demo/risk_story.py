"""Demo step: payment-date model, 13-week forecast, risk scores, classification and recommendations.

Writes forecast.json, risk_scores.json, classification.json and recommendations.json into the demo output
directory and prints how the generator's payer behaviours (`customers.behaviour`, ground truth the scoring never
reads) line up with the grades, classifications and recommended actions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from cobro.platform.container import Container


def _write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def behaviour_table(behaviours: dict[str, str], scores: list[dict[str, Any]], classes: list[dict[str, Any]],
                    recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per behaviour: customers, mean score, grades, classification labels and recommended actions."""
    label = {c["customer"]: c["label"] for c in classes}
    action: dict[str, Counter[str]] = defaultdict(Counter)
    for r in recs:
        action[behaviours.get(r["customer"], "?")][r["action"]] += 1
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in scores:
        groups[behaviours.get(s["customer"], "?")].append(s)
    out = []
    for b, items in sorted(groups.items()):
        out.append({
            "behaviour": b, "customers": len(items),
            "mean_score": round(sum(int(s["score"]) for s in items) / len(items), 1),
            "grades": dict(sorted(Counter(str(s["grade"]) for s in items).items())),
            "classified": dict(Counter(label.get(s["customer"], "not delinquent") for s in items).most_common()),
            "actions": dict(action[b].most_common()),
        })
    return out


def risk_step(container: Container, out_dir: Path, as_of: dt.date, console: Console) -> None:
    """Train the payment-date model, forecast 13 weeks, score, classify and recommend over the demo ledger."""
    from cobro.forecasting import service as prediction
    from cobro.ledger.service.summary import customer_refs
    from cobro.risk.service import scores as risk

    model_dir = out_dir / "models"
    with container.uow() as uow:
        trained = prediction.train(uow, as_of, model_dir, now=container.clock.now()).as_json()
        cash = prediction.forecast(uow, as_of, model_dir=model_dir).as_json()
        ctx = risk.build(uow, as_of, rates=container.rates)
        scores = risk.score_all(uow, as_of, ctx=ctx).as_json()
        classes = [c.as_json() for c in risk.classify_all(uow, as_of, ctx=ctx)]
        recs = [r.as_json() for r in risk.recommend_all(uow, as_of, ctx=ctx, model_dir=model_dir)]
        behaviours = {c.code: c.behaviour for c in customer_refs(uow)}
        uow.commit()
    for name, data in (("forecast", cash), ("risk_scores", scores), ("classification", classes),
                       ("recommendations", recs)):
        _write(out_dir / f"{name}.json", data)
    summary = behaviour_table(behaviours, scores["scores"], classes, recs)
    _write(out_dir / "risk_vs_behaviour.json", summary)
    m = trained["metrics"]
    console.print(f"payment-date model: {trained['kind']} on {int(m.get('n_train', 0))} settled items, calibration "
                  f"coverage {m.get('calibration_coverage', float('nan')):.2f}; {len(scores['alerts'])} alerts")
    table = Table(title="Generator behaviour vs cobro's risk view")
    for col in ("behaviour", "n", "mean score", "grades", "classified as", "recommended"):
        table.add_column(col)
    for row in summary:
        table.add_row(row["behaviour"], str(row["customers"]), str(row["mean_score"]),
                      " ".join(f"{g}{n}" for g, n in row["grades"].items()),
                      ", ".join(f"{k} {v}" for k, v in row["classified"].items()),
                      ", ".join(f"{k} {v}" for k, v in row["actions"].items()) or "-")
    console.print(table)
    console.print(f"wrote forecast.json, risk_scores.json, classification.json, recommendations.json in {out_dir}")
