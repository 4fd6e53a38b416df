"""Turn the rows of a table into validated records, or into Problems that name file, row and column.

Each `read_*` function is a generator of `record | Problem`; it never raises on bad data, so one run
reports every problem in the file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

from cobro.kernel.amounts import to_minor
from cobro.kernel.errors import InvalidInputError, Problem
from cobro.kernel.money import MoneyError, check_currency
from cobro.kernel.taxids import check_tax_id
from cobro.kernel.terms import PaymentTerms, TermsError, exceeds_spanish_cap
from cobro.ledger.imports.mapping import FIELDS, REQUIRED, Mapping, match_columns
from cobro.ledger.imports.records import InvoiceLine, PaymentLine
from cobro.ledger.imports.tabular import (
    TableStream,
    ValueProblem,
    cell_text,
    infer_decimal_separator,
    parse_amount,
    parse_bool,
    parse_date,
)

_CREDIT_NOTE_WORDS = {"credit_note", "credit note", "abono", "rectificativa", "nc", "nota de credito", "cn", "e"}
_INVOICE_WORDS = {"invoice", "factura", "fc", "i", ""}


class RowReader:
    """Shared machinery: column lookup, defaults, value translation and problem building."""

    def __init__(self, table: TableStream, mapping: Mapping, kind: str) -> None:
        self.table = table
        self.mapping = mapping
        self.kind = kind
        self.file = table.path.name
        self.match = match_columns(mapping, kind, table.headers, self.file)
        self.columns = self.match.columns
        missing = [f for f in REQUIRED[kind] if f not in self.columns and f not in mapping.defaults]
        if missing:
            raise InvalidInputError(
                f"{self.file}: missing required column(s) {', '.join(missing)}; file columns are: "
                f"{', '.join(table.headers)} (map them in a mapping file)",
                [Problem(f"missing required column {m}", self.file, 1, m, "missing_column") for m in missing],
            )
        self.header_of = {f: table.headers[i] for f, i in self.columns.items()}
        self._getters: dict[str, Callable[[list[Any]], Any]] = {}
        self._dates: dict[Any, dt.date] = {}  # exports repeat the same few hundred dates: parse each once
        self.date_format = str(mapping.option("date_format", "auto"))
        self.decimal = str(mapping.option("decimal", "auto"))
        self.split_instalments = False  # set when terms such as 'net 30/60/90' split a row into instalments

    def _getter(self, fld: str) -> Callable[[list[Any]], Any]:
        """A compiled accessor for one field: column lookup, default and value translation decided once."""
        idx = self.columns.get(fld)
        default = self.mapping.defaults.get(fld)
        table = self.mapping.values.get(fld)

        def translate(value: Any) -> Any:
            if table is not None:
                key = cell_text(value).lower()
                if key in table:
                    return table[key]
            return value

        if idx is None:
            const = translate("" if default is None else default)
            return lambda _cells: const
        if default is None and table is None:
            def plain(cells: list[Any]) -> Any:
                value = cells[idx] if idx < len(cells) else ""
                return value.strip() if isinstance(value, str) else value
            return plain

        def full(cells: list[Any]) -> Any:
            value = cells[idx] if idx < len(cells) else ""
            if isinstance(value, str):
                value = value.strip()
            if value in ("", None) and default is not None:
                value = default
            return translate(value)
        return full

    def raw(self, cells: list[Any], fld: str) -> Any:
        getter = self._getters.get(fld)
        if getter is None:
            getter = self._getters[fld] = self._getter(fld)
        return getter(cells)

    def text_getter(self, fld: str) -> Callable[[list[Any]], str]:
        """Like `text` but resolved once; an unmapped field becomes a constant."""
        getter = self._getter(fld)
        if fld not in self.columns:
            const = cell_text(getter([]))
            return lambda _cells: const
        return lambda cells: cell_text(getter(cells))

    def text(self, cells: list[Any], fld: str) -> str:
        return cell_text(self.raw(cells, fld))

    def unused_columns(self, severity: str = "warning") -> list[Problem]:
        """One problem per column of the file that feeds no field (a warning; an error under --strict)."""
        headers = self.table.headers
        return [Problem(f"column {headers[i]!r} is not imported: {why}", self.file, 1, headers[i], "unknown_column",
                        severity) for i, why in self.match.unused.items()]

    def given(self, cells: list[Any], fields: tuple[str, ...]) -> frozenset[str]:
        """The fields this row sets on an existing record: a non-empty value (cell or default), or an empty cell of
        a column whose mapping says `empty_clears`.  A column the file lacks changes nothing."""
        return frozenset(f for f in fields if self.text(cells, f) != ""
                         or (f in self.columns and self.mapping.empty_clears(f)))

    def format(self) -> dict[str, str]:
        """How the file was read: encoding, delimiter, decimal and thousands separators."""
        if not {"amount", "credit_limit"} & set(self.columns):
            decimal = thousands = "-"  # no amount column: nothing to separate
        else:
            decimal = self.decimal if self.decimal in (",", ".") else "auto"
            thousands = {",": "'.' or blank", ".": "',' or blank"}.get(
                decimal, "none proved: each value must be unambiguous")
        return {"encoding": self.table.encoding, "delimiter": self.table.delimiter, "decimal": decimal,
                "thousands": thousands}

    def problem(self, row: int, fld: str, message: str, code: str = "invalid", severity: str = "error") -> Problem:
        return Problem(message, self.file, row, self.header_of.get(fld, fld), code, severity)

    def rows_with_decimal(self) -> Iterator[tuple[int, list[Any]]]:
        """Infer the file's decimal separator from its first rows, then replay them."""
        if self.decimal in (",", "."):
            return self.table.rows
        head = list(itertools.islice(self.table.rows, 2000))
        # the money column of the kind: amount (invoices, payments) or credit_limit (customers)
        fld = "amount" if "amount" in self.columns else "credit_limit"
        samples = [cell_text(c[self.columns[fld]]) for _, c in head
                   if fld in self.columns and self.columns[fld] < len(c) and isinstance(c[self.columns[fld]], str)]
        self.decimal = infer_decimal_separator(samples) if samples else "auto"
        return itertools.chain(head, self.table.rows)


