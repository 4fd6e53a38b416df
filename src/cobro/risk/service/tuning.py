"""Risk thresholds and decision parameters from the policy YAML's optional ``risk`` and ``decision`` sections.

Either section may be absent (defaults apply).  Unknown keys are errors naming their path, so a typo in a fee does
not silently fall back to the default.  Money and rates are read as Decimal (YAML floats go through `str`).

```yaml
risk:
  score_jump: 15          # alert when the score worsens by this many points
  alert_grades: [D, E]    # ... or enters one of these grades
  dbt_jump: 10            # alert when days beyond terms grow by this much
  dbt_level: 30           # ... or cross this level
  limit_ratio: 1.0        # alert when exposure > ratio × credit limit
decision:
  cost_of_funds: 0.06
  hourly_cost: 35
  holding_cost_month: 5
  write_off_relief: 0
  fx_to_base: {USD: 1.1}
  actions:
    agency: {fee_rate: 0.20, days: 120, uplift: {unwillingness: 0.35}}
```
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from cobro.kernel.errors import InvalidInputError
from cobro.platform.yamlsafe import YamlError, load_yaml
from cobro.risk.domain.decide import ActionSpec, DecisionParameters
from cobro.risk.domain.risk import RiskThresholds

_RISK = {"score_jump": int, "dbt_jump": float, "dbt_level": float, "limit_ratio": Decimal, "alert_grades": tuple}
_DECISION = {"cost_of_funds", "hourly_cost", "holding_cost_month", "write_off_relief", "stalled_wait_days",
             "fx_to_base", "actions", "base_currency"}
_ACTION = {"minutes", "days", "out_of_pocket", "cost_rate", "fee_rate", "interest_share", "uplift", "label"}


def _dec(value: object, path: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInputError(f"policy {path}: {value!r} is not a number") from exc


def _mapping(value: object, path: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"policy {path}: must be a mapping")
    return value


def _unknown(data: Mapping[str, Any], allowed: set[str], path: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise InvalidInputError(f"policy {path}: unknown key(s) {', '.join(extra)} (allowed: {', '.join(sorted(allowed))})")


def thresholds(section: object) -> RiskThresholds:
    data = _mapping(section, "risk")
    _unknown(data, set(_RISK), "risk")
    values: dict[str, Any] = {}
    for key, kind in _RISK.items():
        if key not in data:
            continue
        raw = data[key]
        if kind is tuple:
            values[key] = tuple(str(g).upper() for g in (raw if isinstance(raw, list) else [raw]))
        elif kind is Decimal:
            values[key] = _dec(raw, f"risk.{key}")
        else:
            values[key] = kind(_dec(raw, f"risk.{key}"))
    return RiskThresholds(**values)


def _action(base: ActionSpec | None, name: str, data: Mapping[str, Any]) -> ActionSpec:
    path = f"decision.actions.{name}"
    _unknown(data, _ACTION, path)
    spec = base or ActionSpec(name, 0, 30, MappingProxyType({}))
    changes: dict[str, Any] = {}
    for key in ("minutes", "days"):
        if key in data:
            changes[key] = int(_dec(data[key], f"{path}.{key}"))
    for key in ("out_of_pocket", "cost_rate", "fee_rate", "interest_share"):
        if key in data:
            changes[key] = _dec(data[key], f"{path}.{key}")
    if "label" in data:
        changes["label"] = str(data["label"])
    if "uplift" in data:
        up = _mapping(data["uplift"], f"{path}.uplift")
        changes["uplift"] = MappingProxyType({**spec.uplift, **{str(k): _dec(v, f"{path}.uplift.{k}")
                                                                  for k, v in up.items()}})
    return dataclasses.replace(spec, **changes)


def decision_parameters(section: object) -> DecisionParameters:
    data = _mapping(section, "decision")
    _unknown(data, _DECISION, "decision")
    base = DecisionParameters()
    changes: dict[str, Any] = {}
    for key in ("cost_of_funds", "hourly_cost", "holding_cost_month", "write_off_relief"):
        if key in data:
            changes[key] = _dec(data[key], f"decision.{key}")
    if "stalled_wait_days" in data:
        changes["stalled_wait_days"] = int(_dec(data["stalled_wait_days"], "decision.stalled_wait_days"))
    if "base_currency" in data:
        changes["base_currency"] = str(data["base_currency"]).upper()
    if "fx_to_base" in data:
        fx = _mapping(data["fx_to_base"], "decision.fx_to_base")
        changes["fx_to_base"] = MappingProxyType({**base.fx_to_base, **{str(k).upper(): _dec(v, f"decision.fx_to_base.{k}")
                                                                          for k, v in fx.items()}})
    if "actions" in data:
        actions = dict(base.actions)
        for name, spec in _mapping(data["actions"], "decision.actions").items():
            actions[str(name)] = _action(actions.get(str(name)), str(name), _mapping(spec, f"decision.actions.{name}"))
        changes["actions"] = MappingProxyType(actions)
    return dataclasses.replace(base, **changes)


def from_yaml(text: str) -> tuple[RiskThresholds, DecisionParameters]:
    """Both parameter sets from a policy YAML text ('' → defaults)."""
    if not text.strip():
        return RiskThresholds(), DecisionParameters()
    try:
        data = load_yaml(text)  # bounded: aliases, depth, size; duplicate keys refused
    except YamlError as exc:
        raise InvalidInputError(f"policy is not valid YAML: {exc}") from exc
    top = _mapping(data, "(top)")
    return thresholds(top.get("risk")), decision_parameters(top.get("decision"))
