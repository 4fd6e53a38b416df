"""Sanity check on the shared Polish 5year file (skipped when the shared data is absent)."""

from __future__ import annotations

import pytest
from tests.conftest import SHARED

from cobro.solvency.model.arff import read_arff
from cobro.solvency.model.model import ModelParams, cross_validate, deduplicate

DATA = SHARED / "data" / "polish-bankruptcy" / "5year.arff"


@pytest.mark.slow
@pytest.mark.skipif(not DATA.exists(), reason="shared Polish bankruptcy data not present")
def test_5year_reads_and_ranks_well() -> None:
    data = read_arff(DATA)
    assert data.y is not None
    assert data.x.shape == (5910, 64) and int(data.y.sum()) == 410
    assert data.missing_cells() == 4666
    keep = deduplicate(data.x, data.y)
    assert len(keep) == 5850 and int(data.y[keep].sum()) == 408
    # a lighter model and 3 folds keep this under ~30 s; the full protocol lives in bench/
    _, m = cross_validate(data.x[keep], data.y[keep], ModelParams(n_estimators=100, calibration="none"),
                          folds=3)
    assert m.auc > 0.93
    assert m.brier < 0.0465  # better than the logistic-regression baseline of the data README
