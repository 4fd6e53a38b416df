"""The one YAML loader: aliases, depth and size are bounded, duplicate keys refused, amounts exact."""

from __future__ import annotations

import dataclasses
import time
from decimal import Decimal
from pathlib import Path

import pytest

from cobro.collections.service.policy import load_policy_yaml
from cobro.kernel.errors import InvalidInputError
from cobro.kernel.limits import DEFAULT_LIMITS
from cobro.ledger.imports.mapping import load_mapping
from cobro.platform.yamlsafe import YamlError, load_yaml, read_yaml_file
from tests import hostile


def test_an_alias_bomb_is_refused_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(YamlError, match=r"expands to more than 100000 values"):
        load_yaml(hostile.yaml_alias_bomb())
    assert time.perf_counter() - started < 5  # refused while composing, never expanded


def test_too_many_aliases_are_refused_even_when_small() -> None:
    text = "a: &x 1\nb: [" + ", ".join(["*x"] * 101) + "]\n"
    with pytest.raises(YamlError, match="more than 100 aliases"):
        load_yaml(text)


def test_a_100k_deep_nesting_is_refused_without_recursion_error() -> None:
    with pytest.raises(YamlError, match=r"line 2, column \d+: nested deeper than 50 levels"):
        load_yaml(hostile.yaml_deep())


def test_a_duplicate_key_is_refused_naming_both_lines() -> None:
    with pytest.raises(YamlError, match=r"line 7, column 1: key 'policy' appears twice \(first at line 1, column 1\)"):
        load_yaml(hostile.yaml_duplicate_key())
    with pytest.raises(YamlError, match="key 'a' appears twice"):
        load_yaml("outer:\n  a: 1\n  a: 2\n")


def test_size_is_checked_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * (DEFAULT_LIMITS.yaml_bytes + 1), encoding="utf-8")
    with pytest.raises(YamlError, match="larger than the limit"):
        read_yaml_file(big)
    with pytest.raises(YamlError, match="larger than"):
        load_yaml("a: " + "x" * 200, limits=dataclasses.replace(DEFAULT_LIMITS, yaml_bytes=100))


def test_ordinary_yaml_still_loads() -> None:
    text = "base: &b {days: 10}\nsteps:\n  - <<: *b\n    channel: email\n  - *b\namount: 300.00\n"
    assert load_yaml(text, decimals=True) == {"base": {"days": 10}, "amount": Decimal("300.00"),
                                              "steps": [{"days": 10, "channel": "email"}, {"days": 10}]}
    assert isinstance(load_yaml("x: 1.5")["x"], float)


def test_policies_and_mappings_use_it(tmp_path: Path) -> None:
    policy, problems = load_policy_yaml(hostile.yaml_alias_bomb())
    assert policy is None and "expands to more than" in problems[0].message
    policy, problems = load_policy_yaml(hostile.yaml_duplicate_key())
    assert policy is None and problems[0].path == "line 7, column 1" and "appears twice" in problems[0].message
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  amount: Importe\ncolumns:\n  amount: Total\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"m\.yaml: line 3, column 1: key 'columns' appears twice"):
        load_mapping(mapping, "invoices")
    latin = tmp_path / "l.yaml"
    latin.write_bytes("description: Peña\n".encode("cp1252"))
    with pytest.raises(InvalidInputError, match=r"l\.yaml: not UTF-8 text"):
        load_mapping(latin, "invoices")
