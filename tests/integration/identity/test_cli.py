"""`cobro user …` and `cobro apikey …` on SQLite and PostgreSQL; the CLI's actor and four eyes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.identity import service
from cobro.platform.actor import ActorKind
from cobro.platform.cli.context import State
from cobro.platform.container import Container

runner = CliRunner()
PASSWORD = "Sunny-harbour-2026"


def test_user_create_list_and_add_role(cli_env: dict[str, str]) -> None:
    created = runner.invoke(app, ["user", "create", "--email", "Ana@Example.com", "--role", "collector",
                                  "--password-stdin"], input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    assert "ana@example.com created: collector of tenant default" in created.output
    again = runner.invoke(app, ["user", "create", "--email", "ana@example.com", "--role", "collector",
                                "--password-stdin"], input=PASSWORD + "\n")
    assert again.exit_code == 2 and "exists already" in again.output
    weak = runner.invoke(app, ["user", "create", "--email", "bo@example.com", "--role", "sales",
                               "--password-stdin"], input="12345\n")
    assert weak.exit_code == 2 and "password: must have at least 12 characters" in weak.output
    bad_role = runner.invoke(app, ["user", "add-role", "--email", "ana@example.com", "--role", "boss"])
    assert bad_role.exit_code == 2 and "unknown role 'boss'" in bad_role.output
    assert runner.invoke(app, ["user", "add-role", "--email", "ana@example.com", "--role", "auditor"]).exit_code == 0
    listed = runner.invoke(app, ["user", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    [user] = json.loads(listed.output)
    assert user["email"] == "ana@example.com" and "password" not in json.dumps(user)
    assert user["memberships"] == [{"tenant": "default", "role": "auditor", "default": True}]
    assert "Traceback" not in weak.output + bad_role.output
    off = runner.invoke(app, ["user", "deactivate", "--email", "ana@example.com"])
    assert off.exit_code == 0 and "ana@example.com deactivated" in off.output
    assert json.loads(runner.invoke(app, ["user", "list", "--json"]).output)[0]["active"] is False
    assert runner.invoke(app, ["user", "deactivate", "--email", "nobody@example.com"]).exit_code == 2


def test_apikey_create_list_revoke(cli_env: dict[str, str]) -> None:
    created = runner.invoke(app, ["--user", "ops", "apikey", "create", "--role", "auditor", "--name", "BI"])
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("cobro_")
    listed = json.loads(runner.invoke(app, ["apikey", "list", "--json"]).output)
    assert [(k["name"], k["role"], k["created_by"], k["revoked_at"]) for k in listed] == [("BI", "auditor", "ops", None)]
    assert secret not in json.dumps(listed)
    prefix = listed[0]["prefix"]
    assert runner.invoke(app, ["apikey", "revoke", "nope"]).exit_code == 2
    revoked = runner.invoke(app, ["apikey", "revoke", prefix])
    assert revoked.exit_code == 0 and f"API key {prefix} (BI) revoked" in revoked.output
    assert json.loads(runner.invoke(app, ["apikey", "list", "--json"]).output)[0]["revoked_at"] is not None
    unknown = runner.invoke(app, ["apikey", "create", "--role", "auditor", "--name", "x", "--tenant", "ghost"])
    assert unknown.exit_code == 2 and "ghost" in unknown.output


def test_the_cli_acts_as_the_named_user(container: Container) -> None:
    st = State(container)
    st.user = "marta"
    actor = st.container().actor
    assert actor is not None and (actor.kind, actor.name, actor.role) == (ActorKind.CLI, "marta", "admin")
    with container.uow() as uow:
        assert uow.actor == actor
        assert service.user_count(uow) == 0


def test_serve_on_a_network_address_refuses_without_a_key_and_a_user(cli_env: dict[str, str]) -> None:
    refused = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert refused.exit_code == 2, refused.output
    assert "COBRO_SECRET_KEY" in refused.output and "at least one user" in refused.output
    assert "Traceback" not in refused.output


def test_the_demo_gets_a_login_that_works(db_url: str) -> None:
    from cobro.app.serve import demo_login
    from cobro.platform.container import build
    from cobro.platform.settings import Settings

    settings = Settings(database_url=db_url)
    email, first = demo_login(settings)
    _, second = demo_login(settings)  # again: the same user, a new password
    assert first != second
    container = build(settings)
    try:
        with container.uow() as uow:
            ok = service.authenticate(uow, email=email, password=second, address="127.0.0.1",
                                      now=container.clock.now())
            assert ok.user is not None and ok.user.memberships[0].role == "admin"
    finally:
        container.close()


def test_the_demo_prints_a_login_per_role_and_each_works(db_url: str) -> None:
    from cobro.app.serve import demo_logins
    from cobro.platform.container import build
    from cobro.platform.settings import Settings

    settings = Settings(database_url=db_url)
    logins = demo_logins(settings)
    assert [role for role, *_ in logins] == ["admin", "credit_manager", "collector", "sales", "auditor"]
    container = build(settings)
    try:
        with container.uow() as uow:
            for role, email, _, password in logins:
                ok = service.authenticate(uow, email=email, password=password, address="127.0.0.1",
                                          now=container.clock.now())
                assert ok.user is not None and ok.user.memberships[0].role == role, role
    finally:
        container.close()
