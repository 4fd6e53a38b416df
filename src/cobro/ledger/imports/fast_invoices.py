"""The fast path for large invoice CSVs: polars parses, Python validates each *distinct* value once.

Exports repeat the same few hundred dates, currencies, terms and flags over millions of rows, so every cell is
validated with the same functions as the row-by-row reader (`rows.py`), but only once per distinct value; only
amounts are parsed per row.  The two paths must agree exactly (a differential test checks it), so both feed the
same staging table and the same content hash.

Rows stream in batches (`LazyFrame.collect_batches`), so a million-row file never sits in memory whole.
"""

from __future__ import annotations

import codecs
import datetime as dt
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from cobro.kernel.errors import InvalidInputError, Problem
from cobro.kernel.limits import DEFAULT_LIMITS, InputLimits
from cobro.kernel.money import MoneyError, check_currency, exponent
from cobro.kernel.taxids import check_tax_id
from cobro.kernel.terms import PaymentTerms, TermsError
from cobro.ledger.imports import fast_validate as fvx
from cobro.ledger.imports.fast_validate import BatchState, mapped
from cobro.ledger.imports.mapping import FIELDS
from cobro.ledger.imports.readers import locate_csv_problem
from cobro.ledger.imports.rows import (
    _CREDIT_NOTE_WORDS,
    _INVOICE_WORDS,
    RowReader,
    amount_to_minor,
    country_code,
)
from cobro.ledger.imports.tabular import (
    ValueProblem,
    cell_text,
    infer_decimal_separator,
    parse_bool,
    parse_date,
)

BATCH_ROWS = 100_000
StageTuple = tuple[Any, ...]


def h40_key(customer: str, name: str, issue: dt.date, due: dt.date, currency: str, minor: int, kind: str,
            disputed: bool, corrects: str, channel: str, terms: str, settled: dt.date | None, seq: int) -> int:
    """The 40-bit row hash shared by both import paths (sums of these stay inside BIGINT)."""
    key = (f"{customer}|{name}|{issue}|{due}|{currency}|{minor}|{kind}|{disputed}|{corrects}|{channel}|{terms}|"
           f"{settled}|{seq}").encode()
    return (zlib.crc32(key) << 8) ^ (zlib.adler32(key) & 0xFF)


@contextmanager
def utf8_source(path: Path, encoding: str) -> Iterator[Path]:
    """polars reads UTF-8 only: transcode other encodings (and drop a BOM) into a temporary file."""
    if encoding == "utf-8":
        yield path
        return
    with tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False) as out:
        decoder = codecs.getincrementaldecoder(encoding)()
        with path.open("rb") as src:
            while chunk := src.read(1 << 22):
                out.write(decoder.decode(chunk).encode("utf-8"))
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
    tmp = Path(out.name)
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


class _Distinct:
    """Validate each distinct value once; remember the result or the error message."""

    def __init__(self, fn: Callable[[str], Any]) -> None:
        self.fn = fn
        self.cache: dict[str, tuple[bool, Any]] = {}

    def __call__(self, value: str) -> tuple[bool, Any]:
        hit = self.cache.get(value)
        if hit is None:
            try:
                hit = (True, self.fn(value))
            except (ValueProblem, TermsError, MoneyError, ValueError) as exc:
                hit = (False, str(exc))
            self.cache[value] = hit
        return hit


def read_invoice_batches(reader: RowReader, path: Path, default_terms: str,
                         on_rows: Callable[[int], None] | None = None,
                         limits: InputLimits = DEFAULT_LIMITS) -> Iterator[tuple[pl.DataFrame, list[Problem]]]:
    """Yield (stage frame in STAGE_COLUMNS order, problems) per batch of a CSV whose header `reader` resolved."""
    table = reader.table
    fmt = reader.date_format

    def currency_check(v: str) -> str:
        try:
            return check_currency(v)
        except MoneyError as exc:
            raise ValueProblem(f"unknown currency {v!r} (ISO 4217 code expected)") from exc

    checks = {
        "date": _Distinct(lambda v: parse_date(v, fmt)),
        "currency": _Distinct(currency_check),
        "terms": _Distinct(PaymentTerms.parse),
        "bool": _Distinct(parse_bool),
        "country": _Distinct(country_code),
    }
    state = BatchState()
    try:
        yield from _batches(reader, path, default_terms, on_rows, checks, state)
    except pl.exceptions.PolarsError as exc:
        # polars quotes the offending input in its message (157 MB for an unclosed quote): never show it; the
        # strict csv module says where the file goes wrong instead
        where = locate_csv_problem(path, table.encoding, table.delimiter, limits)
        raise InvalidInputError(f"{path}: {where or 'not a well-formed CSV file: ' + _first_line(str(exc))}") \
            from None


