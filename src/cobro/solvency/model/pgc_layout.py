"""Financial statements laid out as the PGC *cuentas anuales* print them: one line per row, one column per year.

A Spanish balance sheet or P&L (modelo normal, abreviado or PYMES) is exported as it is printed: the first column
holds the line ("A) ACTIVO NO CORRIENTE", "II. Existencias", "13. Gastos financieros", "A.1) RESULTADO DE
EXPLOTACIÓN (1+2+…)"), and two columns hold the current and the previous year ("2025" / "2024", "Ejercicio 2025",
"31/12/2025", or "Ejercicio N" / "Ejercicio N-1").  This module turns such a file into one statement per year
column; `statements_import` reads the numbers.

* Lines: the PGC numbering in front ("A)", "A.1)", "A-1)", "II.", "13.", "a)") and the formula behind ("(A + B)",
  "(1+2+3)") are set aside before the name is looked up; the first row that names a line wins (the PGC nests
  sub-lines such as "1. Proveedores" under "V. Acreedores comerciales").
* Years: a column header with a year (or a date) is that year; "N"/"actual" and "N-1"/"anterior" are the statement
  date's year and the one before: a row "Fecha de cierre" (or "Ejercicio", "Statement date"), else the year the
  caller gives.  Which column became which year is said in a warning.
* The customer: a row "Cliente"/"NIF"/"Empresa", else the one the caller gives.

A row-per-customer file may carry both years side by side instead ("Activo total 2025", "Activo total 2024",
"Patrimonio neto (N-1)"): `year_suffixed` reads such a header as a line and its year.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cobro.kernel.errors import Problem

_NUMBERING = re.compile(r"^\s*(?:(?:[A-Z](?:[.\-]\d+)*\)|[IVXL]+[.)]|\d+(?:\.\d+)*[.)]|[a-z]\)|[-–—•*])\s*)+")
_FORMULA = re.compile(r"\s*\((?:[A-Z0-9.\s+\-–,]|\.\.\.|…)*\)\s*$")
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2}|21\d{2})(?!\d)")
_CURRENT = re.compile(r"^(?:ejercicio|exercici|año|ano|periodo|period|year|fy)?\s*(?:n|actual|current|presente)$",
                      re.IGNORECASE)
_PREVIOUS = re.compile(r"^(?:ejercicio|exercici|año|ano|periodo|period|year|fy)?\s*(?:n\s*-\s*1|anterior|previous|"
                       r"prior|comparativo)$", re.IGNORECASE)
_DATE_LABELS = ("fecha de cierre", "fecha cierre", "cierre del ejercicio", "fecha del balance", "statement date",
                "balance sheet date", "fecha", "ejercicio", "year", "fiscal year")


_SUFFIX = re.compile(r"^(?P<base>.*?\S)[\s_\-–(]+(?P<when>(?:ejercicio\s+|fy\s*|año\s+|ano\s+)?"
                     r"(?:19\d{2}|20\d{2}|21\d{2}|n\s*-\s*1|n))\)?\s*$", re.IGNORECASE)


def year_suffixed(header: str, canonical: Callable[[str], str | None],
                  statement_year: int | None) -> tuple[str, int | None] | None:
    """("total_assets", 2025) for "Activo total 2025"; (line, None) for "… N" without a statement year;
    None when the header is no statement line followed by a year."""
    found = _SUFFIX.match(header.strip())
    if found is None:
        return None
    canon = canonical(found.group("base"))
    if canon in (None, "customer", "year"):
        return None
    year, _ = _column_year(found.group("when"), statement_year)
    return str(canon), year


@dataclass
class YearLayout:
    """A file whose columns are years: which column is which year, and the rows that are not amounts."""

    label_col: int
    years: dict[int, int]  # column index → fiscal year
    customer: str = ""
    skip_rows: set[int] = field(default_factory=set)  # 0-based rows that hold the customer or the date
    problems: list[Problem] = field(default_factory=list)


def line_name(label: str) -> str:
    """ "A.1) RESULTADO DE EXPLOTACIÓN (1+2+3+4)" → "RESULTADO DE EXPLOTACIÓN"."""
    return _FORMULA.sub("", _NUMBERING.sub("", label)).strip()


def _column_year(header: str, statement_year: int | None) -> tuple[int | None, bool]:
    """(year, needs the statement date) of a year column header; (None, False) when it is not one."""
    text = header.strip()
    found = _YEAR.findall(text)
    if len(found) == 1:
        return int(found[0]), False
    if _CURRENT.match(text):
        return statement_year, True
    if _PREVIOUS.match(text):
        return (statement_year - 1 if statement_year is not None else None), True
    return None, False


def detect(rows: list[list[str]], canonical: Callable[[str], str | None]) -> bool:
    """True when every header cell after the first is a year column (one to three of them) and at least two
    first-column labels name statement lines."""
    if not rows or len(rows[0]) < 2 or canonical(rows[0][0]) not in (None, "year"):
        return False
    cells = [h for h in rows[0][1:] if h.strip()]
    if not 1 <= len(cells) <= 3 or any(_column_year(h, 2000)[0] is None for h in cells):
        return False
    named = sum(1 for r in rows[1:] if r and canonical(line_name(r[0])) not in (None, "customer", "year"))
    return named >= 2


def layout(rows: list[list[str]], filename: str, canonical: Callable[[str], str | None], *,
           customer: str | None, statement_year: int | None) -> YearLayout:
    """Which columns are which years, the customer and the rows to skip; problems name file, row and column."""
    header = rows[0]
    out = YearLayout(label_col=0, years={})
    date_year: int | None = None
    for n, row in enumerate(rows[1:], 1):
        label = row[0].strip().lower().rstrip(":") if row else ""
        values = [c.strip() for c in row[1:] if c.strip()]
        if canonical(line_name(row[0]) if row else "") == "customer" and values:
            out.customer = values[0]
            out.skip_rows.add(n)
        elif label in _DATE_LABELS and values:
            found = _YEAR.findall(values[0])
            if found:
                date_year = int(found[-1])
                out.skip_rows.add(n)
    year = date_year or statement_year
    said: list[str] = []
    for i, h in enumerate(header[1:], 1):
        if not h.strip():
            continue
        value, relative = _column_year(h, year)
        if value is None and relative:
            out.problems.append(Problem(f"column {h.strip()!r} is a year relative to the statement date, and the "
                                        "file gives none: add a row 'Fecha de cierre;31/12/2025' or pass --year",
                                        file=filename, row=1, column=h.strip(), code="invalid_year"))
            continue
        if value is None:
            continue
        if value in out.years.values():
            out.problems.append(Problem(f"column {h.strip()!r} repeats the year {value}", file=filename, row=1,
                                        column=h.strip(), code="duplicate"))
            continue
        out.years[i] = value
        source = f" (statement date {'in the file' if date_year else 'given'}: {year})" if relative else ""
        said.append(f"{h.strip()!r} as {value}{source}")
    if out.years:
        out.problems.append(Problem(
            f"one statement per year column: {'; '.join(said)}; the latest year ({max(out.years.values())}) is the "
            "current one", file=filename, row=1, code="years", severity="warning"))
    out.customer = out.customer or (customer or "")
    if not out.customer:
        out.problems.append(Problem("the statement names no customer: add a row 'NIF;B12345674' (or 'Cliente') or "
                                    "pass --customer CODE", file=filename, row=1, column=header[0].strip(),
                                    code="missing_column"))
    return out