def amount_to_minor(value: Any, decimal_sep: str, currency: str, *,
                    allow_negative: bool = False) -> tuple[int | None, str, str]:
    """The one place a cell becomes integer minor units: (minor, "", "") or (None, message, problem code).

    An unknown currency ("") is scaled by 2, so the other problems of the row are still reported.
    """
    try:
        # the grammar checks the currency's decimals and the bound (`cobro.kernel.amounts`)
        amount = parse_amount(value, decimal_sep, currency)
    except ValueProblem as exc:
        return None, str(exc), "bad_amount"
    if amount < 0 and not allow_negative:
        return None, (f"negative amount {value!r}; record credit notes with kind credit_note and a positive "
                      "amount"), "negative_amount"
    return to_minor(amount, currency), "", ""


def _money_minor(reader: RowReader, row: int, cells: list[Any], fld: str, currency: str,
                 errors: list[Problem], *, allow_negative: bool = False) -> int | None:
    minor, message, code = amount_to_minor(reader.raw(cells, fld), reader.decimal, currency,
                                           allow_negative=allow_negative)
    if minor is None:
        errors.append(reader.problem(row, fld, message, code))
    return minor


def _date(reader: RowReader, row: int, cells: list[Any], fld: str, errors: list[Problem],
          *, required: bool = True) -> dt.date | None:
    value = reader.raw(cells, fld)
    cached = reader._dates.get(value) if isinstance(value, str) else None
    if cached is not None:
        return cached
    if cell_text(value) == "" and not required:
        return None
    try:
        day = parse_date(value, reader.date_format)
        if isinstance(value, str):
            reader._dates[value] = day
        return day
    except ValueProblem as exc:
        errors.append(reader.problem(row, fld, str(exc), "bad_date"))
        return None