def _first_line(text: str, width: int = 160) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "unreadable"
    return line if len(line) <= width else line[:width] + "…"


def _batches(reader: RowReader, path: Path, default_terms: str, on_rows: Callable[[int], None] | None,
             checks: dict[str, _Distinct], state: BatchState) -> Iterator[tuple[pl.DataFrame, list[Problem]]]:
    table, cols, ncols = reader.table, reader.columns, len(reader.table.headers)
    with utf8_source(path, table.encoding) as src:
        lf = pl.scan_csv(src, separator=table.delimiter, has_header=True, infer_schema=False, quote_char='"',
                         new_columns=[f"c{i}" for i in range(ncols)], row_index_name="__row",
                         row_index_offset=2, truncate_ragged_lines=True, empty_string_is_null=False)
        for batch in lf.collect_batches(chunk_size=BATCH_ROWS):
            frame = batch.with_columns(pl.col(f"c{i}").fill_null("").str.strip_chars() for i in range(ncols))
            frame = frame.filter(pl.any_horizontal(pl.col(f"c{i}") != "" for i in range(ncols)))
            if reader.decimal not in (",", ".") and "amount" in cols:
                reader.decimal = infer_decimal_separator(frame[f"c{cols['amount']}"].head(2000).to_list())
            values = pl.DataFrame({"__row": frame["__row"].cast(pl.Int64),
                                   **{fld: _field(frame, reader, fld) for fld in FIELDS["invoices"]}})
            yield _validate(values, reader, default_terms, checks, state)
            if on_rows is not None:
                on_rows(frame.height)


def _field(frame: pl.DataFrame, reader: RowReader, fld: str) -> pl.Series:
    """The field's text per row, with defaults and value translation exactly as `RowReader.raw`."""
    idx = reader.columns.get(fld)
    if idx is None:
        return pl.Series(fld, [cell_text(reader.raw([], fld))] * frame.height, dtype=pl.String)
    raw = frame[f"c{idx}"]
    if fld not in reader.mapping.defaults and fld not in reader.mapping.values:
        return raw.alias(fld)
    cells = [""] * (idx + 1)
    translated = {}
    for value in raw.unique().to_list():
        cells[idx] = value
        translated[value] = cell_text(reader.raw(cells, fld))
    return raw.replace_strict(list(translated), list(translated.values()), return_dtype=pl.String).alias(fld)


