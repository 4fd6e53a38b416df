"""A CLI import counts its rows and problems where /metrics reads them (platform/cli/reports.import_in_uow)."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import REGISTRY
from typer.testing import CliRunner

from cobro.app.cli import app

runner = CliRunner()
CUSTOMERS = "code,legal_name,country\nC001,Construcciones Peña SL,ES\nC002,Distribuidora Núñez SA,ES\n"
BAD = "code,legal_name,country\nC003,,ES\n"


def count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, {"tenant": "default", "kind": "customers", **labels}) or 0.0


def test_imports_are_counted(cli_env: dict[str, str], tmp_path: Path) -> None:
    rows, errors = count("cobro_import_rows_total"), count("cobro_import_errors_total")
    rejected = count("cobro_imports_total", outcome="rejected")
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "bad.csv").write_text(BAD, encoding="utf-8")
    assert runner.invoke(app, ["import", "customers", str(tmp_path / "c.csv")]).exit_code == 0
    assert runner.invoke(app, ["import", "customers", str(tmp_path / "bad.csv")]).exit_code == 2
    assert count("cobro_import_rows_total") - rows == 2
    assert count("cobro_import_errors_total") - errors >= 1
    assert count("cobro_imports_total", outcome="rejected") - rejected == 1
