"""Financial statements as the PGC prints them (issue 13, item 9); every file is written here.

Bracketed negatives with thousand dots (`(25.000)`), `-` for a nil line, and the balance sheet and P&L laid out
with a line per row and the current and previous year as columns ("2025"/"2024", "31/12/2025", "Ejercicio N" /
"Ejercicio N-1" dated by a "Fecha de cierre" row or the caller's year)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cobro.solvency.domain import FinancialStatement
from cobro.solvency.model.pgc_layout import line_name
from cobro.solvency.model.statements_import import read_statements

PGC = """Concepto;{current};{previous}
NIF;B12345674;
A) ACTIVO NO CORRIENTE;500.000;480.000
B) ACTIVO CORRIENTE;700.000;650.000
II. Existencias;150.000;140.000
III. Deudores comerciales y otras cuentas a cobrar;300.000;280.000
1. Clientes por ventas y prestaciones de servicios;290.000;270.000
VII. Efectivo y otros activos líquidos equivalentes;80.000;90.000
TOTAL ACTIVO (A + B);1.200.000;1.130.000
A) PATRIMONIO NETO;520.000;480.000
A-1) Fondos propios;520.000;480.000
III. Reservas;300.000;270.000
B) PASIVO NO CORRIENTE;230.000;220.000
C) PASIVO CORRIENTE;450.000;430.000
V. Acreedores comerciales y otras cuentas a pagar;260.000;250.000
1. Proveedores;200.000;190.000
1. Importe neto de la cifra de negocios;1.900.000;1.800.000
4. Aprovisionamientos;(1.100.000);(1.050.000)
8. Amortización del inmovilizado;(40.000);-
A.1) RESULTADO DE EXPLOTACIÓN (1+2+3+4+5+6+7+8+9+10+11+12+13);140.000;130.000
13. Gastos financieros;(25.000);(27.000)
A.5) RESULTADO DEL EJERCICIO (A.4 + 17);95.000;88.000
"""


def write(tmp: Path, text: str, name: str = "cuentas.csv") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def test_pgc_numbering_and_formulas_are_set_aside() -> None:
    assert line_name("A.1) RESULTADO DE EXPLOTACIÓN (1+2+3+4+5+6+7+8+9+10+11+12+13)") == "RESULTADO DE EXPLOTACIÓN"
    assert line_name("TOTAL ACTIVO (A + B)") == "TOTAL ACTIVO"
    assert line_name("A-1) Fondos propios") == "Fondos propios"
    assert line_name("VII. Efectivo y otros activos líquidos equivalentes") == \
        "Efectivo y otros activos líquidos equivalentes"
    assert line_name("13. Gastos financieros") == "Gastos financieros"


def test_two_year_columns_give_two_statements(tmp_path: Path) -> None:
    items, problems = read_statements(write(tmp_path, PGC.format(current="2025", previous="2024")))
    assert not [p for p in problems if p.severity == "error"], problems
    assert [(i.customer, i.statement.year, i.year_column) for i in items] == [
        ("B12345674", 2024, "2024"), ("B12345674", 2025, "2025")]
    current = items[1].statement
    assert current == FinancialStatement(
        year=2025, total_assets=1_200_000, current_assets=700_000, fixed_assets=500_000, inventory=150_000,
        receivables=300_000, cash=80_000, current_liabilities=450_000, non_current_liabilities=230_000,
        payables=260_000, equity=520_000, retained_earnings=300_000, sales=1_900_000, cost_of_sales=-1_100_000,
        ebit=140_000, interest_expense=-25_000, net_income=95_000, depreciation=-40_000)
    assert items[0].statement.depreciation == 0.0  # "-" is the PGC's nil, not a missing figure
    (years,) = [p for p in problems if p.code == "years"]
    assert "'2025' as 2025; '2024' as 2024" in years.message and "latest year (2025) is the current one" in \
        years.message
    assert not [p for p in problems if p.code == "decimal"]  # 1.200.000 proves the dots group thousands
    assert items[1].where("interest_expense") == (21, "2025")  # a bad figure would be named by row and column


@pytest.mark.parametrize(("current", "previous"), [("31/12/2025", "31/12/2024"), ("Ejercicio 2025", "Ejercicio 2024")])
def test_year_columns_headed_by_date_or_exercise(tmp_path: Path, current: str, previous: str) -> None:
    items, _ = read_statements(write(tmp_path, PGC.format(current=current, previous=previous)))
    assert [i.statement.year for i in items] == [2024, 2025]


def test_n_and_n_minus_1_are_dated_by_the_statement_date(tmp_path: Path) -> None:
    text = PGC.format(current="Ejercicio N", previous="Ejercicio N-1")
    items, problems = read_statements(write(tmp_path, text))
    errors = [(p.row, p.column, p.code) for p in problems if p.severity == "error"]
    assert errors == [(1, "Ejercicio N", "invalid_year"), (1, "Ejercicio N-1", "invalid_year")] and not items
    dated = text.replace("NIF;B12345674;\n", "NIF;B12345674;\nFecha de cierre;31/12/2025;\n")
    items, problems = read_statements(write(tmp_path, dated))
    assert [i.statement.year for i in items] == [2024, 2025]
    (years,) = [p for p in problems if p.code == "years"]
    assert "'Ejercicio N' as 2025 (statement date in the file: 2025)" in years.message
    items, _ = read_statements(write(tmp_path, text), statement_year=2026)  # or the caller's year
    assert [i.statement.year for i in items] == [2025, 2026]


def test_a_statement_without_customer_needs_one(tmp_path: Path) -> None:
    text = PGC.format(current="2025", previous="2024").replace("NIF;B12345674;\n", "")
    items, problems = read_statements(write(tmp_path, text))
    assert not items and [p.code for p in problems if p.severity == "error"] == ["missing_column"]
    items, _ = read_statements(write(tmp_path, text), customer="C001")
    assert {i.customer for i in items} == {"C001"}


def test_a_bad_figure_names_the_line_row_and_year_column(tmp_path: Path) -> None:
    text = PGC.format(current="2025", previous="2024").replace("(25.000);(27.000)", "(25.000);27.0O0")
    text = text.replace("TOTAL ACTIVO (A + B);1.200.000;1.130.000\n", "TOTAL ACTIVO (A + B);1.200.000;1.130.000\n;;\n\n")
    _, problems = read_statements(write(tmp_path, text))
    (err,) = [p for p in problems if p.code == "not_numeric"]
    assert (err.file, err.row, err.column) == ("cuentas.csv", 23, "2024")  # the file's line, blank lines counted


def test_row_per_year_files_read_brackets_dashes_and_spanish_thousands(tmp_path: Path) -> None:
    text = ("Cliente;Ejercicio;Activo total;Gastos financieros;Existencias;Resultado de explotación\n"
            "C001;2025;300.000;(25.000);-;40.000\n")
    (item,), problems = read_statements(write(tmp_path, text))
    s = item.statement
    assert (s.total_assets, s.interest_expense, s.inventory, s.ebit) == (300_000, -25_000, 0.0, 40_000)
    (decimal,) = problems  # no figure proves the mark: the Spanish names decide, and the warning says so
    assert decimal.code == "decimal" and "'.' is read as the thousands separator" in decimal.message
    english = read_statements(write(tmp_path, "customer,year,total_assets,ebit\nC1,2025,300.5,-\n"))[0][0]
    assert (english.statement.total_assets, english.statement.ebit) == (300.5, 0.0)


def test_years_side_by_side_in_a_row_per_customer_file(tmp_path: Path) -> None:
    text = ("Cliente;Activo total 2025;Activo total 2024;Gastos financieros (2025);Gastos financieros (2024);"
            "Patrimonio neto\nC001;1.200.000;1.130.000;(25.000);(27.000);520.000\n")
    items, problems = read_statements(write(tmp_path, text))
    assert [(i.customer, i.statement.year, i.statement.total_assets, i.statement.interest_expense,
             i.statement.equity) for i in items] == [("C001", 2024, 1_130_000, -27_000, None),
                                                     ("C001", 2025, 1_200_000, -25_000, 520_000)]
    (years,) = [p for p in problems if p.code == "years"]
    assert years.message == ("one statement per year: 'Activo total 2024', 'Gastos financieros (2024)' as 2024; "
                             "'Activo total 2025', 'Gastos financieros (2025)' as 2025; the columns without a year "
                             "('Patrimonio neto') as 2025, the latest")
    relative = text.replace(" 2025", " N").replace(" 2024", " N-1").replace("(2025)", "(N)").replace("(2024)", "(N-1)")
    items, problems = read_statements(write(tmp_path, relative))
    assert not items and [p.code for p in problems if p.severity == "error"] == ["invalid_year"]
    items, _ = read_statements(write(tmp_path, relative), statement_year=2025)
    assert [(i.statement.year, i.statement.total_assets) for i in items] == [(2024, 1_130_000), (2025, 1_200_000)]
