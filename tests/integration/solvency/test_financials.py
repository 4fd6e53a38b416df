"""`cobro import financials` and solvency evidence in risk, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.demo import repository as demo_writer
from cobro.demo.generator import DemoSpec
from cobro.platform.container import Container
from cobro.risk.service import scores as risk
from cobro.solvency.model.model import ModelParams, train

runner = CliRunner()
AS_OF = dt.date(2026, 6, 30)

CUSTOMERS = (
    "Código;Razón social;País;NIF;Segmento;Límite de crédito;Condiciones\n"
    "C001;Construcciones Peña SL;ES;B12345674;construcción;15.000,00;net 60\n"
    "C002;Distribuidora Núñez SA;ES;A58818501;mayorista;;eom 30\n"
)
HEADER = ("Cliente;Ejercicio;Activo total;Activo corriente;Existencias;Tesorería;Pasivo corriente;"
          "Patrimonio neto;Reservas;Importe neto de la cifra de negocios;Resultado de explotación;"
          "Gastos financieros;Resultado del ejercicio\n")
GOOD = HEADER + (
    "C001;2024;1.234.567,89;700.000;150.000;80.000;450.000;520.000;300.000;1.900.000;140.000;(12.000);95.000\n"
    "C001;2025;1.300.000;720.000;160.000;75.000;470.000;560.000;330.000;2.000.000;150.000;(11.000);100.000\n"
    "B12345674;2023;1.100.000;650.000;140.000;90.000;430.000;480.000;270.000;1.800.000;130.000;(13.000);88.000\n"
    "C002;2025;800.000;500.000;100.000;20.000;650.000;30.000;-90.000;900.000;-60.000;(25.000);-85.000\n"
)
# C003 is deteriorating into distress; used against the demo ledger below (codes there are C000001 ...)
DISTRESS = HEADER.replace("Cliente;", "Cliente;").rstrip("\n") + "\n" + (
    "{code};2024;1.000.000;600.000;150.000;60.000;500.000;250.000;120.000;1.500.000;45.000;20.000;15.000\n"
    "{code};2025;900.000;450.000;150.000;10.000;640.000;20.000;-110.000;1.150.000;-90.000;30.000;-120.000\n"
)


def cobro(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def _write(tmp: Path, name: str, content: str) -> Path:
    path = tmp / name
    path.write_text(content, encoding="utf-8")
    return path


def _stored(container: Container) -> list[tuple[object, ...]]:
    with container.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT c.code, f.year, f.currency, f.total_assets_minor, f.interest_expense_minor, f.retained_earnings_minor "
            "FROM financial_statements f JOIN customers c ON c.id = f.customer_id ORDER BY c.code, f.year"))]


def test_import_is_atomic_idempotent_and_reports_row_and_column(container: Container, cli_env: dict[str, str],
                                                                 tmp_path: Path) -> None:
    code, out = cobro("import", "customers", str(_write(tmp_path, "customers.csv", CUSTOMERS)))
    assert code == 0, out
    bad = GOOD + "C001;2022;1.000.000;abc;1;1;1;1;1;1;1;1;1\nC999;2025;1;1;1;1;1;1;1;1;1;1;1\n"
    code, out = cobro("import", "financials", str(_write(tmp_path, "bad.csv", bad)), "--json")
    assert code == 2
    errors = json.loads(out)["errors"]
    assert {k: errors[0][k] for k in ("file", "row", "column")} == {"file": "bad.csv", "row": 6, "column": "Activo corriente"}
    assert any(e["row"] == 7 and e["column"] == "Cliente" and "C999" in e["message"] for e in errors)
    assert _stored(container) == []  # nothing written

    good = _write(tmp_path, "cuentas.csv", GOOD)
    code, out = cobro("import", "financials", str(good), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert (report["created"], report["updated"], report["unchanged"]) == (4, 0, 0)
    assert any("stored as positive" in w["message"] for w in report["warnings"])
    rows = _stored(container)
    assert rows[0] == ("C001", 2023, "EUR", 110_000_000, 1_300_000, 27_000_000)  # found by tax id; minor units
    assert rows[1] == ("C001", 2024, "EUR", 123_456_789, 1_200_000, 30_000_000)
    assert rows[3][:3] == ("C002", 2025, "EUR") and rows[3][5] == -9_000_000

    code, out = cobro("import", "financials", str(good), "--json")
    assert code == 0 and (json.loads(out)["created"], json.loads(out)["unchanged"]) == (0, 4)
    code, out = cobro("import", "financials", str(_write(tmp_path, "v2.csv", GOOD.replace("1.300.000;", "1.310.000;"))),
                      "--json")
    assert code == 0 and (json.loads(out)["updated"], json.loads(out)["unchanged"]) == (1, 3)
    assert len(_stored(container)) == 4


def _delinquent_ledger(container: Container) -> str:
    """A small demo ledger; the code of a delinquent customer (the one to give bad accounts)."""
    with container.engine.begin() as conn:
        demo_writer.write_demo(conn, tenant_code="default", spec=DemoSpec(debtors=12, invoices=240, seed=5, as_of=AS_OF),
                               chunk_documents=240)
    with container.uow() as uow:
        ctx = risk.build(uow, AS_OF, rates=container.rates)
    delinquent = sorted(p.customer.code for p in ctx.profiles if p.classification is not None
                        and p.classification.label != "solvency_falling")
    assert delinquent
    return delinquent[0]


def test_stored_statements_drive_risk_reasons_and_classification(container: Container, cli_env: dict[str, str],
                                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = _delinquent_ledger(container)
    monkeypatch.setenv("COBRO_MODEL_DIR", str(tmp_path / "no-models"))
    rc, out = cobro("import", "financials", str(_write(tmp_path, "f.csv", DISTRESS.format(code=code))))
    assert rc == 0, out

    rc, out = cobro("risk", "score", "--as-of", AS_OF.isoformat(), "--json")
    assert rc == 0, out
    mine = next(s for s in json.loads(out)["scores"] if s["customer"] == code)
    assert any("accounts 2025: Altman Z''" in r and "distress zone" in r and "Altman only" in r for r in mine["reasons"])
    assert any(r.startswith("solvency indicators falling") and "current ratio" in r for r in mine["reasons"])
    assert mine["components"]["solvency"] == 15.0

    rc, out = cobro("risk", "classify", "--as-of", AS_OF.isoformat(), "--json")
    assert rc == 0, out
    cls = next(c for c in json.loads(out) if c["customer"] == code)
    assert cls["label"] == "solvency_falling" and cls["nature"] == "liquidity"
    assert any("distress zone" in e and "worsened in the latest accounts" in e for e in cls["evidence"])

    rc, out = cobro("risk", "show", code, "--as-of", AS_OF.isoformat(), "--json")
    assert rc == 0, out
    sol = json.loads(out)["solvency"]
    assert [y["year"] for y in sol["years"]] == [2024, 2025] and sol["years"][1]["zone"] == "distress"
    assert sol["years"][1]["ratios"]["current_ratio"] == pytest.approx(450 / 640, abs=1e-3)
    assert sol["p_default"] is None and "no bankruptcy model" in sol["model_note"]
    rc, out = cobro("risk", "show", code, "--as-of", AS_OF.isoformat())
    assert rc == 0 and "Solvency (stored accounts)" in out and "Altman only" in out

    # --financials FILE still works and wins over the stored accounts for its customers
    healthy = HEADER + f"{code};2025;1.000.000;700.000;100.000;200.000;300.000;600.000;400.000;2.000.000;180.000;5.000;130.000\n"
    rc, out = cobro("risk", "classify", "--as-of", AS_OF.isoformat(), "--json", "--financials",
                    str(_write(tmp_path, "healthy.csv", healthy)))
    assert rc == 0, out
    assert all(c["label"] != "solvency_falling" for c in json.loads(out) if c["customer"] == code)


def test_a_trained_model_adds_the_probability_of_default(container: Container, cli_env: dict[str, str],
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = _delinquent_ledger(container)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4))
    y = (x[:, 1] - x[:, 2] + rng.normal(scale=0.5, size=200) > 0.8).astype(np.int64)  # debt up, WC down → bankrupt
    names = ["Attr1", "Attr2", "Attr3", "Attr8"]
    train(x, y, names, ModelParams(n_estimators=20, calibration_folds=3), folds=0,
          now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).save(tmp_path / "solvency.model")
    monkeypatch.setenv("COBRO_MODEL_DIR", str(tmp_path))
    rc, out = cobro("import", "financials", str(_write(tmp_path, "f.csv", DISTRESS.format(code=code))))
    assert rc == 0, out
    rc, out = cobro("risk", "show", code, "--as-of", AS_OF.isoformat(), "--json")
    assert rc == 0, out
    shown = json.loads(out)
    assert 0 <= shown["solvency"]["p_default"] <= 1 and shown["solvency"]["model_features"] == "4/4"
    reasons = {r["code"]: r for r in shown["all_reasons"]}
    assert "probability of default within a year" in reasons["solvency_pd"]["text"]
    assert "Altman only" not in reasons["solvency"]["text"] and reasons["solvency"]["points"] == 5.0


PGC_PRINTED = """Concepto;Ejercicio N;Ejercicio N-1
NIF;B12345674;
A) ACTIVO NO CORRIENTE;500.000;480.000
B) ACTIVO CORRIENTE;700.000;650.000
II. Existencias;150.000;-
TOTAL ACTIVO (A + B);1.200.000;1.130.000

