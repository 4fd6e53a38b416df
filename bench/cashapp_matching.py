"""Cash-application matching benchmark: labelled statement lines against a large open-item book.

    .venv/bin/python bench/cashapp_matching.py                   # 10k lines vs ~1M open items
    .venv/bin/python bench/cashapp_matching.py --customers 2000 --lines 2000 --items 10   # quick
    .venv/bin/python bench/cashapp_matching.py --camt out.xml    # also write the lines as camt.053

Definitions (per statement line; "paying" lines pay invoices in truth, "unrelated" lines pay none):
- auto: confidence >= threshold.  An auto-match is correct when customer and item set both equal the truth;
  any auto-match of an unrelated credit is wrong.
- handled correctly: a paying line auto-matched correctly, or an unrelated line NOT auto-matched (left for
  review / unapplied, which is the right outcome for it).  handled share = handled / all lines.
- strict recall = correct auto / paying lines.  precision = correct auto / auto.
- wrong-auto share = wrong auto / all lines.  review share = lines below the threshold / all lines.
- failure classes of a line not handled correctly: wrong_auto (auto-matched, wrong), review_right (below the
  threshold but the proposal is right), review_wrong_items (right customer, wrong items), review_wrong_customer,
  no_proposal (no customer found).
Targets (issue 7): 10k lines vs 1M open items in <= 10 s; >= 95 % auto-matched correctly; <= 0.5 % wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from cobro.cashapp.domain.matching import MatchIndex, Policy, match_lines
from cobro.demo.statements import MIXES, synth_ledger, synth_lines, to_camt053


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=50_000)
    ap.add_argument("--items", type=int, default=20, help="mean open items per customer")
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--threshold", default="0.85")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--mix", choices=sorted(MIXES), default="default", help="noise recipe (NoiseMix)")
    ap.add_argument("--camt", type=Path, help="also write the lines as a camt.053 file")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    t0 = time.perf_counter()
    mix = MIXES[args.mix]
    ledger = synth_ledger(args.customers, args.items, seed=args.seed, known_iban_share=mix.known_iban_share)
    lines, truth = synth_lines(ledger, args.lines, seed=args.seed + 1, mix=mix)
    t_gen = time.perf_counter() - t0
    if args.camt:
        args.camt.write_bytes(to_camt053(lines, account="ES9121000418450200051332", when=lines[0].booking_date))

    t1, c1 = time.perf_counter(), time.process_time()
    index = MatchIndex(ledger.items, ledger.customers)
    t_index, c_index = time.perf_counter() - t1, time.process_time() - c1
    t2, c2 = time.perf_counter(), time.process_time()
    matches = match_lines(lines, index, Policy(threshold=Decimal(args.threshold)))
    t_match, c_match = time.perf_counter() - t2, time.process_time() - c2

    auto = correct = wrong = review = handled = 0
    paying = sum(1 for t in truth.values() if t.customer_id is not None)
    per_kind: dict[str, Counter[str]] = {}
    failures: Counter[str] = Counter()
    for m in matches:
        t = truth[m.line_key]
        c = per_kind.setdefault(t.kind, Counter())
        c["lines"] += 1
        right_items = m.customer_id == t.customer_id and frozenset(m.items) == t.items
        if m.auto:
            auto += 1
            ok = t.customer_id is not None and right_items
            correct += ok
            wrong += not ok
            handled += ok
            c["correct" if ok else "wrong"] += 1
            cls = "" if ok else "wrong_auto"
        else:
            review += 1
            c["review"] += 1
            if t.customer_id is None:
                handled += 1
                c["handled_unrelated"] += 1
                cls = ""
            elif m.customer_id is None:
                cls = "no_proposal"
            elif right_items:
                cls = "review_right"
            elif m.customer_id == t.customer_id:
                cls = "review_wrong_items"
            else:
                cls = "review_wrong_customer"
        if cls:
            failures[cls] += 1
            c[cls] += 1
    n = len(lines)
    result = {
        "open_items": len(ledger.items), "customers": len(ledger.customers), "lines": n, "paying_lines": paying,
        "threshold": args.threshold, "seed": args.seed, "mix": args.mix,
        "seconds": {"generate": round(t_gen, 2), "index": round(t_index, 2), "match": round(t_match, 2),
                    "index_plus_match": round(t_index + t_match, 2)},
        # CPU seconds of this process: the honest number on a machine shared with other work
        "cpu_seconds": {"index": round(c_index, 2), "match": round(c_match, 2),
                        "index_plus_match": round(c_index + c_match, 2)},
        "handled_share": round(handled / n, 4),
        "strict_recall": round(correct / paying, 4) if paying else None,
        "precision": round(correct / auto, 4) if auto else None,
        "correct_auto_share": round(correct / n, 4), "wrong_auto_share": round(wrong / n, 4),
        "review_share": round(review / n, 4),
        "failures": dict(sorted(failures.items())),
        "per_kind": {k: dict(v) for k, v in sorted(per_kind.items())},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{n} lines vs {len(ledger.items)} open items of {len(ledger.customers)} customers "
          f"(threshold {args.threshold}, seed {args.seed}, mix {args.mix})")
    s = result["seconds"]
    c = result["cpu_seconds"]
    print(f"wall: index {s['index']} s + match {s['match']} s = {s['index_plus_match']} s  (generation {s['generate']} s)")
    print(f"cpu:  index {c['index']} s + match {c['match']} s = {c['index_plus_match']} s")
    print(f"handled correctly {result['handled_share']}  strict recall {result['strict_recall']}  "
          f"precision {result['precision']}  correct auto {result['correct_auto_share']}  "
          f"wrong auto {result['wrong_auto_share']}  review {result['review_share']}")
    print("failure classes:", result["failures"])
    cols = ["lines", "correct", "wrong", "review", "review_right", "review_wrong_items", "review_wrong_customer",
            "no_proposal"]
    print(f"{'kind':<12} " + " ".join(f"{h[:14]:>14}" for h in cols))
    for kind, k in result["per_kind"].items():  # type: ignore[union-attr]
        print(f"{kind:<12} " + " ".join(f"{k.get(h, 0):>14}" for h in cols))


if __name__ == "__main__":
    main()
