"""`cobro solvency train|score|analyze` on small synthetic files."""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.solvency.model import model as model_module
from cobro.solvency.model.arff import write_arff

runner = CliRunner()


@pytest.fixture
def arff_file(tmp_path: Path, synthetic: tuple[np.ndarray, np.ndarray], feature_names: list[str]) -> Path:
    x, y = synthetic
    path = tmp_path / "train.arff"
    write_arff(path, feature_names, x, y)
    return path


@pytest.fixture(autouse=True)
def _model_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COBRO_MODEL_DIR", str(tmp_path / "models"))
    # smaller models keep the CLI tests fast; the defaults themselves are exercised in the bench
    monkeypatch.setattr(model_module, "ModelParams",
                        functools.partial(model_module.ModelParams, n_estimators=60, calibration_folds=3))


def test_train_then_score_in_file_order(tmp_path: Path, arff_file: Path,
                                        synthetic: tuple[np.ndarray, np.ndarray]) -> None:
    res = runner.invoke(app, ["solvency", "train", "--arff", str(arff_file), "--folds", "3", "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    assert report["cv"]["auc"] > 0.7 and 0 < report["cv"]["brier"] < 0.25
    assert (tmp_path / "models" / "solvency.model").exists()

    out, factors = tmp_path / "scores.csv", tmp_path / "factors.csv"
    res = runner.invoke(app, ["solvency", "score", "--arff", str(arff_file), "--out", str(out),
                              "--factors", str(factors)])
    assert res.exit_code == 0, res.output
    with out.open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["row", "p_default"]
    _x, y = synthetic
    assert [int(r[0]) for r in rows[1:]] == list(range(len(y)))
    p = np.array([float(r[1]) for r in rows[1:]])
    assert p[y == 1].mean() > p[y == 0].mean()  # file order preserved: scores line up with labels
    with factors.open() as fh:
        frows = list(csv.DictReader(fh))
    assert len(frows) == 3 * len(y) and frows[0]["row"] == "0" and frows[0]["rank"] == "1"


def test_train_text_output_and_explicit_model(tmp_path: Path, arff_file: Path) -> None:
    model = tmp_path / "m.model"
    res = runner.invoke(app, ["solvency", "train", "--arff", str(arff_file), "--out", str(model),
                              "--folds", "2"])
    assert res.exit_code == 0, res.output
    assert "out-of-fold (2-fold): AUC" in res.output and "Brier" in res.output
    assert model.exists()


def test_clear_errors(tmp_path: Path, arff_file: Path) -> None:
    res = runner.invoke(app, ["solvency", "score", "--arff", str(arff_file), "--out",
                              str(tmp_path / "s.csv"), "--model", str(tmp_path / "nope.model")])
    assert res.exit_code == 2 and "train one first" in res.output
    tiny = tmp_path / "tiny.arff"
    write_arff(tiny, ["a"], np.array([[1.0], [2.0], [3.0]]), np.array([0, 1, 0]))
    res = runner.invoke(app, ["solvency", "train", "--arff", str(tiny)])
    assert res.exit_code == 2 and "too little data" in res.output
    bad = tmp_path / "bad.arff"
    bad.write_text("@relation x\n@attribute a numeric\n@attribute c {0,1}\n@data\n1,0\nx1,1\n")
    res = runner.invoke(app, ["solvency", "train", "--arff", str(bad)])
    assert res.exit_code == 2 and "bad.arff:6" in res.output


STATEMENTS = """cliente;ejercicio;activo_total;activo_corriente;pasivo_corriente;patrimonio_neto;reservas;resultado_explotacion;importe_neto_cifra_negocios;resultado_ejercicio;clientes
ACME;2022;1.000.000;500.000;300.000;400.000;200.000;100.000;2.000.000;60.000;250.000
ACME;2023;1.000.000;400.000;380.000;200.000;50.000;10.000;1.800.000;-20.000;300.000
BETA;2023;100;50;n/d;40;10;5;80;2;10
"""


def test_analyze_statements(tmp_path: Path, arff_file: Path) -> None:
    f = tmp_path / "stmts.csv"
    f.write_text(STATEMENTS, encoding="utf-8")
    res = runner.invoke(app, ["solvency", "analyze", "--statements", str(f), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    acme = next(c for c in doc["customers"] if c["customer"] == "ACME")
    assert acme["years"][0]["altman_z2"]["score"] == pytest.approx(3.336)
    assert acme["years"][0]["altman_z2"]["zone"] == "safe"
    assert "current_ratio" in acme["worsened_latest"] and "altman_z2" in acme["worsened_latest"]
    assert any("'n/d' is not a number" in p and "pasivo_corriente" in p for p in doc["problems"])
    assert "p_default" not in acme["years"][0]  # no model trained in this test
    res = runner.invoke(app, ["solvency", "analyze", "--statements", str(f)])
    assert res.exit_code == 0 and "Z'' 3.34 (safe)" in res.output


def test_analyze_with_model_uses_only_statement_features_as_factors(tmp_path: Path, arff_file: Path) -> None:
    model = tmp_path / "m.model"
    assert runner.invoke(app, ["solvency", "train", "--arff", str(arff_file), "--out", str(model),
                               "--folds", "0"]).exit_code == 0
    f = tmp_path / "stmts.csv"
    f.write_text(STATEMENTS, encoding="utf-8")
    res = runner.invoke(app, ["solvency", "analyze", "--statements", str(f), "--model", str(model), "--json"])
    assert res.exit_code == 0, res.output
    year = json.loads(res.output)["customers"][0]["years"][1]
    assert 0 <= year["p_default"] <= 1
    assert year["model_features_filled"] == "3/5"  # the noise features are not in a statement
    assert year["factors"] and not any(f.startswith("noise") for f in year["factors"])


def test_train_records_the_entrypoint_clock(tmp_path: Path, arff_file: Path) -> None:
    import datetime as dt

    from cobro.kernel.clock import FixedClock
    from cobro.platform.cli.context import State
    from cobro.platform.container import build
    from cobro.platform.settings import Settings

    at = dt.datetime(2026, 11, 25, 9, 30, 15, tzinfo=dt.UTC)
    container = build(Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}"), clock=FixedClock(at))
    model = tmp_path / "clocked.model"
    res = runner.invoke(app, ["solvency", "train", "--arff", str(arff_file), "--out", str(model), "--folds", "0"],
                        obj=State(container))
    container.close()
    assert res.exit_code == 0, res.output
    assert model_module.SolvencyModel.load(model).trained_at == "2026-11-25T09:30:15+00:00"
