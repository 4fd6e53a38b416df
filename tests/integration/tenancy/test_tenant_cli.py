"""`cobro tenant create|list|show|update` and `cobro init --tenant`, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.container import Container
from cobro.tenancy.service import list_tenants
from tests.unit.tenancy.test_profile_rules import png

runner = CliRunner()
PNG = png()
PROFILE = ("--legal-name", "Acme Cobros SL", "--tax-id", "B58818501", "--country", "ES",
           "--iban", "ES91 2100 0418 4502 0005 1332", "--address", "Calle Mayor 1", "--address", "2º izquierda",
           "--postal-code", "28013", "--city", "Madrid", "--sender-email", "cobros@acme.example",
           "--time-zone", "Europe/Madrid", "--currency", "EUR", "--language", "es")


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def shown(code: str) -> dict[str, object]:
    status, out = cli("tenant", "show", code, "--json")
    assert status == 0, out
    data: dict[str, object] = json.loads(out)
    return data


def test_create_list_show_update(container: Container, cli_env: dict[str, str], tmp_path: Path) -> None:
    status, out = cli("tenant", "create", "acme", "--name", "Acme", *PROFILE)
    assert status == 0, out
    acme = shown("acme")
    assert (acme["legal_name"], acme["iban"], acme["bic"], acme["address_lines"]) == (
        "Acme Cobros SL", "ES9121000418450200051332", "CAIXESBB", ["Calle Mayor 1", "2º izquierda"])
    status, out = cli("tenant", "list", "--json")
    assert [t["code"] for t in json.loads(out)] == ["acme", "default"]
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    status, out = cli("tenant", "update", "acme", "--name", "Acme Group", "--trade-name", "Acme",
                      "--city", "Sevilla", "--postal-code", "41001", "--logo", str(logo))
    assert status == 0, out
    acme = shown("acme")
    assert (acme["name"], acme["trade_name"], acme["city"], acme["legal_name"]) == (
        "Acme Group", "Acme", "Sevilla", "Acme Cobros SL")  # fields not given are kept
    assert acme["logo"] == {"media_type": "image/png", "bytes": len(PNG)}
    assert cli("tenant", "update", "acme", "--no-logo", "--trade-name", "")[0] == 0
    assert shown("acme")["logo"] is None and shown("acme")["trade_name"] == ""
    with container.uow() as uow:  # the service reads what the CLI wrote
        assert [t.profile.legal_name for t in list_tenants(uow).tenants] == ["Acme Cobros SL", ""]


def test_bad_input_exits_2_names_the_option_and_writes_nothing(container: Container, cli_env: dict[str, str],
                                                               tmp_path: Path) -> None:
    assert cli("tenant", "create", "acme", "--name", "Acme", *PROFILE)[0] == 0
    before = shown("acme")
    status, out = cli("tenant", "update", "acme", "--city", "Bilbao", "--iban", "ES0021000418450200051332",
                      "--tax-id", "B12345678", "--time-zone", "Europe/Atlantis")
    assert status == 2
    assert "--iban: 'ES0021000418450200051332' is not a valid IBAN" in out
    assert "--tax-id: invalid ES NIF/CIF/NIE" in out and "--time-zone:" in out and "nothing was written" in out
    assert "Traceback" not in out
    assert shown("acme") == before  # not even the good --city
    svg = tmp_path / "logo.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    status, out = cli("tenant", "update", "acme", "--logo", str(svg))
    assert status == 2 and "--logo: SVG refused: it contains <script>" in out
    big = tmp_path / "big.png"
    big.write_bytes(PNG + b"\0" * 600_000)
    status, out = cli("tenant", "update", "acme", "--logo", str(big))
    assert status == 2 and "at most 512 KiB" in out
    assert shown("acme") == before
    status, out = cli("tenant", "create", "Bad Slug", "--name", "X")
    assert status == 2 and "tenant code 'Bad Slug'" in out
    status, out = cli("tenant", "create", "newco", "--name", "Newco", "--iban", "[red]nope[/]")
    assert status == 2 and "--iban: '[red]nope[/]' is not a valid IBAN" in out  # the value as typed, not markup
    assert [t["code"] for t in json.loads(cli("tenant", "list", "--json")[1])] == ["acme", "default"]
    status, out = cli("tenant", "create", "acme", "--name", "Again")
    assert status == 2 and "already exists" in out
    status, out = cli("tenant", "show", "nope")
    assert status == 2 and "cobro tenant create nope --name" in out


def test_init_creates_the_tenant(container: Container, cli_env: dict[str, str]) -> None:
    status, out = cli("init", "--tenant", "filial")
    assert status == 0 and "tenant filial created" in out
    assert cli("init", "--tenant", "filial")[0] == 0  # idempotent
    assert shown("filial")["name"] == "filial"
    # a tenant can be created while acting for it, before it exists
    status, out = cli("--tenant", "fresh", "tenant", "create", "fresh", "--name", "Fresh SL")
    assert status == 0, out
    assert shown("fresh")["legal_name"] == "Fresh SL"
    status, out = cli("--tenant", "filial", "customers", "list", "--json")
    assert status == 0, out  # the new tenant is usable at once
