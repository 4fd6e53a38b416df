"""Read debtors' financial statements from CSV or XLSX: one row per customer × fiscal year.

Column names are matched case- and accent-insensitively against synonyms (English, and the Spanish PGC
names of the *modelos de cuentas anuales*).  Unknown columns are ignored (reported once as a warning).
Numbers may be written ``1234.5``, ``1,234.5``, ``1.234,5`` or ``(1.234)`` for negatives; the decimal
mark is inferred once per file from unambiguous cells (``1.234.567``, ``1.234,5``, ``12,50`` → Spanish), so a
lone ``500.000`` in a Spanish file is 500000; when no cell proves a mark and the names are Spanish (PGC), ``.``
groups thousands (said in a warning).  An empty cell (or ``n/a``, ``?``) is missing; ``-`` (the PGC's nil) is 0.
Anything else becomes a `Problem` with file, row and column, and the cell is left missing.  A file printed as the
PGC prints it — a line per row, the current and previous year as columns — is read by `pgc_layout`."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cobro.kernel.amounts import AmountError
from cobro.kernel.amounts import parse_number as grammar_number
from cobro.kernel.errors import Problem
from cobro.solvency.domain import FinancialStatement

SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer": ("customer", "customer_id", "client", "cliente", "debtor", "deudor", "company", "empresa",
                 "razon_social", "nif", "cif", "tax_id", "name"),
    "year": ("year", "fiscal_year", "ejercicio", "ano", "anio", "periodo", "period"),
    "total_assets": ("total_assets", "activo_total", "total_activo", "activo"),
    "current_assets": ("current_assets", "activo_corriente", "activo_circulante"),
    "fixed_assets": ("fixed_assets", "non_current_assets", "activo_no_corriente", "inmovilizado"),
    "inventory": ("inventory", "inventories", "stock", "existencias"),
    "receivables": ("receivables", "trade_receivables", "accounts_receivable", "deudores_comerciales",
                    "clientes", "deudores_comerciales_y_otras_cuentas_a_cobrar", "clientes_por_ventas"),
    "cash": ("cash", "cash_and_equivalents", "tesoreria", "efectivo",
             "efectivo_y_otros_activos_liquidos_equivalentes"),
    "current_liabilities": ("current_liabilities", "short_term_liabilities", "pasivo_corriente",
                            "pasivo_circulante"),
    "non_current_liabilities": ("non_current_liabilities", "long_term_liabilities", "pasivo_no_corriente"),
    "total_liabilities": ("total_liabilities", "pasivo_exigible", "total_pasivo_exigible", "deuda_total"),
    "payables": ("payables", "trade_payables", "accounts_payable", "acreedores_comerciales", "proveedores",
                 "acreedores_comerciales_y_otras_cuentas_a_pagar"),
    "equity": ("equity", "book_equity", "net_worth", "shareholders_equity", "patrimonio_neto",
               "fondos_propios"),
    "retained_earnings": ("retained_earnings", "reservas", "reserves", "resultados_acumulados",
                          "reservas_y_resultados_de_ejercicios_anteriores"),
    "sales": ("sales", "revenue", "turnover", "net_sales", "importe_neto_cifra_negocios",
              "importe_neto_de_la_cifra_de_negocios", "cifra_de_negocios", "ventas", "ingresos"),
    "cost_of_sales": ("cost_of_sales", "cogs", "cost_of_goods_sold", "aprovisionamientos", "coste_ventas",
                      "coste_de_las_ventas"),
    "ebit": ("ebit", "operating_income", "operating_profit", "resultado_explotacion",
             "resultado_de_explotacion", "beneficio_explotacion"),
    "interest_expense": ("interest_expense", "financial_expenses", "gastos_financieros", "intereses"),
    "net_income": ("net_income", "net_profit", "profit", "resultado_ejercicio", "resultado_del_ejercicio",
                   "beneficio_neto"),
    "depreciation": ("depreciation", "amortization", "d_and_a", "amortizacion_del_inmovilizado",
                     "amortizacion", "amortizaciones"),
}
@dataclass(frozen=True, slots=True)
class ImportedStatement:
    customer: str
    statement: FinancialStatement
    source_row: int  # 1-based data row (the header is row 1, so the first data row is row 2)
    # a file laid out by year columns (`pgc_layout`): where each line's figure is, as (line, row, column)
    cells: tuple[tuple[str, int, str], ...] = ()
    year_column: str = ""

    @property
    def by_year_columns(self) -> bool:
        return bool(self.year_column)

    def where(self, line: str) -> tuple[int, str] | None:
        """(row, column) of `line`'s figure in a file laid out by year columns; None in a row-per-year file."""
        return next(((row, col) for name, row, col in self.cells if name == line), None)


