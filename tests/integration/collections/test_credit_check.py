"""`cobro credit check`: limits from the record or the policy, raised only by approved higher_limit exceptions in
force, exposure on the as-of date; through the service and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from collections_builder import Ledger
from sqlalchemy import update
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.collections.service import credit, exceptions
from cobro.kernel.errors import NotFoundError
from cobro.ledger.records import CustomerRow
from cobro.platform.container import Container

D = dt.date
NOW = dt.datetime(2026, 1, 20, 8, 0, tzinfo=dt.UTC)
runner = CliRunner()


def call(container: Container, fn, *args, **kw):
    with container.uow() as uow:
        out = fn(uow, *args, **kw)
        uow.commit()
        return out


def line(container: Container, code: str, as_of: dt.date, currency: str = "EUR") -> dict:
    (check,) = call(container, credit.checks, as_of, code)
    data = check.as_dict()
    return next(x for x in data["lines"] if x["currency"] == currency) | {"stop": data["over_limit"]}


@pytest.fixture
def book(container: Container) -> Ledger:
    b = Ledger(container)
    b.policy()  # credit.limit {EUR: 20000.00}
    return b


def test_higher_limit_counts_only_approved_and_until_it_expires(container: Container, book: Ledger) -> None:
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2026, 1, 15), "12000.00")
    book.invoice(c, "F-2", D(2026, 1, 31), "10000.00")
    before = line(container, "ACME", D(2026, 1, 20))
    assert (before["limit"], before["source"], before["exposure"], before["headroom"]) == (
        "20000.00", "policy", "22000.00", "-2000.00")
    assert before["over_limit"] and before["stop"]
    ex = call(container, exceptions.request, customer="ACME", kind="higher_limit", value="30000 EUR",
              justification="seasonal order backed by a bank guarantee", user="ana", expires_on=D(2026, 2, 28),
              today=D(2026, 1, 20))
    assert line(container, "ACME", D(2026, 1, 20))["limit"] == "20000.00"  # requested is not approved
    call(container, exceptions.decide, ex.id, user="jorge", approve=True, today=D(2026, 1, 21), now=NOW)
    raised = line(container, "ACME", D(2026, 1, 21))
    assert (raised["limit"], raised["base_limit"], raised["source"], raised["exception"], raised["headroom"]) == (
        "30000.00", "20000.00", "exception", ex.id, "8000.00")
    assert not raised["over_limit"] and not raised["stop"]
    assert line(container, "ACME", D(2026, 2, 28))["exception"] == ex.id
    # the day after expiry the limit falls back, whether or not the cycle has marked it expired yet
    after = line(container, "ACME", D(2026, 3, 1))
    assert (after["limit"], after["exception"], after["over_limit"]) == ("20000.00", None, True)


def test_rejected_exception_record_limit_and_exposure_on_the_date(container: Container, book: Ledger) -> None:
    c = book.customer("BETA")
    book.invoice(c, "B-1", D(2026, 1, 15), "9000.00")
    book.invoice(c, "B-2", D(2026, 2, 15), "4000.00")  # issued 2026-01-16
    with container.uow() as uow:
        uow.session.execute(update(CustomerRow).where(CustomerRow.id == c).values(
            credit_limit_minor=1000000, credit_limit_currency="EUR"))
        uow.commit()
    ex = call(container, exceptions.request, customer="BETA", kind="higher_limit", value="50000 EUR",
              justification="asked by sales", user="luis", expires_on=D(2026, 6, 30), today=D(2026, 1, 10))
    call(container, exceptions.decide, ex.id, user="jorge", approve=False, today=D(2026, 1, 11), now=NOW)
    early = line(container, "BETA", D(2026, 1, 10))
    assert (early["limit"], early["source"], early["exposure"], early["over_limit"]) == (
        "10000.00", "customer", "9000.00", False)
    assert line(container, "BETA", D(2026, 1, 20))["exposure"] == "13000.00"
    book.pay(c, "B-1", "5000.00", D(2026, 2, 1))
    assert line(container, "BETA", D(2026, 1, 31))["over_limit"] is True  # the payment is not yet made
    paid = line(container, "BETA", D(2026, 2, 1))
    assert (paid["exposure"], paid["headroom"], paid["over_limit"]) == ("8000.00", "2000.00", False)
    with pytest.raises(NotFoundError):
        call(container, credit.checks, D(2026, 2, 1), "NOPE")


def test_cli_credit_check_and_customers_show(container: Container, book: Ledger, cli_env: dict[str, str]) -> None:
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2026, 1, 15), "22000.00")
    book.customer("QUIET")
    result = runner.invoke(app, ["credit", "check", "ACME", "--as-of", "2026-01-20", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["over_limit"] is True and data["lines"][0]["headroom"] == "-2000.00"
    result = runner.invoke(app, ["credit", "check", "--as-of", "2026-01-20", "--json"])
    assert [(r["customer"], r["over_limit"]) for r in json.loads(result.output)] == [("ACME", True), ("QUIET", False)]
    result = runner.invoke(app, ["credit", "check", "--as-of", "2026-01-20", "--over", "--json"])
    assert [r["customer"] for r in json.loads(result.output)] == ["ACME"]
    result = runner.invoke(app, ["credit", "check", "ACME", "--as-of", "2026-01-20"], env={"COLUMNS": "160"})
    assert result.exit_code == 0 and "OVER LIMIT" in result.output and "CREDIT STOP" in result.output
    result = runner.invoke(app, ["credit", "check", "NOPE"])
    assert result.exit_code == 2 and "NOPE" in result.output
    result = runner.invoke(app, ["customers", "show", "ACME"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "credit check: EUR limit 20000.00 (policy) exposure 22000.00 headroom -2000.00 OVER LIMIT" in result.output
    shown = json.loads(runner.invoke(app, ["customers", "show", "ACME", "--json"]).output)
    assert shown["credit_check"]["lines"][0]["limit"] == "20000.00"