def _validate(v: pl.DataFrame, reader: RowReader, default_terms: str, checks: dict[str, _Distinct],
              state: BatchState) -> tuple[pl.DataFrame, list[Problem]]:
    errs: list[pl.DataFrame] = []

    def fail(mask: pl.Series, fld: str, message: pl.Series | str, code: str = "invalid",
             severity: str = "error") -> None:
        if not mask.any():
            return
        msg = message if isinstance(message, pl.Series) else pl.Series([message] * v.height, dtype=pl.String)
        errs.append(pl.DataFrame({"row": v["__row"], "field": fld, "message": msg, "code": code,
                                  "severity": severity}).filter(mask))

    for fld in ("invoice_number", "customer_code"):
        fail(v[fld] == "", fld, f"{fld} is empty", "missing_value")
    currency, msg = mapped(v["currency"], checks["currency"], pl.String())
    fail(msg.is_not_null(), "currency", msg, "bad_currency")
    currency = currency.fill_null("")
    exp = currency.replace_strict({c: exponent(c) for c in currency.unique().to_list() if c} | {"": 2},
                                  return_dtype=pl.Int64)

    def slow_amount(text: str, cur: str) -> tuple[int | None, str | None]:
        minor, message, _code = amount_to_minor(text, reader.decimal, cur)
        return minor, message or None

    minor, msg = fvx.amounts(v["amount"], currency, exp, reader.decimal, slow_amount)
    fail(msg.is_not_null(), "amount", msg, "bad_amount")
    issue, msg = mapped(v["issue_date"], checks["date"], pl.Date())
    fail(msg.is_not_null(), "issue_date", msg, "bad_date")
    kind_text = v["kind"].str.to_lowercase()
    known = kind_text.is_in(list(_CREDIT_NOTE_WORDS | _INVOICE_WORDS))
    if not known.all():  # the message quotes each bad value: only build it when there is one
        fail(~known, "kind", _ev(pl.concat_str(pl.lit("unknown document kind "), pl.lit(_quoted(kind_text)),
                                               pl.lit("; use invoice or credit_note"))))
    kind = pl.Series(["credit_note" if k in _CREDIT_NOTE_WORDS else "invoice" for k in kind_text.to_list()]) \
        if kind_text.n_unique() > 1 or kind_text.len() == 0 else \
        pl.Series(["credit_note" if kind_text[0] in _CREDIT_NOTE_WORDS else "invoice"] * v.height, dtype=pl.String)
    terms_text = v["terms"].replace("", default_terms)
    terms_code, msg = mapped(terms_text, lambda t: _terms_code(checks["terms"], t), pl.String())
    fail(msg.is_not_null(), "terms", msg, "bad_terms")
    due_given, msg = mapped(v["due_date"], lambda d: (True, None) if d == "" else checks["date"](d), pl.Date())
    fail(msg.is_not_null(), "due_date", msg, "bad_date")
    due = _due_dates(issue, terms_code, due_given, v["due_date"] == "", checks["terms"])
    fail((due < issue).fill_null(False), "due_date", _ev(pl.concat_str(
        pl.lit("due date "), pl.lit(due.cast(pl.String)), pl.lit(" is before the issue date "),
        pl.lit(issue.cast(pl.String)))))
    settled, msg = mapped(v["settled_date"], lambda d: (True, None) if d == "" else checks["date"](d), pl.Date())
    fail(msg.is_not_null(), "settled_date", msg, "bad_date")
    disputed, msg = mapped(v["disputed"], checks["bool"], pl.Boolean())
    fail(msg.is_not_null(), "disputed", msg)
    seq = pl.Series([1] * v.height, dtype=pl.Int64)
    if "instalment" in reader.columns:
        seq = v["instalment"].replace("", "1").cast(pl.Int64, strict=False)
        fail(seq.is_null(), "instalment", "instalment must be a whole number")
    _duplicates(v, seq, state, fail)
    country, msg = mapped(v["country"], checks["country"], pl.String())
    fail(msg.is_not_null(), "country", msg, "bad_country")
    country = country.fill_null("")
    tax = v["tax_id"]
    if "tax_id" in reader.columns:
        pairs = (tax + "\x00" + country)
        checked = {p: check_tax_id(p.split("\x00")[0], p.split("\x00")[1] or "ES")
                   for p in pairs.unique().to_list() if not p.startswith("\x00")}
        tax = pairs.replace_strict({p: c.normalized if c.valid else p.split("\x00")[0] for p, c in checked.items()},
                                   default="", return_dtype=pl.String)
        bad = {p: c.message for p, c in checked.items() if not c.valid}
        severity = "warning" if reader.mapping.option("tax_id_invalid", "error") == "warning" else "error"
        msg = pairs.replace_strict(bad, default=None, return_dtype=pl.String)
        fail(msg.is_not_null(), "tax_id", msg, "bad_tax_id", severity)
    else:
        tax = pl.Series([""] * v.height, dtype=pl.String)
    problems = pl.concat(errs) if errs else pl.DataFrame(
        schema={"row": pl.Int64, "field": pl.String, "message": pl.String, "code": pl.String, "severity": pl.String})
    problems = problems.sort("row", maintain_order=True)
    bad_rows = problems.filter(pl.col("severity") == "error")["row"]
    stage = v.with_columns(
        seq=seq, currency=currency, minor=minor, kind=kind, issue=issue, due=due, settled=settled,
        disputed_b=disputed.fill_null(False), channel=v["channel"].str.to_lowercase(), terms_code=terms_code,
        country_u=country, tax_norm=tax, due_missing=v["due_date"] == "",
    ).filter(~pl.col("__row").is_in(bad_rows.implode()))
    if "instalment" not in reader.columns:
        stage = _split_by_terms(stage, checks["terms"], reader)
    stage = stage.with_columns(over_cap=fvx.over_legal_cap(pl.col("issue"), pl.col("due")))
    stage = stage.with_columns(h40=fvx.h40_column(stage))
    return stage.select(fvx.STAGE_ORDER), fvx.problems_from(problems, lambda f: reader.header_of.get(f, f), reader.file)


