"""`cobro escalation export|copies|update|import-updates|updates` through CliRunner, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from test_agency_handoff import _case  # type: ignore[import-not-found]
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.container import Container

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_agency_commands(container: Container, cli_env: dict[str, str], tmp_path: Path) -> None:
    _, _, case_id = _case(container)
    case = str(case_id)
    code, out = cli("escalation", "export", case, "--format", "json", "--out", str(tmp_path / "a.json"),
                    "--as-of", "2025-04-30")
    assert code == 0, out
    data = json.loads((tmp_path / "a.json").read_text())
    assert data["interest_to"] == "2025-03-25" and data["demands"][0]["channel"] == "email"
    code, out = cli("escalation", "export", case, "--format", "csv", "--out", str(tmp_path / "a.csv"))
    assert code == 0, out
    rows = list(csv.reader((tmp_path / "a.csv").open(encoding="utf-8")))
    assert rows[0][:3] == ["record", "case", "date"] and {r[0] for r in rows[1:]} >= {"debtor", "document", "demand"}
    assert cli("escalation", "export", "999", "--out", str(tmp_path / "x.json"))[0] == 2

    code, out = cli("escalation", "copies", case, "--out", str(tmp_path / "copies"))
    assert code == 0 and (tmp_path / "copies" / f"case-{case}-F-AG-1.pdf").read_bytes().startswith(b"%PDF")

    code, out = cli("escalation", "update", case, "--status", "won")
    assert code == 2 and "status: 'won'" in out
    code, out = cli("escalation", "update", case, "--status", "in progress", "--note", "calling", "--date",
                    "2025-03-26", "--reference", "R0")
    assert code == 0 and "in_progress" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(f"case,date,status\n{case},2025-03-27,maybe\n", encoding="utf-8")
    code, out = cli("escalation", "import-updates", str(bad))
    assert code == 2 and "bad.csv row 2, column status" in out and "nothing" in out
    good = tmp_path / "good.csv"
    good.write_text(f"case,date,status,recovered,reference\n{case},2025-03-28,recovered,1200.00,R9\n",
                    encoding="utf-8")
    code, out = cli("escalation", "import-updates", str(good), "--json")
    assert code == 0 and json.loads(out)["closed"] == [case_id]
    code, out = cli("escalation", "updates", case, "--json")
    assert [u["status"] for u in json.loads(out)] == ["in_progress", "recovered"]
    assert cli("escalation", "import-updates", str(tmp_path / "missing.csv"))[0] == 2
