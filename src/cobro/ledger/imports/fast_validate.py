"""Column-wise validation of one batch of invoice rows (the fast CSV path).

Each check is a polars expression over the whole batch; values with few distinct forms (dates, currencies,
terms, flags, tax ids) go through the same Python validators as the row-by-row reader, once per distinct value.
Messages are the row reader's, word for word: a differential test compares the two paths.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from cobro.kernel.amounts import MAX_MINOR
from cobro.kernel.errors import Problem
from cobro.kernel.terms import SPAIN_LEGAL_CAP_DAYS

STAGE_ORDER = (
    "__row", "invoice_number", "seq", "customer_code", "customer_name", "issue", "due", "currency", "minor", "kind",
    "disputed_b", "corrects", "channel", "terms_code", "settled", "segment", "country_u", "tax_norm", "over_cap",
    "h40",
)
Check = Callable[[str], tuple[bool, Any]]


@dataclass
class BatchState:
    """What survives from one batch to the next: keys already seen (duplicates span batches)."""

    seen: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(
        {"key": pl.Series([], dtype=pl.String), "first_row": pl.Series([], dtype=pl.Int64)}))


def mapped(series: pl.Series, check: Check, dtype: pl.DataType) -> tuple[pl.Series, pl.Series]:
    """Run `check` on each distinct value; return (values, error messages) aligned with `series`."""
    uniques = series.unique().to_list()
    ok_values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for u in uniques:
        ok, value = check(u)
        if ok:
            ok_values[u] = value
        else:
            errors[u] = value
    values = series.replace_strict(list(ok_values), list(ok_values.values()), default=None, return_dtype=dtype)
    messages = series.replace_strict(list(errors), list(errors.values()), default=None, return_dtype=pl.String)
    return values, messages


def _repr(col: pl.Expr) -> pl.Expr:
    """Python's repr() of a plain string without quotes inside: 'text'."""
    return pl.concat_str(pl.lit("'"), col, pl.lit("'"))


def amounts(text: pl.Series, currency: pl.Series, currency_exp: pl.Series, decimal_sep: str,
            slow: Callable[[str, str], tuple[int | None, str | None]]) -> tuple[pl.Series, pl.Series]:
    """Minor units and error messages.

    Only the plainest unsigned amounts ("1234,56", "1.234,56" under decimal ",") are read column-wise, and only
    when the vectorised reading is certainly the grammar's: no more decimals than the currency has, inside the
    bound.  Everything else -- signs, symbols, zero-decimal currencies with a separator, huge values, anything
    odd -- goes through the row reader's parser (`cobro.kernel.amounts`), so both paths refuse exactly the same.
    """
    if decimal_sep in (",", "."):
        thousands = "." if decimal_sep == "," else ","
        d = "\\" + decimal_sep if decimal_sep == "." else decimal_sep
        t = "\\" + thousands if thousands == "." else thousands
        # [0-9], not \d: polars' regex \d is Unicode and would admit Arabic-Indic digits
        plain = rf"^(?:[0-9]+|[0-9]{{1,3}}(?:{t}[0-9]{{3}})+)(?:{d}([0-9]+))?$"
        norm = pl.col("t").str.replace_all(thousands, "", literal=True).str.replace(decimal_sep, ".", literal=True)
    else:  # no separator known for the file: only whole numbers are certain
        plain = r"^[0-9]+$"
        norm = pl.col("t")
    df = pl.DataFrame({"t": text, "cur_name": currency, "e": currency_exp})
    df = df.with_columns(
        is_plain=pl.col("t").str.contains(plain),
        ip=norm.str.extract(r"^([0-9]+)", 1),
        fp=norm.str.extract(r"\.([0-9]+)$", 1).fill_null(""),
    )
    padded = pl.col("fp").str.pad_end(8, "0").str.slice(0, pl.col("e"))
    digits = pl.concat_str(pl.col("ip"), padded)
    # 18 digits or fewer: the cast cannot overflow Int64, and the bound decides the rest
    exact = pl.col("is_plain") & (pl.col("fp").str.len_chars() <= pl.col("e")) & (digits.str.len_chars() <= 18)
    df = df.with_columns(minor=pl.when(exact).then(digits.cast(pl.Int64, strict=False)).otherwise(None))
    df = df.with_columns(sure=pl.col("minor").is_not_null() & (pl.col("minor") <= MAX_MINOR))
    minor = df["minor"].zip_with(df["sure"], pl.Series([None] * df.height, dtype=pl.Int64))
    msg = pl.Series([None] * df.height, dtype=pl.String)
    odd = df.with_row_index("i").filter(~pl.col("sure"))
    if odd.height:
        m_list, e_list = minor.to_list(), msg.to_list()
        for i, value, cur in odd.select("i", "t", "cur_name").iter_rows():
            m_list[i], e_list[i] = slow(value, cur)
        minor, msg = pl.Series(m_list, dtype=pl.Int64), pl.Series(e_list, dtype=pl.String)
    return minor, msg


def h40_column(df: pl.DataFrame) -> pl.Series:
    """The same 40-bit hash as `fast_invoices.h40_key`, computed from a formatted key column."""
    def iso(col: str) -> pl.Expr:
        return pl.col(col).dt.to_string("%Y-%m-%d")

    key = pl.concat_str(
        pl.col("customer_code"), pl.col("customer_name"), iso("issue"), iso("due"), pl.col("currency"),
        pl.col("minor").cast(pl.String), pl.col("kind"),
        pl.when(pl.col("disputed_b")).then(pl.lit("True")).otherwise(pl.lit("False")),
        pl.col("corrects"), pl.col("channel"), pl.col("terms_code"),
        iso("settled").fill_null("None"), pl.col("seq").cast(pl.String), separator="|",
    )
    keys = df.select(key.cast(pl.Binary).alias("k"))["k"].to_list()  # UTF-8 bytes, as str.encode() gives
    # map() over the C checksums and the combination in polars: no Python-level loop per row
    crc = pl.Series(list(map(zlib.crc32, keys)), dtype=pl.Int64)
    adler = pl.Series(list(map(zlib.adler32, keys)), dtype=pl.Int64)
    return ((crc * 256) ^ (adler & 0xFF)).alias("h40")


def problems_from(df: pl.DataFrame, column_of: Callable[[str], str], file: str) -> list[Problem]:
    """Turn (row, field, message, code, severity) rows into Problems."""
    return [Problem(msg, file, int(row), column_of(fld), code, sev)
            for row, fld, msg, code, sev in df.select("row", "field", "message", "code", "severity").iter_rows()]


def over_legal_cap(issue: pl.Expr, due: pl.Expr) -> pl.Expr:
    """Spain's 60-day cap (Ley 3/2004 art. 4), column-wise: the same rule as `terms.exceeds_spanish_cap`."""
    return (due - issue).dt.total_days() > SPAIN_LEGAL_CAP_DAYS
