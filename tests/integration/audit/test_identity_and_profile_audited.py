"""Users, roles, API keys and the tenant profile are audited: who changed what, with the fields before and after
(never a password hash or an API key secret)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.container import Container

runner = CliRunner()


def _audit(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["audit", "show", "--json", *args])
    assert result.exit_code == 0, result.output
    entries: list[dict[str, object]] = json.loads(result.stdout)
    return entries


def test_users_keys_and_profile_changes_leave_entries(container: Container, cli_env: dict[str, str]) -> None:
    made = runner.invoke(app, ["--user", "ana", "user", "create", "--email", "luis@example.com", "--role",
                               "collector", "--tenant", "default", "--password-stdin"],
                         input="Sunny-harbour-2026\n")
    assert made.exit_code == 0, made.output
    key = runner.invoke(app, ["apikey", "create", "--tenant", "default", "--role", "auditor", "--name", "bi"])
    assert key.exit_code == 0, key.output
    secret = key.output.strip().splitlines()[-1].strip()
    assert secret.startswith("cobro_")
    updated = runner.invoke(app, ["--user", "ana", "tenant", "update", "default", "--phone", "+34 910 000 000"])
    assert updated.exit_code == 0, updated.output

    entries = _audit()
    kinds = [(e["entity"], e["action"]) for e in entries]
    assert ("user", "create") in kinds and ("membership", "grant") in kinds and ("api_key", "create") in kinds
    [profile] = [e for e in entries if e["entity"] == "tenant_profile"]
    assert profile["before"] == {"phone": ""} and profile["after"] == {"phone": "+34 910 000 000"}
    assert profile["actor_name"] == "ana"
    dumped = json.dumps(entries)
    assert "argon2" not in dumped and secret not in dumped
