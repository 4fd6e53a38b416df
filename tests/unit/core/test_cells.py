"""The export-cell rule (`cobro.kernel.cells`): text that a spreadsheet would run is quoted, numbers stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from cobro.kernel.cells import as_number, csv_writer, neutralise_workbook, safe_cell

HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1", "-2+3", "\t=1", "\r=1", "=cmd|' /C calc'!A0", "-2", "-"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_would_run_is_quoted(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["ACME S.L.", "O'Brien", " =1 (a space first)", "", "1,5", "#1", None,
                                   dt.date(2025, 1, 2), 0, -2, Decimal("-1234.56"), -0.5])
def test_everything_else_passes_unchanged(value: object) -> None:
    assert safe_cell(value) is value


def test_as_number_turns_only_decimal_strings_into_numbers() -> None:
    assert as_number("-1234.56") == Decimal("-1234.56") and isinstance(as_number("12"), Decimal)
    assert as_number("1e-05") == Decimal("0.00001")
    for text in ("+1", "-2+3", "1,5", "12abc", "", "-", " 1"):
        assert as_number(text) == text


def test_csv_writer_quotes_text_and_keeps_negative_amounts() -> None:
    buf = io.StringIO()
    csv_writer(buf, lineterminator="\n").writerows([["name", "amount"], *([t, Decimal("-2.50")] for t in HOSTILE)])
    rows = list(csv.reader(io.StringIO(buf.getvalue(), newline="")))
    assert rows[0] == ["name", "amount"]
    assert all(r[0].startswith("'") and r[0][1:] == t for r, t in zip(rows[1:], HOSTILE, strict=True))
    assert {r[1] for r in rows[1:]} == {"-2.50"}
    assert '"\'\r=1"' in buf.getvalue()  # the bare CR is inside quotes: no line break before "=1"


def test_a_line_break_inside_a_name_cannot_start_a_cell() -> None:
    buf = io.StringIO()
    csv_writer(buf, lineterminator="\n").writerow(["ACME\r=1+1", Decimal("5")])
    assert buf.getvalue() == '"ACME\r=1+1","5"\n'


def test_workbook_cells_become_text_not_formulas(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for text in HOSTILE:
        ws.append([text, -2.5, Decimal("-3")])
    assert ws["A1"].data_type == "f"  # what openpyxl makes of "=..." unless told otherwise
    assert neutralise_workbook(wb) == len(HOSTILE)
    wb.save(tmp_path / "x.xlsx")
    back = load_workbook(tmp_path / "x.xlsx").active
    assert back is not None
    for row, text in zip(back.iter_rows(), HOSTILE, strict=True):
        assert row[0].data_type == "s" and row[0].value == "'" + text
        assert row[1].data_type == "n" and row[1].value == -2.5 and row[2].value == -3
