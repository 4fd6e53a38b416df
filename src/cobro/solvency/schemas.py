"""What the solvency services hand back: typed, frozen values (the CLI turns them into the JSON it prints).

`StatementCustomer` is what the statement import needs to know of a customer (not the ledger's ORM row);
`Assessment` is one customer's accounts and the `SolvencyInput` risk reads; `SolvencyDetails` is the per-year view
`cobro risk show` lists.  Ratios, Altman Z'' and P(default) are dimensionless floats, not money.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cobro.risk.domain.risk import SolvencyInput
from cobro.solvency.domain import FinancialStatement, Zone


class AssessmentSource(StrEnum):
    """Where a customer's accounts came from."""

    STORED = "stored"  # the financial_statements table
    FILE = "file"  # a file given with --financials (wins over the stored ones)


class SaveOutcome(StrEnum):
    """What saving one statement did (the names of the import report's counters)."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class StatementCustomer:
    """A customer as the statement file may name it: by code, tax id or legal name."""

    id: int
    code: str
    tax_id: str
    legal_name: str


@dataclass(frozen=True, slots=True)
class Assessment:
    solvency: SolvencyInput
    statements: tuple[FinancialStatement, ...]
    source: AssessmentSource


@dataclass(frozen=True, slots=True)
class YearDetails:
    """One fiscal year: Altman Z'' (rounded to 2 places), its zone and the shown ratios (3 places)."""

    year: int | None
    altman_z2: float | None
    zone: Zone | None
    ratios: Mapping[str, float | None]
    negative_equity: bool

    def as_json(self) -> dict[str, Any]:
        return {"year": self.year, "altman_z2": self.altman_z2, "zone": None if self.zone is None else str(self.zone),
                "ratios": dict(self.ratios), "negative_equity": self.negative_equity}


@dataclass(frozen=True, slots=True)
class SolvencyDetails:
    """What `cobro risk show` lists: per year the main ratios and Z'', then P(default) and what fell."""

    source: AssessmentSource
    years: tuple[YearDetails, ...]
    p_default: float | None  # rounded to 4 places; None without a bankruptcy model
    model_features: str
    model_note: str
    falling: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"source": str(self.source), "years": [y.as_json() for y in self.years], "p_default": self.p_default,
                "model_features": self.model_features, "model_note": self.model_note, "falling": list(self.falling)}
