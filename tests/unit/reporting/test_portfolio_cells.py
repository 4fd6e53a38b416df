"""`cobro analyze` XLSX (issue 14, break 6): customer names from the debtor's file never become live formulas."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from cobro.reporting.portfolio.analysis import Options, analyze
from cobro.reporting.portfolio.render import write_report
from tests.unit.reporting.test_portfolio import RATES, TODAY, frame

HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1", "-2+3", "\t=1", "=cmd|' /C calc'!A0"]


def test_analyze_xlsx_quotes_customer_names_and_keeps_numbers(tmp_path: Path) -> None:
    rows = [(f"F{n}", name, "2024-01-15", "2024-02-15", f"{1000 + 100 * n}.00", None)
            for n, name in enumerate(HOSTILE)]
    p = analyze(frame(rows), Options(as_of=dt.date(2024, 6, 30)), rates=RATES, today=TODAY)
    out = tmp_path / "r.xlsx"
    write_report(p, out, "en")
    cells = [c for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if c.data_type == "s"]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    for name in HOSTILE:  # each name is in the report (priorities, concentration), quoted
        assert "'" + name in texts, name
    numbers = [c.value for c in cells if c.data_type == "n"]
    assert any(v == 1500 for v in numbers)  # the amounts are numbers a spreadsheet sums
