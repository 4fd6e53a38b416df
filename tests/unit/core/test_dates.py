"""The dates a person may ask about (kernel/dates.py) and the CLI's --as-of that reads them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import typer

from cobro.kernel.dates import EARLIEST_DAY, LATEST_DAY, check_day, parse_day
from cobro.platform.cli.context import parse_day as cli_day


@pytest.mark.parametrize("text", ["1990-01-01", "2025-06-30", " 2024-02-29 ", "2100-12-31"])
def test_days_in_the_range(text: str) -> None:
    assert parse_day(text) == dt.date.fromisoformat(text.strip())
    assert cli_day(text) == parse_day(text)


@pytest.mark.parametrize(("text", "says"), [
    ("0", "not a date"), ("1700000000", "not a date"), ("20250630", "not a date"), ("2025-W26-1", "not a date"),
    ("2025-6-30", "not a date"), ("", "not a date"), ("2025-02-30", "no such day"),
    ("1970-01-01", "outside 1990-01-01..2100-12-31"), ("1989-12-31", "outside"), ("0001-01-01", "outside"),
    ("2101-01-01", "outside"), ("9999-12-31", "outside"),
])
def test_days_refused_with_a_reason(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_day(text)
    with pytest.raises(typer.BadParameter, match=says):  # the CLI's --as-of: exit 2 and the message
        cli_day(text)


def test_check_day_bounds() -> None:
    assert check_day(EARLIEST_DAY) == EARLIEST_DAY and check_day(LATEST_DAY) == LATEST_DAY
    for outside in (EARLIEST_DAY - dt.timedelta(days=1), LATEST_DAY + dt.timedelta(days=1)):
        with pytest.raises(ValueError, match="outside"):
            check_day(outside)


def test_cli_as_of_out_of_range_is_exit_2(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cobro.app.cli import app

    for command in (["report", "ageing"], ["ledger", "summary"]):
        result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'x.db'}", *command, "--as-of", "1970-01-01"])
        assert result.exit_code == 2, result.output
        assert "outside 1990-01-01..2100-12-31" in result.output and "Traceback" not in result.output
