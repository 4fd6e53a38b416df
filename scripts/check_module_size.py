"""Warn about modules over the soft cap (about 400 lines); fail only far beyond it (600)."""

from __future__ import annotations

import sys
from pathlib import Path

SOFT, HARD = 400, 600


def main() -> int:
    root = Path(__file__).resolve().parents[1] / "src" / "cobro"
    worst = 0
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        lines = sum(1 for _ in path.open(encoding="utf-8"))
        if lines > SOFT:
            print(f"{'error' if lines > HARD else 'warning'}: {path.relative_to(root.parent)} has {lines} lines")
        worst = max(worst, lines)
    return 1 if worst > HARD else 0


if __name__ == "__main__":
    sys.exit(main())