A) PATRIMONIO NETO;520.000;480.000
C) PASIVO CORRIENTE;450.000;430.000
1. Importe neto de la cifra de negocios;1.900.000;1.800.000
A.1) RESULTADO DE EXPLOTACIÓN (1+2+3+4+5+6+7+8+9+10+11+12+13);140.000;130.000
13. Gastos financieros;(25.000);(27.000)
A.5) RESULTADO DEL EJERCICIO (A.4 + 17);95.000;88.000
"""


def test_a_statement_printed_with_two_year_columns(container: Container, cli_env: dict[str, str],
                                                   tmp_path: Path) -> None:
    """Issue 13, item 9: the PGC layout (a line per row, the current and previous year as columns "N"/"N-1"),
    bracketed expenses and "-" for nil; the year columns are dated by --year and the report says which is which."""
    code, out = cobro("import", "customers", str(_write(tmp_path, "customers.csv", CUSTOMERS)))
    assert code == 0, out
    path = _write(tmp_path, "cuentas-anuales.csv", PGC_PRINTED)
    code, out = cobro("import", "financials", str(path), "--json")
    assert code == 2 and "Ejercicio N" in out and "--year" in out  # "N" needs a statement date
    assert _stored(container) == []
    code, out = cobro("import", "financials", str(path), "--year", "2025", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["created"] == 2
    assert any("'Ejercicio N' as 2025 (statement date given: 2025); 'Ejercicio N-1' as 2024" in w["message"]
               for w in report["warnings"])
    # found by its NIF; the financial expenses in brackets are stored positive, as the ratios expect
    assert _stored(container) == [("C001", 2024, "EUR", 113_000_000, 2_700_000, None),
                                  ("C001", 2025, "EUR", 120_000_000, 2_500_000, None)]
    with container.engine.connect() as conn:
        inventory = conn.execute(text("SELECT year, inventory_minor FROM financial_statements ORDER BY year")).all()
    assert [tuple(r) for r in inventory] == [(2024, 0), (2025, 15_000_000)]  # "-" is nil, stored as 0
    from cobro.solvency.domain import ratios
    from cobro.solvency.service.solvency import stored

    with container.uow() as uow:
        latest = stored(uow, AS_OF)["C001"][-1]
    assert latest.year == 2025 and ratios(latest).interest_coverage == pytest.approx(140_000 / 25_000)  # positive


def test_two_years_side_by_side_in_one_row(container: Container, cli_env: dict[str, str], tmp_path: Path) -> None:
    code, out = cobro("import", "customers", str(_write(tmp_path, "customers.csv", CUSTOMERS)))
    assert code == 0, out
    path = _write(tmp_path, "informa.csv", "NIF;Activo total 2025;Activo total 2024;Gastos financieros 2025;"
                                           "Gastos financieros 2024;Reservas\nA58818501;800.000;750.000;(25.000);-;"
                                           "(90.000)\n")
    code, out = cobro("import", "financials", str(path), "--json")
    assert code == 0, out
    assert json.loads(out)["created"] == 2
    assert _stored(container) == [("C002", 2024, "EUR", 75_000_000, 0, None),
                                  ("C002", 2025, "EUR", 80_000_000, 2_500_000, -9_000_000)]
