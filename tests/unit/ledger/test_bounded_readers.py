"""The CSV and XLSX readers refuse what would cost unbounded memory or time, naming file, row and limit.

Each hostile file is generated (tests/hostile.py) against the default limits; lowered limits are used only where
the point is that the setting is the one obeyed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pytest

from cobro.kernel.errors import InvalidInputError
from cobro.kernel.limits import DEFAULT_LIMITS
from cobro.ledger.imports.readers import check_xlsx, locate_csv_problem, open_csv, open_table, scan_text
from tests import hostile


def _rows(path: Path, **options: str) -> list[tuple[int, list[object]]]:
    return list(open_table(path, dict(options)).rows)


def test_an_xlsx_that_inflates_past_the_total_limit_is_refused_as_it_inflates(tmp_path: Path) -> None:
    bomb = hostile.xlsx_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 4 * 1024 * 1024
    with pytest.raises(InvalidInputError, match=r"bomb\.xlsx: xl/worksheets/sheet1\.xml: inflates to more than "
                                                r"\d+ bytes .*limit_xlsx_total_bytes"):
        open_table(bomb)


def test_the_total_limit_is_the_settings_value(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    for i in range(2000):
        book.active.append([f"F{i}", "C1", "x" * 200])
    book.save(tmp_path / "big.xlsx")
    small = dataclasses.replace(DEFAULT_LIMITS, xlsx_total_bytes=100_000)
    with pytest.raises(InvalidInputError, match="inflates to more than"):
        check_xlsx(tmp_path / "big.xlsx", small)
    check_xlsx(tmp_path / "big.xlsx")  # the same file inside the default limits


def test_shared_strings_are_capped_tighter_than_sheets(tmp_path: Path) -> None:
    path = hostile.xlsx_shared_strings_bomb(tmp_path / "strings.xlsx")
    with pytest.raises(InvalidInputError, match=r"strings\.xlsx: xl/sharedStrings\.xml: inflates to more than "
                                                r"67108864 bytes .*limit_xlsx_part_bytes"):
        open_table(path)


@pytest.mark.parametrize(("make", "message"), [
    (hostile.xlsx_wide_row, r"a row reaches column \d+ \(limit 16384"),
    (hostile.xlsx_wide_row_unreferenced, r"a row reaches column 16484 \(limit 16384"),
    (hostile.xlsx_far_row, r"999999999 rows x 7 columns is more than 50000000 cells"),
])
def test_rows_times_columns_are_counted_in_the_sheet_before_openpyxl_pads_them(tmp_path: Path, make: object,
                                                                              message: str) -> None:
    path = make(tmp_path / "sheet.xlsx")  # type: ignore[operator]
    with pytest.raises(InvalidInputError, match=rf"sheet\.xlsx: xl/worksheets/sheet1\.xml: {message}"):
        open_table(path)


def test_an_ordinary_workbook_still_reads_with_a_lying_dimension(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["invoice_number", "amount"])
    book.active.append(["F1", 10])
    book.save(tmp_path / "ok.xlsx")
    assert _rows(tmp_path / "ok.xlsx") == [(2, ["F1", 10])]


def test_a_50_mb_line_is_refused_by_its_length_naming_the_row(tmp_path: Path) -> None:
    path = hostile.csv_one_long_line(tmp_path / "long.csv")
    with pytest.raises(InvalidInputError, match=r"long\.csv: row 2: line longer than 1048576 bytes"):
        open_table(path)


def test_a_field_longer_than_the_field_limit_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "field.csv"
    path.write_text("a,b\n1,2\n3,\"" + "x\n" * 2000 + "\"\n", encoding="utf-8")
    tight = dataclasses.replace(DEFAULT_LIMITS, csv_field_bytes=1000)
    with pytest.raises(InvalidInputError, match=r"field\.csv: row 3: a field is longer than 1000 characters"):
        list(open_csv(path, limits=tight).rows)
    assert len(list(open_csv(path).rows)) == 2  # within the default limit the multi-line field is fine


def test_an_unclosed_quote_is_located_by_the_strict_reader(tmp_path: Path) -> None:
    path = hostile.csv_unclosed_quote(tmp_path / "quote.csv", rows=20)
    expected = "row 3: a quote opened in this row is never closed (the file ends inside it)"
    assert locate_csv_problem(path, "utf-8", ",") == expected


def test_a_nul_byte_is_refused_naming_its_row(tmp_path: Path) -> None:
    path = hostile.csv_nul_byte(tmp_path / "nul.csv")
    with pytest.raises(InvalidInputError, match=r"nul\.csv: cannot decode: row 2 holds a NUL byte"):
        open_table(path)


def test_a_file_that_is_not_utf8_as_a_whole_is_cp1252_with_a_warning_naming_rows(tmp_path: Path) -> None:
    path = hostile.csv_mixed_encoding(tmp_path / "mixed.csv")
    table = open_table(path)
    assert table.encoding == "cp1252"
    [warning] = table.warnings
    assert warning.severity == "warning" and warning.file == "mixed.csv" and warning.row == 2
    assert "rows 2, 3" in warning.message and "options.encoding" in warning.message


def test_a_utf8_file_has_no_encoding_warning_and_options_encoding_forces(tmp_path: Path) -> None:
    utf8 = tmp_path / "utf8.csv"
    utf8.write_text("name\nPEÑA\n", encoding="utf-8")
    assert open_table(utf8).warnings == []
    assert _rows(utf8) == [(2, ["PEÑA"])]
    mixed = hostile.csv_mixed_encoding(tmp_path / "mixed.csv")
    forced = open_table(mixed, {"encoding": "cp1252"})
    assert forced.encoding == "cp1252" and forced.warnings == []  # chosen, not guessed: nothing to warn about
    with pytest.raises(InvalidInputError, match=r"mixed\.csv: row 3: cannot decode as utf-8 \(options\.encoding\)"):
        open_table(mixed, {"encoding": "utf-8"})


def test_the_scan_lists_at_most_five_rows(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_bytes(b"name\n" + b"Mu\xf1oz\n" * 50)
    assert scan_text(path).non_ascii_rows == (2, 3, 4, 5, 6)
