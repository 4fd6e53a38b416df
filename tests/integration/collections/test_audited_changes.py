"""Every state change a collector makes from the command line leaves an audit entry naming who (the `--user`),
the entity, the action and the state before and after; a refused change leaves none."""

from __future__ import annotations

import datetime as dt
import json

from collections_builder import Ledger
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.container import Container

runner = CliRunner()
DUE = dt.date(2025, 12, 5)


def _ok(*args: str) -> None:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output


def _audit(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["audit", "show", "--json", *args])
    assert result.exit_code == 0, result.output
    entries: list[dict[str, object]] = json.loads(result.stdout)
    return entries


def test_holds_disputes_promises_and_plans_are_audited(container: Container, cli_env: dict[str, str]) -> None:
    book = Ledger(container)
    c = book.customer("ACME")
    book.invoice(c, "F-1", DUE, "1000.00")
    book.invoice(c, "F-2", DUE, "500.00")
    _ok("hold", "add", "ACME", "--reason", "credit review", "--user", "ana")
    [hold] = _audit("--entity", "hold")
    assert (hold["action"], hold["actor_name"], hold["before"]) == ("add", "ana", None)
    assert isinstance(hold["after"], dict) and hold["after"]["reason"] == "credit review"

    _ok("hold", "release", str(hold["entity_id"]), "--user", "luis")
    released = _audit("--entity", "hold", "--id", str(hold["entity_id"]))[-1]
    assert released["action"] == "release" and released["actor_name"] == "luis"
    assert isinstance(released["before"], dict) and released["before"]["released_on"] is None
    assert isinstance(released["after"], dict) and released["after"]["released_on"] is not None

    _ok("dispute", "open", "ACME", "--invoice", "F-1", "--reason", "price", "--user", "ana")
    _ok("promise", "add", "ACME", "--amount", "200", "--date", "2099-01-10", "--user", "ana")
    collections = {"hold", "dispute", "promise"}  # the builder's tenant profile is audited too, before these
    assert [(e["entity"], e["action"]) for e in _audit() if e["entity"] in collections] == [
        ("hold", "add"), ("hold", "release"), ("dispute", "open"), ("promise", "make")]

    before = len(_audit())
    refused = runner.invoke(app, ["promise", "add", "ACME", "--amount", "-5", "--date", "2099-01-10"])
    assert refused.exit_code == 2
    assert len(_audit()) == before


def test_collections_changes_emit_webhook_events(container: Container, cli_env: dict[str, str]) -> None:
    from cobro.webhooks import service as webhooks

    book = Ledger(container)
    c = book.customer("ACME")
    book.invoice(c, "F-1", DUE, "1000.00")
    with container.uow() as uow:
        webhooks.subscribe(uow, url="https://erp.example.com/hooks", events=["dispute.opened", "promise.created"])
        uow.commit()
    _ok("dispute", "open", "ACME", "--invoice", "F-1", "--reason", "price")
    _ok("promise", "add", "ACME", "--amount", "200", "--date", "2099-01-10")
    refused = runner.invoke(app, ["dispute", "open", "ACME", "--invoice", "F-404", "--reason", "price"])
    assert refused.exit_code == 2
    with container.uow() as uow:
        queued = webhooks.deliveries(uow, status="pending")
    assert sorted((d.event_type, d.entity.split(":")[0]) for d in queued) == [
        ("dispute.opened", "dispute"), ("promise.created", "promise")]
