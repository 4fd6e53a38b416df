"""On the shared IBM AR sample: the README's baselines are reproduced and cobro beats B1b (slow)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cobro.forecasting.paydate.evaluate import evaluate_split
from cobro.ledger.imports.frame import read_ledger_frame

REPO = Path(__file__).resolve().parents[3]
from tests.conftest import SHARED  # noqa: E402 - see conftest: COBRO_SHARED_DIR

DATA = SHARED / "data" / "ibm-ar" / "ibm-ar-until-2013-06-30.csv"
MAPPING = REPO / "examples" / "mappings" / "ibm-ar.yaml"


@pytest.mark.slow
@pytest.mark.skipif(not DATA.exists() or not MAPPING.exists(), reason="shared IBM AR data not available")
def test_ibm_rolling_origin_2013q2() -> None:
    frame = read_ledger_frame(DATA, MAPPING)
    result = evaluate_split(frame, date(2013, 4, 1), date(2013, 7, 1))
    rows = result["rows"]
    assert (result["n_train"], result["n_test"]) == (1500, 336)
    assert round(rows["B0 due date"]["mae"], 2) == 10.94
    assert round(rows["B1b customer median"]["mae"], 2) == 6.61
    assert round(rows["late-rate"]["auc"], 3) == 0.886
    cobro = rows["cobro"]
    assert cobro["mae"] < rows["B1b customer median"]["mae"]
    assert cobro["auc"] > rows["late-rate"]["auc"]
    assert 0.74 <= cobro["coverage"] <= 0.86
    assert cobro["width"] < rows["global quantiles"]["width"]
