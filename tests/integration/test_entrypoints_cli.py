"""The CLI's entrypoint rules: "today" comes from the container's clock (a test fixes it), never the wall clock."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.kernel.clock import FixedClock
from cobro.platform.cli.context import State, parse_day
from cobro.platform.container import Container, build
from cobro.platform.settings import Settings

runner = CliRunner()
TODAY = dt.date(2025, 5, 1)  # far from the real today: a wall-clock read shows up

CUSTOMERS = "code,legal_name,country\nC001,Construcciones Peña SL,ES\n"
INVOICES = ("number,customer,issue_date,due_date,amount,currency\n"
            "F-1,C001,2025-01-15,2025-03-25,1234.56,EUR\n"   # 37 days past due on TODAY
            "F-2,C001,2025-04-01,2025-06-01,100.00,EUR\n")   # not due on TODAY


@pytest.fixture
def fixed(db_url: str, cli_env: dict[str, str], tmp_path: Path) -> Iterator[Container]:
    """A small ledger, and a container whose clock says TODAY."""
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "i.csv").write_text(INVOICES, encoding="utf-8")
    for kind in ("customers", "invoices"):
        result = runner.invoke(app, ["import", kind, str(tmp_path / f"{kind[0]}.csv")])
        assert result.exit_code == 0, result.output
    container = build(Settings(database_url=db_url), clock=FixedClock(dt.datetime(2025, 5, 1, 9, tzinfo=dt.UTC)))
    yield container
    container.close()


def invoke(container: Container, *args: str) -> str:
    result = runner.invoke(app, list(args), obj=State(container))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_parse_day_has_no_implicit_today() -> None:
    assert parse_day("2025-02-03") == dt.date(2025, 2, 3)
    assert parse_day(None, TODAY) == TODAY
    with pytest.raises(typer.BadParameter):
        parse_day(None)


def test_report_date_defaults_to_the_container_clock(fixed: Container) -> None:
    data = json.loads(invoke(fixed, "report", "ageing", "--format", "json"))
    assert data["as_of"] == TODAY.isoformat()
    explicit = json.loads(invoke(fixed, "report", "ageing", "--as-of", TODAY.isoformat(), "--format", "json"))
    assert data == explicit
    assert json.loads(invoke(fixed, "report", "kpis", "--format", "json"))["as_of"] == TODAY.isoformat()


def test_customers_show_counts_days_past_due_by_the_container_clock(fixed: Container) -> None:
    data = json.loads(invoke(fixed, "customers", "show", "C001", "--json"))
    assert {i["invoice"]: i["days_past_due"] for i in data["open_items"]} == {"F-1": 37, "F-2": -31}


def test_demo_ends_by_serving_with_the_function_it_was_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cobro.demo import cli as demo

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("cobro.demo.story.run_story", lambda *args, **kwargs: [])  # the story itself: test_demo.py
    served: list[Settings] = []
    root = typer.Typer()
    root.callback()(lambda: None)
    demo.register(root, serve=served.append)
    assert runner.invoke(root, ["demo", "--no-serve", "--out", "out"]).exit_code == 0
    assert served == []
    result = runner.invoke(root, ["demo", "--out", "out", "--db", f"sqlite:///{tmp_path / 'd.db'}"])
    assert result.exit_code == 0, result.output
    assert [s.database_url for s in served] == [f"sqlite:///{tmp_path / 'd.db'}"]


def test_sepa_collection_date_defaults_to_two_days_after_the_container_clock(fixed: Container, tmp_path: Path) -> None:
    from lxml import etree

    invoke(fixed, "sepa", "creditor", "Cobro Demo SL", "ES9121000418450200051332", "ES11ZZZB12345674")
    invoke(fixed, "sepa", "mandate", "add", "C001", "MANDATE-001", "ES7620770024003102575766", "--signed", "2025-01-02")
    xml = tmp_path / "dd.xml"
    result = json.loads(invoke(fixed, "sepa", "export", "--due-by", "2025-04-30", "--out", str(xml), "--json"))
    assert result["transactions"] == 1
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}
    collection = etree.fromstring(xml.read_bytes()).findtext(".//p:ReqdColltnDt", namespaces=ns)
    assert collection is not None and collection.startswith("2025-05-03")


def test_customers_show_adds_the_sections_it_is_given(fixed: Container) -> None:
    from cobro.ledger.cli import core
    from cobro.platform.cli.compose import Section

    root = typer.Typer()
    root.callback()(lambda: None)
    core.register(root, customer_sections=[
        lambda uow, code, day: Section("probe", {"code": code, "day": day.isoformat()}, (f"probe {code} {day}",))])
    shown = runner.invoke(root, ["customers", "show", "C001", "--json"], obj=State(fixed))
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert data["probe"] == {"code": "C001", "day": TODAY.isoformat()}
    assert "credit_check" not in data  # the credit check is collections' section, added by the app
    assert f"probe C001 {TODAY}" in runner.invoke(root, ["customers", "show", "C001"], obj=State(fixed)).stdout
    assert "credit_check" in json.loads(invoke(fixed, "customers", "show", "C001", "--json"))
