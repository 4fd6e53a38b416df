"""Demo ledger → model train → forecast → risk scores → classification → recommendations, on both back ends."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.demo import repository as demo_writer
from cobro.demo.generator import DemoSpec
from cobro.forecasting import service as prediction
from cobro.kernel.money import exponent
from cobro.platform.container import Container
from cobro.risk.service import scores as risk
from cobro.risk.service.worklist import worklist

AS_OF = dt.date(2026, 6, 30)
SPEC = DemoSpec(debtors=30, invoices=600, seed=11, as_of=AS_OF)
ESCALATE = {"agency", "monitorio", "write_off"}


def _behaviours(container: Container) -> dict[str, str]:
    with container.engine.connect() as conn:
        return {str(c): str(b) for c, b in conn.execute(text("SELECT code, behaviour FROM customers"))}


def test_pipeline_on_the_demo_ledger(container: Container, cli_env: dict[str, str], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with container.engine.begin() as conn:
        demo_writer.write_demo(conn, tenant_code="default", spec=SPEC, chunk_documents=300)
    behaviour = _behaviours(container)
    models = tmp_path / "models"
    with container.uow() as uow:
        trained = prediction.train(uow, AS_OF, models, now=dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC)).as_json()
        assert trained["kind"] == "gbm" and Path(trained["path"]).exists()
        assert trained["trained_until"] == "2026-06-30" and "d_mean" in trained["features"]
        cash = prediction.forecast(uow, AS_OF, model_dir=models).as_json()
        assert cash["model"]["note"].startswith("saved model")
        assert cash["open_items"] > 0 and cash["promises"] == 0
        for cur, data in cash["currencies"].items():
            assert len(data["periods"]) >= 13, cur
            for p in data["periods"]:
                assert set(p) == {"period_start", "expected", "p10", "p50", "p90"}
                assert float(p["p10"]) <= float(p["p50"]) <= float(p["p90"])
                # amounts on the currency's grid: CLP has no decimals ("1802447", not "1802447.00")
                assert {Decimal(v).as_tuple().exponent for v in p.values() if v != p["period_start"]} == \
                    {-exponent(cur)}, (cur, p)
            assert Decimal(data["open"]).as_tuple().exponent == -exponent(cur)

        # the JSON the CLI prints (the typed results are checked on fakes in tests/unit/risk)
        ctx = risk.build(uow, AS_OF, rates=container.rates)
        scores = risk.score_all(uow, AS_OF, ctx=ctx).as_json()
        recs = [r.as_json() for r in risk.recommend_all(uow, AS_OF, ctx=ctx, model_dir=models)]
        classes = [c.as_json() for c in risk.classify_all(uow, AS_OF, ctx=ctx)]
        work = [w.as_json() for w in worklist(uow, AS_OF, rates=container.rates)]
        uow.commit()

    # every customer scored, with reasons; insolvent debtors graded worst on average
    assert {s["customer"] for s in scores["scores"]} == set(behaviour)
    assert all(s["reasons"] and 0 <= s["score"] <= 100 for s in scores["scores"])
    # zero-decimal currencies are not printed with cents ("50,700,294 CLP", not "50,700,294.00 CLP")
    clp_reasons = [r for s in scores["scores"] for r in map(str, s["reasons"]) if " CLP" in r]
    assert clp_reasons and not [r for r in clp_reasons if re.search(r"\d\.\d\d CLP", r)]
    grid = {(r["currency"], Decimal(str(r[k])).as_tuple().exponent) for r in recs
            for k in ("overdue", "expected_value", "value_vs_wait", "claimable")}
    assert grid == {(cur, -exponent(cur)) for cur, _ in grid}
    assert {(c["currency"], Decimal(c["overdue"]).as_tuple().exponent) for c in classes} == \
        {(c["currency"], -exponent(c["currency"])) for c in classes}
    by_b: dict[str, list[int]] = {}
    for s in scores["scores"]:
        by_b.setdefault(behaviour[s["customer"]], []).append(int(s["score"]))
    means = {b: sum(v) / len(v) for b, v in by_b.items()}
    assert means["insolvent"] == max(means.values())
    assert means["punctual"] == min(means.values())
    # insolvent debtors: escalation or write-off, with the reasons
    insolvent = [r for r in recs if behaviour[r["customer"]] == "insolvent"]
    assert insolvent and all(r["action"] in ESCALATE for r in insolvent)
    assert all("overdue" in r["reasons"][0] and "classified" in r["reasons"][0] for r in insolvent)
    assert all(r["label"] == "stopped_paying" for r in insolvent if r["action"] == "agency")
    # chronic late payers are flagged: graded worse than punctual ones, and classified with evidence
    assert means["chronic_late"] > means["punctual"] + 15
    assert all(c["evidence"] and c["explanation"] for c in classes)
    assert [w["per_minute_base"] for w in work] == sorted((w["per_minute_base"] for w in work), reverse=True)

    # the CLI over the same database
    monkeypatch.setenv("COBRO_MODEL_DIR", str(models))
    runner = CliRunner()
    out = runner.invoke(app, ["forecast", "--as-of", "2026-06-30", "--format", "json"], env=cli_env)
    assert out.exit_code == 0, out.output
    assert set(json.loads(out.stdout)["currencies"]) == set(cash["currencies"])
    code = insolvent[0]["customer"]
    out = runner.invoke(app, ["recommend", "--customer", code, "--as-of", "2026-06-30", "--json"], env=cli_env)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)[0]["action"] in ESCALATE
    out = runner.invoke(app, ["alerts", "list", "--json"], env=cli_env)
    assert out.exit_code == 0 and len(json.loads(out.stdout)) == len(scores["alerts"])
    out = runner.invoke(app, ["risk", "show", "NOPE", "--as-of", "2026-06-30"], env=cli_env)
    assert out.exit_code == 2
