"""`cobro rates add|import|list` on a root of its own: rows land in the operator's rates directory, are read back by
`cobro interest`, and a bad row names the file, row and field with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cobro.interest import cli as interest

root = typer.Typer()


@root.callback()
def _root() -> None:
    """test root"""


interest.register(root)
runner = CliRunner()
PE = ["interest", "-j", "PE", "--amount", "1000.00", "--currency", "PEN", "--due", "2025-01-31", "--paid",
      "2025-03-02", "--json"]


@pytest.fixture
def rates_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "rates"
    monkeypatch.setenv("COBRO_RATES_DIR", str(folder))
    return folder


def _ok(*args: str) -> str:
    result = runner.invoke(root, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _fails(*args: str) -> str:
    result = runner.invoke(root, list(args))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.output


def test_a_period_without_a_row_says_not_loaded_then_an_added_row_is_used(rates_dir: Path) -> None:
    rates_dir.mkdir()
    out = _fails(*PE)
    assert "PE rate for 2025-02-01 not loaded: cobro rates add --jurisdiction PE --from 2025-02-01" in out
    _ok("rates", "add", "-j", "PE", "--from", "2025-02-01", "--to", "2025-03-31", "--rate", "3.65",
        "--source", "BCRP test row")
    doc = json.loads(_ok(*PE))
    # 30 days (1 Feb .. 2 Mar) at 3.65 % on 1,000.00 = 3.00
    assert (doc["interest"], doc["periods"][0]["rate"], doc["days_late"]) == ("3.00", "3.65", 30)
    assert doc["periods"][0]["source"] == "pe_bcrp_legal: BCRP test row"
    listed = json.loads(_ok("rates", "list", "-j", "PE", "--json"))
    assert listed == [{"jurisdiction": "PE", "table": "pe_bcrp_legal", "valid_from": "2025-02-01",
                       "valid_to": "2025-03-31", "rate": "3.65", "source": "BCRP test row", "status": "V",
                       "origin": "pe_bcrp_legal_operator.csv"}]


def test_a_row_with_an_existing_span_corrects_it_and_an_overlap_is_refused(rates_dir: Path) -> None:
    _ok("rates", "add", "-j", "ES", "--from", "2026-07-01", "--to", "2026-12-31", "--rate", "10.15", "--source", "a")
    _ok("rates", "add", "-j", "ES", "--from", "2026-07-01", "--to", "2026-12-31", "--rate", "10.40", "--source", "b")
    before = (rates_dir / "es_ley_3_2004_operator.csv").read_text(encoding="utf-8")
    assert "2026-07-01,2026-12-31,10.40,b,V" in before and "10.15" not in before
    out = _fails("rates", "add", "-j", "ES", "--from", "2026-06-01", "--to", "2026-09-30", "--rate", "9",
                 "--source", "c")
    assert "rows overlap" in out and "nothing written" in out
    assert (rates_dir / "es_ley_3_2004_operator.csv").read_text(encoding="utf-8") == before


@pytest.mark.parametrize(("rows", "message"), [
    (("jurisdiction,kind,valid_from,valid_to,rate,source\nCL,corriente,2025-01-01,2025-01-31,30,ok\n"
      "CL,corriente,2025-02-01,2025-02-30,30,bad\n"), "cmf.csv row 2, valid_to: '2025-02-30' is not a date"),
    ("jurisdiction,valid_from,valid_to,rate,source\nXX,2025-01-01,2025-01-31,30,s\n",
     "cmf.csv row 1, jurisdiction: unknown jurisdiction 'XX'"),
    ("jurisdiction,kind,valid_from,valid_to,rate,source\nCL,legal,2025-01-01,2025-01-31,30,s\n",
     "cmf.csv row 1, kind: unknown rate kind 'legal' for CL: use corriente"),
    ("jurisdiction,valid_from,valid_to,rate,source\nCL,2025-01-01,2025-01-31,3000,s\n",
     "cmf.csv row 1, rate: 3000 is outside 0..100"),
    ("jurisdiction,valid_from,valid_to,rate,source\nCL,2025-01-01,2025-01-31,30,\n", "cmf.csv row 1, source: required"),
    ("jurisdiction,valid_from,valid_to,rate,source,status\nCL,2025-01-01,2025-01-31,30,s,X\n",
     "cmf.csv row 1, status: must be V, K or ?"),
    ("jurisdiction,valid_from,valid_to,rate\nCL,2025-01-01,2025-01-31,30\n", "cmf.csv, header: missing column(s) source"),
    ("jurisdiction,valid_from,valid_to,rate,source\nMX,2025-01-01,2025-01-31,6,s\n",
     "cmf.csv row 1, jurisdiction: MX has no rate table"),
    ("jurisdiction,valid_from,valid_to,rate,source\nCL,2025-01-31,2025-01-01,30,s\n",
     "cmf.csv row 1, valid_to: 2025-01-01 is before valid_from 2025-01-31"),
])
def test_a_bad_import_row_names_file_row_and_field_and_writes_nothing(rates_dir: Path, tmp_path: Path, rows: str,
                                                                      message: str) -> None:
    path = tmp_path / "cmf.csv"
    path.write_text(rows, encoding="utf-8")
    out = _fails("rates", "import", str(path))
    assert message in out and "nothing written" in out
    assert not rates_dir.exists()


def test_an_import_fills_several_tables_and_list_shows_mexicos_statutory_rate(rates_dir: Path,
                                                                              tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("# CMF and SFC rows as published\njurisdiction,kind,valid_from,valid_to,rate,source,status\n"
                    "CL,corriente,2025-01-01,2025-01-31,30.5,\"CMF, enero\",V\n"
                    "CO,bancario_corriente,2025-01-01,2025-01-31,20,SFC,K\n", encoding="utf-8")
    assert "2 row(s) stored" in _ok("rates", "import", str(path))
    assert sorted(p.name for p in rates_dir.iterdir()) == ["cl_cmf_corriente_operator.csv",
                                                           "co_sfc_bancario_corriente_operator.csv"]
    listed = {(d["jurisdiction"], d["rate"], d["source"]) for d in json.loads(_ok("rates", "list", "--json"))
              if d["jurisdiction"] in ("CL", "CO", "MX")}
    assert listed == {("CL", "30.5", "CMF, enero"), ("CO", "20", "SFC"),
                      ("MX", "6", "Mexico, Código de Comercio art. 362")}
    # Colombia's default interest is 1.5 x the bancario corriente: 30.00 % a year
    doc = json.loads(_ok("interest", "-j", "CO", "--amount", "1000", "--currency", "COP", "--due", "2025-01-10",
                         "--paid", "2025-01-20", "--json"))
    assert doc["periods"][0]["rate"] == "30.0"


def test_without_a_rates_directory_add_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COBRO_RATES_DIR", raising=False)
    out = _fails("rates", "add", "-j", "ES", "--from", "2026-07-01", "--to", "2026-12-31", "--rate", "10",
                 "--source", "s")
    assert "set COBRO_RATES_DIR" in out
