"""Import debtors' financial statements (CSV/XLSX) into `financial_statements`: atomic and idempotent.

The file is read by the solvency statement reader (`cobro.solvency.model.statements_import`: PGC and English
synonyms, Spanish or English number format).  One row per customer × fiscal year; the customer column holds the
customer code (a tax id or the exact legal name are accepted too).  The natural key is tenant + customer + year:
importing the same file again changes nothing, a changed row is updated.  Any error (unknown customer, missing or
repeated year, a cell that is not a number, a negative asset) → the report lists it with file, row and column and
nothing is written (the caller rolls back; this function only adds rows after every row has passed).

Amounts are stored as integer minor units of the statement's currency: an optional ``currency``/``moneda`` column,
else `--currency`, else the customer's usual currency (credit limit, else most of its invoices), else EUR.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

from cobro.kernel.errors import Problem
from cobro.kernel.money import exponent
from cobro.ledger.service.imports import ImportReport
from cobro.platform.uow import Uow
from cobro.solvency.model import statements_import as reader
from cobro.solvency.records import STATEMENT_LINES
from cobro.solvency.repository import SOLVENCY
from cobro.solvency.schemas import StatementCustomer

CURRENCY_HEADERS = ("currency", "moneda", "divisa", "currency_code")
NON_NEGATIVE = ("total_assets", "current_assets", "fixed_assets", "inventory", "receivables", "cash",
                "current_liabilities", "non_current_liabilities", "total_liabilities", "payables", "sales")
EXPENSES = ("cost_of_sales", "interest_expense", "depreciation")  # PGC shows them negative: stored positive
MAX_MINOR = 2**63 - 1
YEARS = range(1900, 2101)


def _key(text: str) -> str:
    return re.sub(r"[\s.\-/]", "", text).upper()


def _customers(rows: list[StatementCustomer]) -> dict[str, list[StatementCustomer]]:
    """Lookup by code, tax id (normalised) and legal name (case-insensitive); codes win over the others."""
    by: dict[str, list[StatementCustomer]] = {}
    for r in rows:
        for k in {f"tax:{_key(r.tax_id)}" if r.tax_id else "", f"name:{r.legal_name.strip().lower()}"} - {""}:
            by.setdefault(k, []).append(r)
    for r in rows:
        by[f"code:{r.code}"] = [r]
    return by


def _find(lookup: Mapping[str, list[StatementCustomer]], text: str) -> list[StatementCustomer]:
    return (lookup.get(f"code:{text}") or lookup.get(f"tax:{_key(text)}")
            or lookup.get(f"name:{text.strip().lower()}") or [])


def _minor(value: float, currency: str) -> int:
    amount = Decimal(repr(value)).scaleb(exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    if abs(amount) > MAX_MINOR:
        raise OverflowError
    return int(amount)


def _layout(path: Path) -> tuple[list[str], dict[str, str], list[list[str]]]:
    """Header, canonical line → header text, and the non-blank data rows (numbered as the reader numbers them)."""
    rows = [r for r in reader._read_rows(path) if any(c.strip() for c in r)]
    header = rows[0] if rows else []
    columns: dict[str, str] = {}
    for col in header:
        canon = reader.canonical_column(col)
        if canon is not None:
            columns.setdefault(canon, col)
    return header, columns, rows[1:]


def import_financials(uow: Uow, path: Path, currency: str | None = None, *, customer: str | None = None,
                      statement_year: int | None = None) -> ImportReport:
    """Validate every row, then upsert them all (or nothing, when any row has an error) for `uow.tenant`.

    A file printed as the PGC prints it (a line per row, the current and previous year as columns) gives one
    statement per year for the customer it names, else `customer`; `statement_year` dates columns "N"/"N-1"."""
    repo = uow.repo(SOLVENCY)
    report = ImportReport("financials", path.name)
    name = path.name
    items, problems = reader.read_statements(path, customer=customer, statement_year=statement_year)
    by_years = any(item.by_year_columns for item in items)
    for p in problems:
        (report.errors if p.severity == "error" else report.warnings).append(p)
    if not items or any(p.code in ("unreadable", "empty", "missing_column") for p in report.errors):
        if not report.errors:
            report.errors.append(Problem("no statements in the file", file=name, code="empty"))
        return report
    header, columns, data = _layout(path)
    cur_idx = next((i for i, h in enumerate(header) if reader.normalise_header(h) in CURRENCY_HEADERS), None)
    if cur_idx is not None:  # the reader reported the currency column as unknown; it is known here
        report.warnings = [w for w in report.warnings if w.code != "unknown_column"]
        rest = [h.strip() for i, h in enumerate(header)
                if h.strip() and i != cur_idx and reader.canonical_column(h) is None]
        if rest:
            report.warnings.append(Problem(f"ignored unknown columns: {', '.join(rest)}", file=name, row=1,
                                           code="unknown_column", severity="warning"))
    cust_col, year_col = columns.get("customer"), columns.get("year")
    if by_years:  # each year is a column (or a set of columns); the customer a column, a row or given
        cust_col, year_col = cust_col or (header[0] if header else "customer"), ""
    if cust_col is None or year_col is None:
        missing = " and ".join(w for w, c in (("customer", cust_col), ("year", year_col)) if c is None)
        report.errors.append(Problem(f"no {missing} column; expected e.g. customer/cliente/nif and year/ejercicio",
                                     file=name, row=1, code="missing_column"))
        return report
    lookup = _customers(repo.customers())
    usual = repo.customer_currencies()
    seen: dict[tuple[int, int], int] = {}
    ready: list[tuple[StatementCustomer, int, str, dict[str, int | None], int]] = []
    flipped = False
    for item in items:
        row_no, s = item.source_row, item.statement
        year_col = item.year_column or year_col
        err = len(report.errors)
        found = _find(lookup, item.customer) if item.customer != "(unnamed)" else []
        if len(found) != 1:
            why = "is missing" if item.customer == "(unnamed)" else (
                f"{item.customer!r} matches {len(found)} customers; use the customer code" if found
                else f"no customer {item.customer!r} (code, tax id or legal name)")
            report.errors.append(Problem(f"customer {why}", file=name, row=row_no, column=cust_col,
                                         code="unknown_customer"))
        year_reported = any(p.row == row_no and p.column == year_col for p in report.errors)
        if (s.year is None and not year_reported) or (s.year is not None and s.year not in YEARS):
            report.errors.append(Problem("a fiscal year (e.g. 2025) is required" if s.year is None
                                             else f"year {s.year} is out of range", file=name, row=row_no,
                                             column=year_col, code="invalid_year"))
        raw = data[row_no - 2] if 0 <= row_no - 2 < len(data) else []
        cur = (raw[cur_idx].strip().upper() if cur_idx is not None and cur_idx < len(raw) else "") or currency \
            or (usual.get(found[0].id, "") if len(found) == 1 else "") or "EUR"
        if not re.fullmatch(r"[A-Z]{3}", cur):
            report.errors.append(Problem(f"currency {cur!r} is not an ISO code", file=name, row=row_no,
                                         column=header[cur_idx] if cur_idx is not None else "currency"))
            cur = "EUR"
        minor: dict[str, int | None] = {}
        for line in STATEMENT_LINES:
            value = getattr(s, line)
            if value is None:
                minor[line] = None
                continue
            at_row, at_col = item.where(line) or (row_no, columns.get(line, line))
            if value < 0 and line in NON_NEGATIVE:
                report.errors.append(Problem(f"{line.replace('_', ' ')} cannot be negative ({value:,.2f})",
                                             file=name, row=at_row, column=at_col, code="negative"))
            if value < 0 and line in EXPENSES:
                value, flipped = -value, True
            try:
                minor[line] = _minor(value, cur)
            except (OverflowError, InvalidOperation, ValueError):
                report.errors.append(Problem(f"{value!r} is too large or not a finite number", file=name,
                                             row=at_row, column=at_col, code="out_of_range"))
        if all(v is None for v in minor.values()) and not any(p.row == row_no for p in report.errors):
            report.errors.append(Problem("the row has no amounts", file=name, row=row_no, code="empty_row"))
        if len(report.errors) > err or len(found) != 1 or s.year is None:
            continue
        key = (found[0].id, s.year)
        if key in seen:
            report.errors.append(Problem(f"customer {found[0].code} year {s.year} already given in row {seen[key]}",
                                         file=name, row=row_no, column=year_col, code="duplicate"))
            continue
        seen[key] = row_no
        ready.append((found[0], s.year, cur, minor, row_no))
    if flipped:
        report.warnings.append(Problem("negative expenses (cost of sales, financial expenses, depreciation) were "
                                       "stored as positive amounts, as the ratios expect", file=name,
                                       code="sign", severity="warning"))
    if report.errors:
        return report
    for cust, year, cur, minor, _ in ready:
        outcome = repo.save(cust.id, year, cur, minor, source=name)
        setattr(report, outcome, getattr(report, outcome) + 1)
    report.extra = {"customers": len({c.id for c, *_ in ready})}
    uow.flush()
    return report


def usual_currencies(uow: Uow) -> Mapping[int, str]:
    """Each customer id's usual currency (its credit limit's, else most of its invoices'): the statements'
    currency when the file names none."""
    return uow.repo(SOLVENCY).customer_currencies()
