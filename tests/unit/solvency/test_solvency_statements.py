"""Statement import: synonyms (incl. Spanish PGC), number formats, problems, XLSX."""

from __future__ import annotations

from pathlib import Path

import pytest

from cobro.solvency.model.statements_import import canonical_column, parse_number, read_statements


@pytest.mark.parametrize(("header", "field"), [
    ("Activo corriente", "current_assets"), ("PASIVO_CORRIENTE", "current_liabilities"),
    ("Patrimonio neto", "equity"), ("Resultado de explotación", "ebit"),
    ("Importe neto de la cifra de negocios", "sales"), ("importe_neto_cifra_negocios", "sales"),
    ("Total assets", "total_assets"), ("Ejercicio", "year"), ("Año", "year"), ("unknown thing", None),
])
def test_synonyms(header: str, field: str | None) -> None:
    assert canonical_column(header) == field


@pytest.mark.parametrize(("text", "value"), [
    ("1.234,56", 1234.56), ("1,234.56", 1234.56), ("(1.234,5)", -1234.5), ("-12", -12.0),
    ("1,5", 1.5), ("1 234 567", 1234567.0), ("2.000.000", 2_000_000.0), ("€ 300", 300.0),
])
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


def test_problems_name_file_row_column(tmp_path: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text("customer,year,total_assets,equity,color\nA,2023,100,abc,red\nA,2024,120,50,blue\n")
    stmts, problems = read_statements(f)
    assert len(stmts) == 2 and stmts[0].statement.equity is None and stmts[1].statement.equity == 50
    err = next(p for p in problems if p.code == "not_numeric")
    assert (err.file, err.row, err.column) == ("s.csv", 2, "equity")
    assert any(p.code == "unknown_column" and "color" in p.message for p in problems)


def test_no_known_columns(tmp_path: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text("a,b\n1,2\n")
    stmts, problems = read_statements(f)
    assert stmts == [] and problems[-1].code == "missing_column"


def test_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Cliente", "Ejercicio", "Activo total", "Pasivo corriente", "Activo corriente"])
    ws.append(["ACME", 2023, 1000, 300, 450.5])
    f = tmp_path / "s.xlsx"
    wb.save(f)
    stmts, problems = read_statements(f)
    assert not [p for p in problems if p.severity == "error"]
    s = stmts[0]
    assert s.customer == "ACME" and s.statement.year == 2023 and s.statement.current_assets == 450.5


def test_decimal_mark_inferred_per_file(tmp_path: Path) -> None:
    f = tmp_path / "es.csv"
    f.write_text("cliente;activo_total;activo_corriente\nA;1.000.000;500.000\nB;12,50;3\n")
    stmts, _ = read_statements(f)
    assert stmts[0].statement.current_assets == 500_000.0
    assert stmts[1].statement.total_assets == 12.5


@pytest.mark.parametrize(("text", "says"), [
    ("1e30", "contains 'e'"), ("12abc34", "contains 'a'"), ("15%", "contains '%'"), ("--5", "more than one sign"),
    ("1.234,5.6", "more than once"), ("(25.000)", "ambiguous"), ("\u0661\u0662", "digits 0-9"),
])
def test_hostile_figures_are_refused_with_the_reason(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=None) as info:
        parse_number(text)
    assert says in str(info.value)


def test_pgc_brackets_with_the_files_decimal_comma() -> None:
    assert parse_number("(25.000)", ",") == -25000.0
    assert parse_number("1.234", ",") == 1234.0
    with pytest.raises(ValueError, match="does not group three digits"):
        parse_number("55,94", ".")


def test_a_misread_figure_is_a_problem_naming_row_and_column(tmp_path: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text("customer;year;total_assets;equity\nA;2023;1.234.567;1e30\n", encoding="utf-8")
    _stmts, problems = read_statements(f)
    (err,) = [p for p in problems if p.code == "not_numeric"]
    assert (err.row, err.column) == (2, "equity") and "contains 'e'" in err.message