_STOPWORDS = {"de", "del", "la", "las", "los", "el", "y", "e", "of", "and", "the", "total"}


def normalise_header(name: str) -> str:
    """``"Importe neto de la cifra de negocios"`` → ``"importe_neto_cifra_negocios"``."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w and w not in _STOPWORDS]
    return "_".join(words)


_LOOKUP = {normalise_header(alias): canon for canon, aliases in SYNONYMS.items() for alias in aliases}


def canonical_column(name: str) -> str | None:
    """The `FinancialStatement` field (or customer/year) a column header means, if any."""
    return _LOOKUP.get(normalise_header(name))


_COMMA_DECIMAL = re.compile(r"(\d\.\d{3}\.)|(\.\d{3},)|(,\d{1,2}\)?$)")
_DOT_DECIMAL = re.compile(r"(\d,\d{3},)|(,\d{3}\.)|(\.\d{1,2}\)?$)")


# words of the Spanish PGC names: a file whose columns (or lines) carry them writes numbers the Spanish way
_SPANISH_WORDS = {"activo", "pasivo", "patrimonio", "existencias", "tesoreria", "efectivo", "deudores", "acreedores",
                  "proveedores", "reservas", "resultado", "resultados", "importe", "cifra", "negocios", "ventas",
                  "ingresos", "aprovisionamientos", "coste", "gastos", "financieros", "intereses", "amortizacion",
                  "amortizaciones", "inmovilizado", "fondos", "beneficio", "ejercicio", "cliente", "clientes",
                  "empresa", "deudor", "razon"}
NIL = ("-", "\u2013", "\u2014", "--")  # how the PGC prints a line that is nil: zero, not missing
MISSING = ("", "n/a", "N/A", "NA", "?")


def spanish(labels: list[str]) -> bool:
    return any(set(normalise_header(t).split("_")) & _SPANISH_WORDS for t in labels if canonical_column(t)
               or canonical_column(_line_name(t)))


def _line_name(label: str) -> str:
    from cobro.solvency.model.pgc_layout import line_name

    return line_name(label)


def file_decimal(cells: list[str], labels: list[str], filename: str, problems: list[Problem]) -> str | None:
    """The file's decimal mark: from the figures that prove one, else "," under Spanish names (said in a
    warning: the PGC groups thousands with dots, `(25.000)` is minus twenty-five thousand), else None."""
    found = infer_decimal(cells)
    if found is None and spanish(labels) and any(re.search(r"\d\.\d{3}(?!\d)", c) for c in cells):
        problems.append(Problem("no figure shows which mark is the decimal one; the names are Spanish (PGC), so '.' "
                                "is read as the thousands separator and ',' as the decimal mark (25.000 = 25000)",
                                file=filename, row=1, code="decimal", severity="warning"))
        return ","
    return found


def cell_value(cell: str, decimal: str | None, problems: list[Problem], filename: str, row: int,
               column: str) -> float | None:
    """One figure: missing when empty, 0 when nil ("-"), else the number; a bad one is a problem (missing)."""
    text = cell.strip()
    if text in MISSING:
        return None
    if text in NIL:
        return 0.0
    try:
        return parse_number(text, decimal)
    except ValueError as exc:
        problems.append(Problem(f"{text!r} is not a number: {exc}", file=filename, row=row, column=column,
                                code="not_numeric"))
        return None


def infer_decimal(cells: list[str]) -> str | None:
    """"," when the cells look Spanish (1.234.567 / 1.234,5), "." when English, None when no evidence."""
    comma = sum(1 for c in cells if _COMMA_DECIMAL.search(c.strip()))
    dot = sum(1 for c in cells if _DOT_DECIMAL.search(c.strip()))
    if comma == dot:
        return None
    return "," if comma > dot else "."


def parse_number(text: str, decimal: str | None = None) -> float:
    """A figure under the one amount grammar (`cobro.kernel.amounts`): brackets or a sign for negatives, a
    currency symbol or code, thousands separators that group three digits; `decimal` is the file's decimal mark
    ("," or "."), else each cell must be unambiguous on its own (a lone ``1.234`` is refused, not guessed).

    Raises ValueError with the reason.  The solvency model computes its ratios in floats.
    """
    try:
        value = grammar_number(text, decimal=decimal or "auto")
    except AmountError as exc:
        raise ValueError(str(exc)) from exc
    return float(value)


def _read_rows(path: Path) -> list[list[str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = [["" if c is None else str(c) for c in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
        return rows
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    return list(csv.reader(text.splitlines(), delimiter=delimiter))


def read_statements(path: str | Path, *, customer: str | None = None,
                    statement_year: int | None = None) -> tuple[list[ImportedStatement], list[Problem]]:
    """Statements and problems from a CSV/XLSX file (see module doc).  A file laid out by year columns
    (`pgc_layout`) gives one statement per year column, for the customer it names or `customer`;
    `statement_year` is the statement date's year for columns written "N" / "N-1"."""
    path = Path(path)
    problems: list[Problem] = []
    name = path.name
    try:
        written = _read_rows(path)
    except (OSError, ValueError, KeyError) as exc:
        return [], [Problem(f"cannot read the file: {exc}", file=name, code="unreadable")]
    kept = [n for n, r in enumerate(written, 1) if any(c.strip() for c in r)]
    rows = [written[n - 1] for n in kept]
    if not rows:
        return [], [Problem("the file is empty", file=name, code="empty")]
    from cobro.solvency.model import pgc_layout

    if pgc_layout.detect(rows, canonical_column):
        return _read_by_year(rows, kept, name, customer, statement_year)
    header = rows[0]
    columns: dict[int, str] = {}
    unknown = []
    by_year: dict[int, tuple[str, int | None]] = {}  # "Activo total 2025": column → (line, year)
    for i, col in enumerate(header):
        canon = canonical_column(col)
        if canon is None:
            suffixed = pgc_layout.year_suffixed(col, canonical_column, statement_year)
            if suffixed is not None:
                by_year[i] = suffixed
            elif col.strip():
                unknown.append(col.strip())
        elif canon in columns.values():
            problems.append(Problem(f"column {col!r} repeats {canon!r}; the first one is used", file=name,
                                    row=1, column=col, code="duplicate_column", severity="warning"))
        else:
            columns[i] = canon
    if unknown:
        problems.append(Problem(f"ignored unknown columns: {', '.join(unknown)}", file=name, row=1,
                                code="unknown_column", severity="warning"))
    if by_year and "year" not in columns.values():
        return _read_side_by_side(rows, name, columns, by_year, problems)
    unknown += [header[i].strip() for i in by_year]  # a year column decides; these are not read
    amount_cols = {i: c for i, c in columns.items() if c not in ("customer", "year")}
    if not amount_cols:
        problems.append(Problem("no balance-sheet or P&L column recognised; expected e.g. total_assets, "
                                "activo_corriente, pasivo_corriente, patrimonio_neto, resultado_explotacion",
                                file=name, row=1, code="missing_column"))
        return [], problems
    cust_idx = next((i for i, c in columns.items() if c == "customer"), None)
    year_idx = next((i for i, c in columns.items() if c == "year"), None)
    decimal = file_decimal([r[i] for r in rows[1:] for i in amount_cols if i < len(r)], header, name, problems)
    out: list[ImportedStatement] = []
    for rownum, row in enumerate(rows[1:], start=2):
        cells = row + [""] * (len(header) - len(row))
        values: dict[str, float | None] = {}
        for i, canon in amount_cols.items():
            values[canon] = cell_value(cells[i], decimal, problems, name, rownum, header[i])
        year: int | None = None
        if year_idx is not None and cells[year_idx].strip():
            try:
                year = int(float(cells[year_idx].strip()))
            except ValueError:
                problems.append(Problem(f"year {cells[year_idx]!r} is not a year", file=name, row=rownum,
                                        column=header[year_idx], code="not_numeric"))
        customer = cells[cust_idx].strip() if cust_idx is not None else ""
        out.append(ImportedStatement(customer or "(unnamed)", FinancialStatement(year=year, **values),
                                     rownum))
    return out, problems


