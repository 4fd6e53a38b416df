"""Statement amounts under the one grammar, end to end through `cobro import statement` (SQLite and PostgreSQL):
three decimals in EUR, a negative credit and an amount past the bound are errors naming the entry; nothing is
written, nothing is stored as "ignored"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cobro.cashapp.domain.matching import Line
from cobro.demo.statements import to_camt053
from tests.integration.cashapp.test_statements import DAY, OUR_IBAN, cobro, cobro_json, ledger, open_amounts

__all__ = ["ledger"]  # the fixture, shared with the statement tests

GOOD = b'<Amt Ccy="EUR">500.00</Amt>'


def _camt(tmp: Path, name: str, amount: bytes) -> Path:
    # a second entry, so that the closing balance (623.45) does not read 500.00 too
    data = to_camt053([Line("a", 50000, "EUR", DAY, "", "F-2026-0102", "", "", ""),
                       Line("b", 12345, "EUR", DAY, "", "other", "", "", "")], account=OUR_IBAN, when=DAY)
    assert data.count(GOOD) == 1
    path = tmp / name
    path.write_bytes(data.replace(GOOD, b'<Amt Ccy="EUR">' + amount + b"</Amt>"))
    return path


def _refused(path: Path) -> dict[str, object]:
    before = open_amounts()
    code, out = cobro("import", "statement", str(path), "--json")
    assert code == 2, out
    report = json.loads(out)
    assert open_amounts() == before
    assert cobro_json("matches", "review") == []
    errors = report["errors"]
    assert isinstance(errors, list) and errors
    first: dict[str, object] = errors[0]
    assert first["file"] == path.name
    return first


@pytest.mark.parametrize(("amount", "says"), [
    (b"500.005", "more decimals than EUR allows"),  # was rounded to 500.01 without a word
    (b"-500.00", "has a sign"),  # a credit with a negative amount: was stored as ignored
    (b"2000000000.00", "largest amount"),
    (b"5e2", "contains 'e'"),
    (b"1,5", "does not group three digits"),
])
def test_camt_entry_amounts(ledger: Path, amount: bytes, says: str) -> None:
    error = _refused(_camt(ledger, "bad.xml", amount))
    assert says in str(error["message"])
    assert "Ntry" in str(error["column"])  # the XML path of the entry


def test_camt_three_decimals_in_a_three_decimal_currency_are_fine() -> None:
    from cobro.cashapp.bank import parse_bytes

    data = to_camt053([Line("a", 50000, "EUR", DAY, "", "x", "", "", "")], account=OUR_IBAN, when=DAY)
    parsed = parse_bytes(data.replace(GOOD, b'<Amt Ccy="KWD">500.125</Amt>'), "kwd.xml")
    assert [str(t.amount) for t in parsed.transactions] == ["500.125"]


MT940 = """:20:STMT1
:25:{iban}
:28C:1/1
:60F:C260310EUR0,00
:61:2603100310C{amount}NTRFNONREF
:86:F-2026-0102
:62F:C260310EUR500,00
-
"""


@pytest.mark.parametrize(("amount", "says", "line"), [
    ("500,005", "more decimals than EUR allows", 5),
    ("999999999999,00", "largest amount", 5),
])
def test_mt940_entry_amounts(ledger: Path, amount: str, says: str, line: int) -> None:
    path = ledger / "bad.sta"
    path.write_text(MT940.format(iban=OUR_IBAN, amount=amount), encoding="latin-1")
    error = _refused(path)
    assert says in str(error["message"])
    assert error["row"] == line


def test_mt940_good_amount_still_matches(ledger: Path) -> None:
    path = ledger / "good.sta"
    path.write_text(MT940.format(iban=OUR_IBAN, amount="500,"), encoding="latin-1")
    report = cobro_json("import", "statement", str(path))
    assert isinstance(report, dict) and report["created"] == 1, report
