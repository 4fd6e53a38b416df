import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from cobro.kernel.errors import InvalidInputError
from cobro.ledger.imports.tabular import (
    ValueProblem,
    detect_delimiter,
    detect_encoding,
    infer_decimal_separator,
    open_table,
    parse_amount,
    parse_bool,
    parse_date,
)


@pytest.mark.parametrize(
    ("text", "sep", "expected"),
    [
        ("1.234,56", ",", "1234.56"),
        ("1,234.56", ".", "1234.56"),
        ("1234,5", ",", "1234.5"),
        ("-12,50", ",", "-12.50"),
        ("(100.00)", ".", "-100.00"),
        ("€ 1.234.567,89", ",", "1234567.89"),
        ("1.234", ",", "1234"),
        ("12", ".", "12"),
    ],
)
def test_parse_amount(text: str, sep: str, expected: str) -> None:
    assert parse_amount(text, sep) == Decimal(expected)


def test_xlsx_floats_become_exact_decimals() -> None:
    assert parse_amount(59.8, ".") == Decimal("59.8")
    # the float's exact shortest text has 17 decimals: refused, never rounded to 0.30 behind the user's back
    with pytest.raises(ValueProblem, match="more decimals"):
        parse_amount(0.1 + 0.2, ".")
    with pytest.raises(ValueProblem, match="largest amount"):
        parse_amount(float(2**63), ".")


@pytest.mark.parametrize("text", ["abc", "", "1.2.3", "--"])
def test_bad_amounts(text: str) -> None:
    with pytest.raises(ValueProblem):
        parse_amount(text, ".")


def test_decimal_separator_inference() -> None:
    assert infer_decimal_separator(["1.234,56", "12,00", "7"]) == ","
    assert infer_decimal_separator(["1,234.56", "12.00"]) == "."


def test_dates() -> None:
    assert parse_date("2025-03-01") == dt.date(2025, 3, 1)
    assert parse_date("01/03/2025") == dt.date(2025, 3, 1)  # day first unless told otherwise
    assert parse_date("3/1/2025", "%m/%d/%Y") == dt.date(2025, 3, 1)
    assert parse_date("45717") == dt.date(2025, 3, 1)  # Excel serial
    assert parse_date(45717) == dt.date(2025, 3, 1)
    with pytest.raises(ValueProblem, match="impossible"):
        parse_date("31/02/2025")
    with pytest.raises(ValueProblem):
        parse_date("yesterday")


def test_bools() -> None:
    assert parse_bool("Sí") is True
    assert parse_bool("no") is False
    with pytest.raises(ValueProblem):
        parse_bool("maybe")


def test_delimiter_and_encoding_detection(tmp_path: Path) -> None:
    assert detect_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert detect_delimiter("a\tb\n1\t2\n") == "\t"
    latin = tmp_path / "l.csv"
    latin.write_bytes("cliente;razón\n1;Peña\n".encode("cp1252"))
    assert detect_encoding(latin) == "cp1252"
    bom = tmp_path / "b.csv"
    bom.write_bytes(b"\xef\xbb\xbfa,b\n")
    assert detect_encoding(bom) == "utf-8-sig"


def test_a_directory_or_a_binary_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not a file"):
        open_table(tmp_path)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InvalidInputError, match=r"bin\.csv: cannot decode"):
        open_table(binary)
