"""The collections commands end to end through Typer's CliRunner, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from collections_builder import POLICY, Ledger
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.container import Container

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_policy_validate_reports_yaml_paths(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(POLICY.read_text().replace("channel: whatsapp", "channel: pigeon")
                   .replace("tone: formal", "tone: rude"))
    code, out = cli("policy", "validate", str(bad))
    assert code == 2
    assert "steps[2].channel" in out and "steps[5].tone" in out
    assert cli("policy", "validate", str(POLICY))[0] == 0


def test_apply_cycle_explain_exception(container: Container, cli_env: dict[str, str]) -> None:
    book = Ledger(container)
    c = book.customer("ACME")
    book.invoice(c, "F-1", dt.date(2025, 12, 5))
    code, out = cli("policy", "apply", str(POLICY), "--user", "ana")
    assert code == 0 and "version 1" in out
    assert cli("policy", "apply", str(POLICY))[1].count("version 2") == 1
    code, out = cli("policy", "show", "--json")
    assert json.loads(out)["policies"]["standard"]["version"] == 2

    code, out = cli("cycle", "run", "--as-of", "2025-12-11", "--dry-run", "--json")
    assert code == 0 and json.loads(out)["actions"][0]["step"] == "reminder_1"
    code, out = cli("cycle", "run", "--as-of", "2025-12-11", "--json")
    data = json.loads(out)
    assert [(a["customer"], a["step"], a["channel"]) for a in data["actions"]] == [("ACME", "reminder_1", "email")]
    assert data["actions"][0]["items"][0]["invoice"] == "F-1" and data["counts"]["planned"] == 1
    assert json.loads(cli("cycle", "run", "--as-of", "2025-12-11", "--json")[1])["actions"] == []

    code, out = cli("cycle", "explain", "ACME", "--as-of", "2025-12-12", "--json")
    info = json.loads(out)["currencies"][0]
    assert info["steps_done"] == [{"step": "reminder_1", "on": "2025-12-11"}]
    assert info["next"]["step"] == "whatsapp" and info["items"][0]["step"] == "reminder_1"
    assert cli("cycle", "explain", "ACME", "--as-of", "2025-12-12")[0] == 0

    code, out = cli("exception", "request", "ACME", "--kind", "pause", "-j", "negotiating", "--expires",
                    "2099-01-31", "--user", "maria")
    assert code == 0, out
    code, out = cli("exception", "approve", "1", "--user", "maria")
    assert code == 2 and "four eyes" in out
    assert cli("exception", "approve", "1", "--user", "jorge")[0] == 0
    assert json.loads(cli("exception", "list", "--json")[1])[0]["status"] == "approved"

    assert cli("hold", "add", "ACME", "--reason", "audit", "--until", "2099-01-01")[0] == 0
    assert len(json.loads(cli("hold", "list", "--json")[1])) == 1
    assert cli("dispute", "open", "ACME", "--invoice", "F-1", "--reason", "price", "--amount", "10.00",
               "--owner", "ventas", "--user", "lucia")[0] == 0
    assert cli("dispute", "open", "ACME", "--invoice", "F-404", "--reason", "price")[0] == 2
    assert cli("promise", "add", "ACME", "--amount", "100", "--date", "2099-01-10")[0] == 0
    assert json.loads(cli("promise", "list", "--json")[1])[0]["grace_days"] == 3
    assert cli("terms", "acknowledge", "ACME", "--by", "Ana Admin")[0] == 0
    events = json.loads(cli("tasks", "timeline", "ACME", "--json")[1])
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "dunning.email" and "terms.acknowledged" in kinds
    assert [e["actor"] for e in events if e["kind"] == "dispute.opened"] == ["lucia"]  # who recorded it
    assert json.loads(cli("tasks", "list", "--json")[1]) == []
    assert json.loads(cli("escalation", "list", "--json")[1]) == []
