"""A tolerant reader for Weka ARFF files (dense format), enough for the Polish bankruptcy data and its kin.

* ``@relation``, ``@attribute NAME TYPE`` (names quoted with ' or " or bare; types numeric/real/integer,
  nominal ``{a,b}``, string), ``@data``; keywords are case-insensitive; ``%`` starts a comment line.
* ``?`` (or an empty field) is missing → NaN.
* The class is the last nominal attribute (or the attribute named by `label`); its values are kept as
  strings and mapped to 0/1 when they are ``0/1`` (or ``false/true``, ``no/yes``).  A ``?`` label is -1.
* A malformed row (wrong field count, non-numeric value) raises `ArffError` naming the file and line.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

_NUMERIC = {"numeric", "real", "integer"}
_POSITIVE = {"1", "true", "yes", "y", "bankrupt", "default"}
_NEGATIVE = {"0", "false", "no", "n"}


class ArffError(ValueError):
    """A file that is not valid ARFF, with file and line in the message."""


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    kind: str  # "numeric" | "nominal" | "string"
    values: tuple[str, ...] = ()


@dataclass(slots=True)
class ArffData:
    relation: str
    feature_names: list[str]
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.int64] | None  # None when the file has no class attribute
    label_name: str | None = None
    line_numbers: list[int] = field(default_factory=list)  # 1-based source line of each data row

    @property
    def n_rows(self) -> int:
        return int(self.x.shape[0])

    def missing_cells(self) -> int:
        return int(np.isnan(self.x).sum())


def _split_fields(text: str) -> list[str]:
    """Split a comma-separated line honouring ' and " quotes."""
    quote = "'" if "'" in text and '"' not in text else '"'
    reader = csv.reader([text], delimiter=",", quotechar=quote, skipinitialspace=True)
    return [f.strip() for f in next(reader)]


def _parse_attribute(rest: str, where: str) -> Attribute:
    rest = rest.strip()
    if rest[:1] in ("'", '"'):
        q = rest[0]
        end = rest.find(q, 1)
        while end != -1 and rest[end - 1] == "\\":
            end = rest.find(q, end + 1)
        if end == -1:
            raise ArffError(f"{where}: unterminated quoted attribute name")
        name, kind = rest[1:end].replace("\\" + q, q), rest[end + 1:].strip()
    else:
        parts = rest.split(None, 1)
        if len(parts) != 2:
            raise ArffError(f"{where}: @attribute needs a name and a type")
        name, kind = parts
    if kind.startswith("{"):
        if not kind.endswith("}"):
            raise ArffError(f"{where}: nominal attribute {name!r} lacks a closing brace")
        return Attribute(name, "nominal", tuple(v.strip("'\" ") for v in _split_fields(kind[1:-1])))
    low = kind.split()[0].lower() if kind else ""
    if low in _NUMERIC:
        return Attribute(name, "numeric")
    if low in ("string", "date"):
        return Attribute(name, "string")
    raise ArffError(f"{where}: unknown type {kind!r} for attribute {name!r}")


def _to_float(token: str) -> float:
    if token in ("?", ""):
        return math.nan
    return float(token)


def _label_code(value: str, attr: Attribute) -> int:
    v = value.strip("'\" ").lower()
    if v in ("?", ""):
        return -1
    if v in _POSITIVE:
        return 1
    if v in _NEGATIVE:
        return 0
    if len(attr.values) == 2:  # e.g. {ok,bad}: the second declared value is the positive class
        return attr.values.index(value.strip("'\" ")) if value.strip("'\" ") in attr.values else -2
    return -2


def read_arff(path: str | Path, *, label: str | None = None) -> ArffData:
    """Read a dense ARFF file into features, matrix and labels (see module doc)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ArffError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    relation = ""
    attrs: list[Attribute] = []
    in_data = False
    rows: list[list[str]] = []
    line_numbers: list[int] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        where = f"{path.name}:{lineno}"
        if not in_data:
            key, _, rest = line.partition(" ")
            key_l = key.lower()
            if key_l == "@relation":
                relation = rest.strip().strip("'\"")
            elif key_l == "@attribute":
                attrs.append(_parse_attribute(rest, where))
            elif key_l == "@data":
                in_data = True
            else:
                raise ArffError(f"{where}: unexpected header line {line[:60]!r}")
            continue
        if line.startswith("{"):
            raise ArffError(f"{where}: sparse ARFF rows are not supported")
        fields = _split_fields(line)
        if len(fields) != len(attrs):
            raise ArffError(f"{where}: expected {len(attrs)} values, found {len(fields)}")
        rows.append(fields)
        line_numbers.append(lineno)
    if not attrs:
        raise ArffError(f"{path}: no @attribute lines; not an ARFF file")
    if not in_data:
        raise ArffError(f"{path}: no @data section")

    if label is not None:
        matches = [i for i, a in enumerate(attrs) if a.name == label]
        if not matches:
            raise ArffError(f"{path}: no attribute named {label!r}")
        label_idx: int | None = matches[0]
    else:
        nominal = [i for i, a in enumerate(attrs) if a.kind == "nominal"]
        label_idx = nominal[-1] if nominal else None
    feature_idx = [i for i, a in enumerate(attrs) if i != label_idx and a.kind == "numeric"]

    x = np.empty((len(rows), len(feature_idx)), dtype=np.float64)
    y = np.empty(len(rows), dtype=np.int64) if label_idx is not None else None
    for r, fields in enumerate(rows):
        for c, i in enumerate(feature_idx):
            try:
                x[r, c] = _to_float(fields[i].strip("'\""))
            except ValueError:
                raise ArffError(
                    f"{path.name}:{line_numbers[r]}: value {fields[i]!r} of attribute "
                    f"{attrs[i].name!r} is not a number (use ? for missing)") from None
        if y is not None and label_idx is not None:
            code = _label_code(fields[label_idx], attrs[label_idx])
            if code == -2:
                raise ArffError(f"{path.name}:{line_numbers[r]}: class value {fields[label_idx]!r} is "
                                f"not one of {list(attrs[label_idx].values)}")
            y[r] = code
    return ArffData(
        relation=relation,
        feature_names=[attrs[i].name for i in feature_idx],
        x=x,
        y=y,
        label_name=None if label_idx is None else attrs[label_idx].name,
        line_numbers=line_numbers,
    )


def write_arff(path: str | Path, feature_names: list[str], x: npt.NDArray[np.float64],
               y: npt.NDArray[np.int64] | None = None, relation: str = "cobro") -> None:
    """Write a dense ARFF (NaN → ?); used by tests and for exporting synthetic data."""
    lines = [f"@relation '{relation}'", ""]
    lines += [f"@attribute '{n}' numeric" for n in feature_names]
    if y is not None:
        lines.append("@attribute class {0,1}")
    lines += ["", "@data"]
    for r in range(x.shape[0]):
        vals = ["?" if math.isnan(v) else repr(float(v)) for v in x[r]]
        if y is not None:
            vals.append("?" if y[r] < 0 else str(int(y[r])))
        lines.append(",".join(vals))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
