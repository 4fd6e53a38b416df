"""Rewrite the permission matrix in docs/permissions.md from the code (`cobro.identity.domain.MATRIX`).

Run after changing the matrix: `.venv/bin/python scripts/permissions_doc.py`; tests/unit/identity checks the doc.
"""

from __future__ import annotations

import re
from pathlib import Path

from cobro.identity.domain import permission_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "permissions.md"
START, END = "<!-- matrix:start (scripts/permissions_doc.py) -->", "<!-- matrix:end -->"


def render(text: str) -> str:
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    return pattern.sub(lambda _: f"{START}\n{permission_table()}\n{END}", text)


if __name__ == "__main__":
    DOC.write_text(render(DOC.read_text(encoding="utf-8")), encoding="utf-8")