def _split_by_terms(stage: pl.DataFrame, check: _Distinct, reader: RowReader) -> pl.DataFrame:
    """Rows whose terms have instalments ('net 30/60/90') and no due date become one row per instalment, each due
    on its own date, as `rows.split_by_terms` does."""
    codes = [c for c in stage["terms_code"].unique().to_list() if c and "/" in c]
    mask = pl.col("terms_code").is_in(codes) & pl.col("due_missing")
    split = stage.filter(mask) if codes else stage.clear()
    if split.height == 0:
        return stage
    reader.split_instalments = True
    parts = [stage.filter(~mask)]
    for code in codes:
        rows = split.filter(pl.col("terms_code") == code)
        terms = check(code)[1]
        count = len(terms.instalments)
        dues = {day: terms.due_dates(day) for day in rows["issue"].unique().to_list()}
        share = rows["minor"] // count
        for k in range(count):
            due = rows["issue"].replace_strict({d: v[k] for d, v in dues.items()}, return_dtype=pl.Date)
            minor = share if k < count - 1 else rows["minor"] - share * (count - 1)
            parts.append(rows.with_columns(seq=pl.lit(k + 1, dtype=pl.Int64), due=due, minor=minor))
    return pl.concat(parts, how="vertical_relaxed").sort(["__row", "seq"])


def _ev(expr: pl.Expr) -> pl.Series:
    return pl.select(expr.alias("x")).to_series()


def _quoted(col: pl.Series) -> pl.Series:
    return pl.Series([repr(x) for x in col.to_list()], dtype=pl.String) if col.len() else col


def _terms_code(check: _Distinct, text: str) -> tuple[bool, Any]:
    ok, terms = check(text)
    return (True, terms.code()) if ok else (False, terms)


def _due_dates(issue: pl.Series, terms_code: pl.Series, given: pl.Series, missing: pl.Series,
               terms_check: _Distinct) -> pl.Series:
    """The given due date, or one computed from the terms for each distinct (issue date, terms) pair."""
    if not missing.any():
        return given
    pairs = pl.DataFrame({"issue": issue, "terms": terms_code}).filter(missing & issue.is_not_null()
                                                                        & terms_code.is_not_null()).unique()
    computed = {(d, t): terms_check(t)[1].due_date(d) for d, t in pairs.iter_rows()}
    frame = pl.DataFrame({"issue": issue, "terms": terms_code, "given": given, "missing": missing})
    lookup = pl.DataFrame({"issue": [k[0] for k in computed], "terms": [k[1] for k in computed],
                           "computed": list(computed.values())},
                          schema={"issue": pl.Date, "terms": pl.String, "computed": pl.Date})
    joined = frame.with_row_index("i").join(lookup, on=["issue", "terms"], how="left").sort("i")
    return joined.select(pl.when(pl.col("missing")).then(pl.col("computed")).otherwise(pl.col("given")))\
        .to_series()


def _duplicates(v: pl.DataFrame, seq: pl.Series, state: BatchState,
                fail: Callable[..., None]) -> None:
    """Invoice number (+ instalment) must be unique in the file, across batches too."""
    keys = pl.DataFrame({"key": v["invoice_number"] + "\x00" + seq.cast(pl.String).fill_null(""),
                         "row": v["__row"], "nonempty": v["invoice_number"] != ""})
    keys = keys.filter(pl.col("nonempty"))
    firsts = keys.filter(pl.col("key").is_first_distinct()).select("key", pl.col("row").alias("first_row"))
    earlier = pl.concat([state.seen, firsts.join(state.seen, on="key", how="anti")])
    dup = keys.join(earlier, on="key", how="left").filter(pl.col("row") != pl.col("first_row"))
    if dup.height:
        msgs = [f"invoice {k.split(chr(0))[0]!r} appears twice in this file (rows {first} and {row})"
                for k, first, row in dup.select("key", "first_row", "row").iter_rows()]
        mask = v["__row"].is_in(dup["row"].implode())
        by_row = dict(zip(dup["row"].to_list(), msgs, strict=True))
        full = pl.Series([by_row.get(r) for r in v["__row"].to_list()], dtype=pl.String)
        fail(mask, "invoice_number", full, "duplicate")
    state.seen = earlier