def _currency(reader: RowReader, row: int, cells: list[Any], fld: str, errors: list[Problem]) -> str:
    value = reader.text(cells, fld)
    try:
        return check_currency(value)
    except MoneyError:
        errors.append(reader.problem(row, fld, f"unknown currency {value!r} (ISO 4217 code expected)",
                                     "bad_currency"))
        return ""


def _required_text(reader: RowReader, row: int, cells: list[Any], fld: str, errors: list[Problem]) -> str:
    value = reader.text(cells, fld)
    if not value:
        errors.append(reader.problem(row, fld, f"{fld} is empty", "missing_value"))
    return value


def country_code(text: str) -> str:
    """An ISO 3166 two-letter code, upper-cased, or "" when the cell is empty.  "Chile"[:2] would silently
    become CH (Switzerland), so anything else is refused."""
    code = text.strip().upper()
    if code and not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueProblem(f"{text.strip()!r} is not an ISO 3166 two-letter country code (ES, MX, CL, CO, PE...)")
    return code


def _country(reader: RowReader, row: int, text: str, errors: list[Problem]) -> str:
    """The cell's country code, or "" (with the problem recorded) when it is empty or not a code."""
    try:
        return country_code(text)
    except ValueProblem as exc:
        errors.append(reader.problem(row, "country", str(exc), "bad_country"))
        return ""


def _tax_id(reader: RowReader, row: int, cells: list[Any], country: str, errors: list[Problem]) -> str:
    value = reader.text(cells, "tax_id")
    if not value:
        return ""
    check = check_tax_id(value, country or "ES")
    if check.valid:
        return check.normalized
    severity = "warning" if reader.mapping.option("tax_id_invalid", "error") == "warning" else "error"
    errors.append(reader.problem(row, "tax_id", check.message, "bad_tax_id", severity))
    return value


def read_invoices(reader: RowReader, default_terms: str = "net 30",
                  on_row: Callable[[int], None] | None = None) -> Iterator[InvoiceLine | Problem]:
    seen: dict[tuple[str, int], int] = {}
    terms_cache: dict[str, PaymentTerms] = {}
    has_due = "due_date" in reader.columns or "due_date" in reader.mapping.defaults
    t = {f: reader.text_getter(f) for f in FIELDS["invoices"]}
    currencies: dict[str, str] = {}
    for row, cells in reader.rows_with_decimal():
        if on_row is not None:
            on_row(row)
        errors: list[Problem] = []
        number = t["invoice_number"](cells)
        if not number:
            errors.append(reader.problem(row, "invoice_number", "invoice_number is empty", "missing_value"))
        customer = t["customer_code"](cells)
        if not customer:
            errors.append(reader.problem(row, "customer_code", "customer_code is empty", "missing_value"))
        currency = currencies.get(t["currency"](cells), "")
        if not currency:
            currency = _currency(reader, row, cells, "currency", errors)
            if currency:
                currencies[t["currency"](cells)] = currency
        amount = _money_minor(reader, row, cells, "amount", currency, errors)
        issue = _date(reader, row, cells, "issue_date", errors)
        kind_text = t["kind"](cells).lower()
        kind = "credit_note" if kind_text in _CREDIT_NOTE_WORDS else "invoice"
        if kind_text not in _CREDIT_NOTE_WORDS and kind_text not in _INVOICE_WORDS:
            errors.append(reader.problem(row, "kind", f"unknown document kind {kind_text!r}; use invoice or credit_note"))
        terms_text = t["terms"](cells) or default_terms
        terms = terms_cache.get(terms_text)
        if terms is None:
            try:
                terms = terms_cache.setdefault(terms_text, PaymentTerms.parse(terms_text))
            except TermsError as exc:
                errors.append(reader.problem(row, "terms", str(exc), "bad_terms"))
        due: dt.date | None = None
        if has_due and t["due_date"](cells):
            due = _date(reader, row, cells, "due_date", errors)
        elif issue is not None and terms is not None:
            due = terms.due_date(issue)
        if issue and due and due < issue:
            errors.append(reader.problem(row, "due_date", f"due date {due} is before the issue date {issue}"))
        settled = _date(reader, row, cells, "settled_date", errors, required=False)
        disputed = False
        raw_disputed = reader.raw(cells, "disputed")
        try:
            disputed = parse_bool(raw_disputed)
        except ValueProblem as exc:
            errors.append(reader.problem(row, "disputed", str(exc)))
        seq = 1
        if "instalment" in reader.columns:
            try:
                seq = int(reader.text(cells, "instalment") or 1)
            except ValueError:
                errors.append(reader.problem(row, "instalment", "instalment must be a whole number"))
        key = (number, seq)
        if number and key in seen:
            errors.append(reader.problem(row, "invoice_number", f"invoice {number!r} appears twice in this file "
                                         f"(rows {seen[key]} and {row})", "duplicate"))
        elif number:
            seen[key] = row
        country = _country(reader, row, t["country"](cells), errors)
        tax_id = _tax_id(reader, row, cells, country, errors) if "tax_id" in reader.columns else ""
        yield from errors
        if any(e.severity == "error" for e in errors):
            continue
        assert issue is not None and due is not None and amount is not None and terms is not None
        line = InvoiceLine(
            row, number, seq, customer, t["customer_name"](cells), issue, due, currency, amount, kind,
            disputed, t["corrects"](cells), t["channel"](cells).lower(),
            terms.code(), settled, t["segment"](cells), country, tax_id,
            exceeds_spanish_cap(issue, due),
        )
        if terms.instalments and "instalment" not in reader.columns and not (has_due and t["due_date"](cells)):
            reader.split_instalments = True
            yield from split_by_terms(line, terms)
        else:
            yield line


