"""The tolerant ARFF reader."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from cobro.solvency.model.arff import ArffError, read_arff, write_arff

SAMPLE = """% a comment
@RELATION 'tiny-weka.filters'

@attribute 'net profit / total assets' numeric
@attribute "sales (n) / sales (n-1)" REAL
@attribute plain integer
@attribute bankruptcy  {0,1}

@data
0.1,1.2,3,0
?,0.9,?,1
% comment inside data

-0.5, 2 ,7,'1'
"""


def test_reads_names_missing_and_labels(tmp_path: Path) -> None:
    f = tmp_path / "t.arff"
    f.write_text(SAMPLE)
    d = read_arff(f)
    assert d.relation == "tiny-weka.filters"
    assert d.feature_names == ["net profit / total assets", "sales (n) / sales (n-1)", "plain"]
    assert d.x.shape == (3, 3)
    assert math.isnan(d.x[1, 0]) and math.isnan(d.x[1, 2])
    assert d.x[2, 1] == 2.0
    assert d.y is not None and d.y.tolist() == [0, 1, 1]
    assert d.label_name == "bankruptcy"
    assert d.line_numbers == [10, 11, 14]
    assert d.missing_cells() == 2


def test_malformed_row_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.arff"
    f.write_text(SAMPLE.replace("?,0.9,?,1", "?,abc,?,1"))
    with pytest.raises(ArffError, match=r"bad\.arff:11: .*'abc'.*not a number"):
        read_arff(f)
    f.write_text(SAMPLE.replace("?,0.9,?,1", "?,0.9,1"))
    with pytest.raises(ArffError, match=r"bad\.arff:11: expected 4 values, found 3"):
        read_arff(f)


def test_not_arff_and_unknown_label(tmp_path: Path) -> None:
    f = tmp_path / "x.arff"
    f.write_text("a,b\n1,2\n")
    with pytest.raises(ArffError, match="unexpected header line"):
        read_arff(f)
    f.write_text(SAMPLE.replace("{0,1}", "{0,1}").replace("-0.5, 2 ,7,'1'", "-0.5,2,7,7"))
    with pytest.raises(ArffError, match="class value '7'"):
        read_arff(f)


def test_no_class_attribute_and_round_trip(tmp_path: Path) -> None:
    x = np.array([[1.0, np.nan], [0.5, 2.0]])
    f = tmp_path / "r.arff"
    write_arff(f, ["a b", "c"], x)
    d = read_arff(f)
    assert d.y is None and d.feature_names == ["a b", "c"]
    np.testing.assert_array_equal(d.x, x)
