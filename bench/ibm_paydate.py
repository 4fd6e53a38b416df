"""Rolling-origin benchmark of cobro's payment-date model on the shared IBM AR sample.

Protocol (../shared/data/ibm-ar/README.md): at each cutoff T, train on invoices issued and settled before T
and test on the invoices issued in the next 3 months, customer history frozen at T.  The README's baselines
are recomputed in the same run (and checked against its published rolling-origin table, which validates
the protocol).  The open-book cash forecast is backtested at the same cutoffs.  Finally the model is
trained on everything before 2013-07-01 (its test set is held back by the maintainers: no score here).

    .venv/bin/python bench/ibm_paydate.py [--data FILE] [--mapping YAML] [--json] [--save-model PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from cobro.forecasting.forecast import backtest
from cobro.forecasting.paydate.evaluate import evaluate_split, format_table
from cobro.forecasting.paydate.model import fit
from cobro.ledger.imports.frame import read_ledger_frame

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "ibm-ar" / "ibm-ar-until-2013-06-30.csv"
MAPPING = ROOT / "examples" / "mappings" / "ibm-ar.yaml"
SPLITS = ((date(2013, 1, 1), date(2013, 4, 1)), (date(2013, 4, 1), date(2013, 7, 1)))
FINAL_CUTOFF = date(2013, 7, 1)
# README rolling-origin table (reproducible rows) and held-back reference numbers.
PUBLISHED: dict[str, dict[str, float]] = {
    "2013-01-01": {"n_train": 1178, "n_test": 317, "B0 mae": 10.99, "B1 mae": 6.74, "B1b mae": 6.61,
                   "late-rate auc": 0.872, "always-on-time acc": 0.634, "late-rate acc": 0.798},
    "2013-04-01": {"n_train": 1500, "n_test": 336, "B0 mae": 10.94, "B1 mae": 6.79, "B1b mae": 6.61,
                   "late-rate auc": 0.886, "always-on-time acc": 0.670, "late-rate acc": 0.836},
}
HELD_BACK = {"B1b mae": 6.42, "late-rate auc": 0.850, "global q10-q90 coverage": 0.785,
             "global width": 31.5, "B2 weekly WAPE": 0.168}


def _measured(result: dict[str, Any]) -> dict[str, float]:
    r = result["rows"]
    return {
        "n_train": result["n_train"], "n_test": result["n_test"], "B0 mae": r["B0 due date"]["mae"],
        "B1 mae": r["B1 customer mean"]["mae"], "B1b mae": r["B1b customer median"]["mae"],
        "late-rate auc": r["late-rate"]["auc"], "always-on-time acc": r["always on time (constant rate)"]["accuracy"],
        "late-rate acc": r["late-rate"]["accuracy"],
    }


def protocol_check(result: dict[str, Any]) -> tuple[bool, list[str]]:
    """Compare recomputed baselines with the README's rolling-origin row (to its printed precision)."""
    ref = PUBLISHED.get(result["cutoff"])
    if ref is None:
        return True, []
    got = _measured(result)
    bad = [f"{k}: measured {got[k]:.3f}, README {v}" for k, v in ref.items()
           if abs(got[k] - v) > (0.5 if k.startswith("n_") else 0.006)]
    return not bad, bad


def targets(result: dict[str, Any]) -> dict[str, bool]:
    r = result["rows"]
    c = r["cobro"]
    return {
        "MAE below B1b": c["mae"] < r["B1b customer median"]["mae"],
        "AUC above late-rate": c["auc"] > r["late-rate"]["auc"],
        "coverage 0.80 +/- 0.03": abs(c["coverage"] - 0.80) <= 0.03,
        "width below global": c["width"] < r["global quantiles"]["width"],
        "weekly WAPE below B2": c["cash_wape"] < r["B2 customer delay distribution"]["cash_wape"],
    }


def run(data: Path, mapping: Path, save_model: Path | None) -> dict[str, Any]:
    frame = read_ledger_frame(data, mapping)
    out: dict[str, Any] = {"data": str(data), "splits": [], "published_held_back": HELD_BACK}
    for cutoff, end in SPLITS:
        t0 = time.perf_counter()
        result = evaluate_split(frame, cutoff, end)
        ok, problems = protocol_check(result)
        result |= {"seconds": round(time.perf_counter() - t0, 2), "protocol_matches_readme": ok,
                   "protocol_mismatches": problems, "targets": targets(result)}
        out["splits"].append(result)
    out["cash_backtest"] = backtest(frame, [c for c, _ in SPLITS], horizon_weeks=13)
    model = fit(frame, FINAL_CUTOFF)
    out["final_model"] = {"trained_until": FINAL_CUTOFF.isoformat(), "kind": model.kind,
                          "metrics": model.metrics, "message": model.message}
    if save_model is not None:
        model.save(save_model)
        out["final_model"]["saved_to"] = str(save_model)
    return out


def print_report(out: dict[str, Any]) -> None:
    for result in out["splits"]:
        print(format_table(result))
        status = "matches" if result["protocol_matches_readme"] else "DOES NOT match"
        print(f"baselines {status} the README rolling-origin row {PUBLISHED.get(result['cutoff'], {})}")
        for problem in result["protocol_mismatches"]:
            print(f"  mismatch: {problem}")
        print("targets: " + ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in result["targets"].items()))
        print(f"({result['seconds']} s)\n")
    print("open-book cash backtest (13 weeks from each cutoff, W-SUN weeks):")
    for row in out["cash_backtest"]:
        print(f"  {row['cutoff']} {row['currency']}: open {row['n_open']}, WAPE {row['wape']:.3f}, "
              f"weekly MAE {row['weekly_mae']:.2f}, p10-p90 band coverage {row['band_coverage']:.2f} "
              f"over {row['n_weeks']} weeks")
    fm = out["final_model"]
    print(f"\nfinal model trained until {fm['trained_until']}: {fm['kind']} {fm['metrics']}")
    print(f"README numbers on the held-back set (cobro cannot be scored on it here): {out['published_held_back']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--mapping", type=Path, default=MAPPING)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--save-model", type=Path)
    args = parser.parse_args()
    if not args.data.exists():
        print(f"data file not found: {args.data}", file=sys.stderr)
        return 2
    out = run(args.data, args.mapping, args.save_model)
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print_report(out)
    return 0 if all(s["protocol_matches_readme"] for s in out["splits"]) else 1


if __name__ == "__main__":
    sys.exit(main())