def _read_side_by_side(rows: list[list[str]], name: str, columns: dict[int, str],
                       by_year: dict[int, tuple[str, int | None]],
                       problems: list[Problem]) -> tuple[list[ImportedStatement], list[Problem]]:
    """One row per customer with the years side by side ("Activo total 2025" / "Activo total 2024"): one
    statement per year; the columns without a year belong to the latest one.  Which is which is said."""
    header = rows[0]
    undated = [header[i].strip() for i, (_, y) in by_year.items() if y is None]
    if undated:
        return [], [*problems, Problem(f"columns {', '.join(map(repr, undated))} are years relative to the statement "
                                       "date, which the file does not give: pass --year", file=name, row=1,
                                       column=undated[0], code="invalid_year")]
    years = sorted({y for _, y in by_year.values() if y is not None})
    plain = {i: c for i, c in columns.items() if c not in ("customer", "year")}
    problems.append(Problem(
        "one statement per year: " + "; ".join(
            f"{', '.join(repr(header[i].strip()) for i, (_, y) in by_year.items() if y == year)} as {year}"
            for year in years) + (f"; the columns without a year ({', '.join(repr(header[i].strip()) for i in plain)})"
                                  f" as {years[-1]}, the latest" if plain else ""),
        file=name, row=1, code="years", severity="warning"))
    cust_idx = next((i for i, c in columns.items() if c == "customer"), None)
    cols = [*by_year, *plain]
    decimal = file_decimal([r[i] for r in rows[1:] for i in cols if i < len(r)], header, name, problems)
    out: list[ImportedStatement] = []
    for rownum, row in enumerate(rows[1:], start=2):
        cells = row + [""] * (len(header) - len(row))
        customer = (cells[cust_idx].strip() if cust_idx is not None else "") or "(unnamed)"
        for year in years:
            mine = {i: line for i, (line, y) in by_year.items() if y == year}
            if year == years[-1]:
                mine.update({i: line for i, line in plain.items() if line not in mine.values()})
            values = {line: cell_value(cells[i], decimal, problems, name, rownum, header[i]) for i, line in mine.items()}
            first = header[min(mine)].strip()
            out.append(ImportedStatement(customer, FinancialStatement(year=year, **values), rownum,
                                         tuple((line, rownum, header[i].strip()) for i, line in mine.items()), first))
    return out, problems