def instalment_amounts(amount_minor: int, parts: int) -> list[int]:
    """Equal parts of an amount in minor units; the cents that do not divide go to the last part."""
    share = amount_minor // parts
    return [share] * (parts - 1) + [amount_minor - share * (parts - 1)]


def split_by_terms(line: InvoiceLine, terms: PaymentTerms) -> Iterator[InvoiceLine]:
    """One line per instalment of terms such as 'net 30/60/90', each due on its own date."""
    for seq, (due, part) in enumerate(zip(terms.due_dates(line.issue_date),
                                          instalment_amounts(line.amount_minor, len(terms.instalments)),
                                          strict=True), start=1):
        yield dataclasses.replace(line, seq=seq, due_date=due, amount_minor=part,
                                  over_legal_cap=exceeds_spanish_cap(line.issue_date, due))


def read_payments(reader: RowReader) -> Iterator[PaymentLine | Problem]:
    seen: dict[str, int] = {}
    for row, cells in reader.rows_with_decimal():
        errors: list[Problem] = []
        reference = _required_text(reader, row, cells, "reference", errors)
        customer = _required_text(reader, row, cells, "customer_code", errors)
        currency = _currency(reader, row, cells, "currency", errors)
        amount = _money_minor(reader, row, cells, "amount", currency, errors)
        if amount == 0:
            errors.append(reader.problem(row, "amount", "payment amount is zero"))
        date = _date(reader, row, cells, "date", errors)
        if reference and reference in seen:
            errors.append(reader.problem(row, "reference", f"payment {reference!r} appears twice in this file "
                                         f"(rows {seen[reference]} and {row})", "duplicate"))
        seen.setdefault(reference, row)
        yield from errors
        if errors:
            continue
        assert date is not None and amount is not None
        yield PaymentLine(row, reference, customer, date, currency, amount, reader.text(cells, "invoice_number"),
                          reader.text(cells, "method"))


__all__ = ["FIELDS", "RowReader", "read_invoices", "read_payments"]
