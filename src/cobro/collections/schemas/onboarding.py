"""`cobro import actions`: another system's dunning history, loaded as steps done."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cobro.kernel.errors import Problem


@dataclass(frozen=True, slots=True)
class ActionImportReport:
    file: str
    rows: int
    imported: int  # actions written
    already: int  # rows whose reference an earlier import already holds (re-importing a file is a no-op)
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "rows": self.rows, "imported": self.imported, "already": self.already,
                "problems": [p.as_dict() for p in self.problems]}