def _read_by_year(rows: list[list[str]], line_of: list[int], name: str, customer: str | None,
                  year: int | None) -> tuple[list[ImportedStatement], list[Problem]]:
    """A statement printed as the PGC prints it: a line per row, a year per column (`pgc_layout`); `line_of`
    gives each row's line in the file (blank lines between the sections are left out of `rows`)."""
    from cobro.solvency.model import pgc_layout

    lay = pgc_layout.layout(rows, name, canonical_column, customer=customer, statement_year=year)
    problems = list(lay.problems)
    if any(p.severity == "error" for p in problems):
        return [], problems
    header = rows[0]
    lines: dict[str, int] = {}  # line → 0-based row; the first row naming a line wins (sub-lines repeat names)
    for n, row in enumerate(rows[1:], 1):
        canon = canonical_column(pgc_layout.line_name(row[0])) if row and n not in lay.skip_rows else None
        if canon is not None and canon not in ("customer", "year") and canon not in lines:
            lines[canon] = n
    if not lines:
        return [], [*problems, Problem("no balance-sheet or P&L line recognised in the first column", file=name,
                                       row=line_of[0], column=header[0], code="missing_column")]
    cells = [rows[n][c] for n in lines.values() for c in lay.years if c < len(rows[n])]
    decimal = file_decimal(cells, [rows[n][0] for n in lines.values()], name, problems)
    out: list[ImportedStatement] = []
    for col, fiscal_year in sorted(lay.years.items(), key=lambda item: item[1]):
        column = header[col].strip()
        values = {canon: cell_value(rows[n][col] if col < len(rows[n]) else "", decimal, problems, name,
                                    line_of[n], column) for canon, n in lines.items()}
        out.append(ImportedStatement(lay.customer, FinancialStatement(year=fiscal_year, **values), line_of[0],
                                     tuple((canon, line_of[n], column) for canon, n in lines.items()), column))
    return out, problems


def by_customer(statements: list[ImportedStatement]) -> dict[str, list[FinancialStatement]]:
    """Group imported statements per customer, each list in year order."""
    grouped: dict[str, list[FinancialStatement]] = {}
    for item in statements:
        grouped.setdefault(item.customer, []).append(item.statement)
    for items in grouped.values():
        items.sort(key=lambda s: (s.year is None, s.year or 0))
    return grouped
