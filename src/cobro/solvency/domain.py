"""Solvency of a debtor from its financial statements: standard ratios, Altman Z'' and year-on-year trend.

Pure functions over a `FinancialStatement` (one fiscal year of one firm).  Every line is optional: a ratio whose
inputs are missing, or whose denominator is zero, is ``None`` rather than a made-up number.  Ratios are plain
floats (they are not money).

Altman Z'' (domain.md §2.3; Altman's version for private non-manufacturing / emerging-market firms):

    Z'' = 6.56·X1 + 3.26·X2 + 6.72·X3 + 1.05·X4
    X1 = working capital / total assets, X2 = retained earnings / total assets,
    X3 = EBIT / total assets,           X4 = book equity / total liabilities
    zones: distress < 1.10 ≤ grey ≤ 2.60 < safe
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum

DAYS_PER_YEAR = 365
Z2_DISTRESS_BELOW = 1.10
Z2_SAFE_ABOVE = 2.60
Z2_COEFFICIENTS = (6.56, 3.26, 6.72, 1.05)


@dataclass(frozen=True, slots=True)
class FinancialStatement:
    """One fiscal year of a firm's balance sheet and P&L (amounts in one currency, any unit)."""

    year: int | None = None
    total_assets: float | None = None
    current_assets: float | None = None
    fixed_assets: float | None = None  # non-current assets
    inventory: float | None = None
    receivables: float | None = None
    cash: float | None = None
    current_liabilities: float | None = None
    non_current_liabilities: float | None = None
    total_liabilities: float | None = None
    payables: float | None = None  # trade creditors
    equity: float | None = None
    retained_earnings: float | None = None
    sales: float | None = None
    cost_of_sales: float | None = None
    ebit: float | None = None  # operating result
    interest_expense: float | None = None
    net_income: float | None = None
    depreciation: float | None = None

    def derived(self) -> FinancialStatement:
        """A copy with lines filled from accounting identities when they are missing.

        total liabilities = current + non-current (or total assets − equity); total assets = current +
        fixed; fixed assets = total − current.  Lines given explicitly are never overwritten.
        """
        tl = self.total_liabilities
        if tl is None and self.current_liabilities is not None and self.non_current_liabilities is not None:
            tl = self.current_liabilities + self.non_current_liabilities
        ta = self.total_assets
        if ta is None and self.current_assets is not None and self.fixed_assets is not None:
            ta = self.current_assets + self.fixed_assets
        if tl is None and ta is not None and self.equity is not None:
            tl = ta - self.equity
        ncl = self.non_current_liabilities
        if ncl is None and tl is not None and self.current_liabilities is not None:
            ncl = tl - self.current_liabilities
        fa = self.fixed_assets
        if fa is None and ta is not None and self.current_assets is not None:
            fa = ta - self.current_assets
        eq = self.equity
        if eq is None and ta is not None and tl is not None:
            eq = ta - tl
        return _replace(self, total_liabilities=tl, total_assets=ta, non_current_liabilities=ncl,
                        fixed_assets=fa, equity=eq)


def _replace(stmt: FinancialStatement, **changes: float | None) -> FinancialStatement:
    values = asdict(stmt)
    values.update(changes)
    return FinancialStatement(**values)


def _div(num: float | None, den: float | None, *, positive_den: bool = False) -> float | None:
    if num is None or den is None or den == 0 or math.isnan(num) or math.isnan(den):
        return None
    if positive_den and den < 0:
        return None
    return num / den


def _sub(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


@dataclass(frozen=True, slots=True)
class Ratios:
    """Standard ratios; ``None`` = not computable (missing line or zero/negative denominator where noted)."""

    # liquidity
    current_ratio: float | None = None
    quick_ratio: float | None = None
    cash_ratio: float | None = None
    working_capital_to_assets: float | None = None
    # leverage
    debt_to_assets: float | None = None
    debt_to_equity: float | None = None  # None when equity ≤ 0 (see `negative_equity`)
    # coverage
    interest_coverage: float | None = None
    # profitability
    roa: float | None = None
    roe: float | None = None  # None when equity ≤ 0
    ebit_margin: float | None = None
    net_margin: float | None = None
    # working-capital cycle, days
    dso: float | None = None
    dio: float | None = None
    dpo: float | None = None
    cash_conversion_cycle: float | None = None
    # flags
    negative_equity: bool = False
    negative_working_capital: bool = False

    def as_dict(self) -> dict[str, float | bool | None]:
        return asdict(self)


def ratios(stmt: FinancialStatement) -> Ratios:
    """The standard ratios of one statement (lines derived by identity first, see `derived`)."""
    s = stmt.derived()
    wc = _sub(s.current_assets, s.current_liabilities)
    dso = _div(None if s.receivables is None else s.receivables * DAYS_PER_YEAR, s.sales)
    dio = _div(None if s.inventory is None else s.inventory * DAYS_PER_YEAR, s.cost_of_sales)
    dpo = _div(None if s.payables is None else s.payables * DAYS_PER_YEAR, s.cost_of_sales)
    ccc = None if dso is None or dio is None or dpo is None else dso + dio - dpo
    return Ratios(
        current_ratio=_div(s.current_assets, s.current_liabilities),
        quick_ratio=_div(_sub(s.current_assets, s.inventory), s.current_liabilities),
        cash_ratio=_div(s.cash, s.current_liabilities),
        working_capital_to_assets=_div(wc, s.total_assets),
        debt_to_assets=_div(s.total_liabilities, s.total_assets),
        debt_to_equity=_div(s.total_liabilities, s.equity, positive_den=True),
        interest_coverage=_div(s.ebit, s.interest_expense),
        roa=_div(s.net_income, s.total_assets),
        roe=_div(s.net_income, s.equity, positive_den=True),
        ebit_margin=_div(s.ebit, s.sales),
        net_margin=_div(s.net_income, s.sales),
        dso=dso,
        dio=dio,
        dpo=dpo,
        cash_conversion_cycle=ccc,
        negative_equity=s.equity is not None and s.equity < 0,
        negative_working_capital=wc is not None and wc < 0,
    )


class Zone(StrEnum):
    DISTRESS = "distress"
    GREY = "grey"
    SAFE = "safe"


def z2_zone(score: float) -> Zone:
    """Altman Z'' zone: distress < 1.10, grey 1.10–2.60 (both ends inclusive), safe > 2.60."""
    if score < Z2_DISTRESS_BELOW:
        return Zone.DISTRESS
    if score > Z2_SAFE_ABOVE:
        return Zone.SAFE
    return Zone.GREY


@dataclass(frozen=True, slots=True)
class AltmanZ2:
    """Altman Z'' with its components; `score`/`zone` are None when an input is missing (see `missing`)."""

    score: float | None
    zone: Zone | None
    x1: float | None  # working capital / total assets
    x2: float | None  # retained earnings / total assets
    x3: float | None  # EBIT / total assets
    x4: float | None  # book equity / total liabilities
    missing: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {"score": self.score, "zone": None if self.zone is None else str(self.zone),
                "x1": self.x1, "x2": self.x2, "x3": self.x3, "x4": self.x4, "missing": list(self.missing)}


def altman_z2(stmt: FinancialStatement) -> AltmanZ2:
    """Altman Z'' for private non-manufacturing firms (domain.md §2.3)."""
    s = stmt.derived()
    needed = {
        "current_assets": s.current_assets, "current_liabilities": s.current_liabilities,
        "total_assets": s.total_assets, "retained_earnings": s.retained_earnings, "ebit": s.ebit,
        "equity": s.equity, "total_liabilities": s.total_liabilities,
    }
    missing = tuple(name for name, value in needed.items() if value is None)
    x1 = _div(_sub(s.current_assets, s.current_liabilities), s.total_assets)
    x2 = _div(s.retained_earnings, s.total_assets)
    x3 = _div(s.ebit, s.total_assets)
    x4 = _div(s.equity, s.total_liabilities)
    if x1 is None or x2 is None or x3 is None or x4 is None:
        if not missing:  # inputs present but a denominator is zero
            missing = tuple(n for n, v in (("total_assets", s.total_assets),
                                           ("total_liabilities", s.total_liabilities)) if not v)
        return AltmanZ2(None, None, x1, x2, x3, x4, missing)
    c1, c2, c3, c4 = Z2_COEFFICIENTS
    score = c1 * x1 + c2 * x2 + c3 * x3 + c4 * x4
    return AltmanZ2(score, z2_zone(score), x1, x2, x3, x4, ())


# --- trend -----------------------------------------------------------------------------------------------

# +1: higher is better; −1: lower is better.  A rising DPO means the firm pays its own suppliers later, which
# for a creditor is a liquidity-stress signal, so it counts as worsening.
INDICATOR_DIRECTION: dict[str, int] = {
    "current_ratio": 1, "quick_ratio": 1, "cash_ratio": 1, "working_capital_to_assets": 1,
    "debt_to_assets": -1, "debt_to_equity": -1, "interest_coverage": 1,
    "roa": 1, "roe": 1, "ebit_margin": 1, "net_margin": 1,
    "dso": -1, "dio": -1, "dpo": -1, "cash_conversion_cycle": -1,
    "altman_z2": 1, "sales": 1, "equity": 1,
}
FLAT_TOLERANCE = 0.02  # relative change below 2 % counts as flat


@dataclass(frozen=True, slots=True)
class TrendChange:
    indicator: str
    year_from: int | None
    year_to: int | None
    before: float
    after: float
    direction: str  # "improved" | "worsened" | "flat"

    @property
    def change(self) -> float:
        return self.after - self.before

    def as_dict(self) -> dict[str, object]:
        return {"indicator": self.indicator, "year_from": self.year_from, "year_to": self.year_to,
                "before": self.before, "after": self.after, "change": self.change,
                "direction": self.direction}


def indicators(stmt: FinancialStatement) -> dict[str, float | None]:
    """The indicators the trend compares: the ratios, Z'' and two size lines."""
    values: dict[str, float | None] = {
        k: v for k, v in ratios(stmt).as_dict().items() if not isinstance(v, bool)
    }
    values["altman_z2"] = altman_z2(stmt).score
    values["sales"] = stmt.sales
    values["equity"] = stmt.derived().equity
    return values


def _direction(name: str, before: float, after: float) -> str:
    scale = max(abs(before), abs(after), 1e-12)
    if abs(after - before) / scale < FLAT_TOLERANCE:
        return "flat"
    better = (after > before) == (INDICATOR_DIRECTION.get(name, 1) > 0)
    return "improved" if better else "worsened"


def trend(statements: Iterable[FinancialStatement]) -> list[TrendChange]:
    """Year-on-year changes of every computable indicator, for consecutive years in year order."""
    ordered: Sequence[FinancialStatement] = sorted(
        statements, key=lambda s: (s.year is None, s.year if s.year is not None else 0))
    changes: list[TrendChange] = []
    for prev, cur in itertools.pairwise(ordered):
        a, b = indicators(prev), indicators(cur)
        for name in INDICATOR_DIRECTION:
            before, after = a.get(name), b.get(name)
            if before is None or after is None:
                continue
            changes.append(TrendChange(name, prev.year, cur.year, before, after,
                                       _direction(name, before, after)))
    return changes


def worsened_latest(statements: Iterable[FinancialStatement]) -> list[TrendChange]:
    """Indicators that worsened between the last two years: the 'which indicators fell' summary."""
    ordered = sorted(statements, key=lambda s: (s.year is None, s.year if s.year is not None else 0))
    if len(ordered) < 2:
        return []
    return [c for c in trend(ordered[-2:]) if c.direction == "worsened"]


# --- falling indicators, for risk scoring and classification ----------------------------------------------

# The indicators a collector reads ("is it getting weaker?"), most telling first, each with the smallest scale its
# change is measured against, so that ROA moving from 0.4 % to 0.2 % is not a 50 % "fall".  0 = relative to the
# values themselves.  Z'' comes last: the risk score already gives it a reason of its own.
KEY_INDICATORS: dict[str, float] = {
    "current_ratio": 0.5, "equity": 0.0, "ebit_margin": 0.05, "debt_to_assets": 0.2, "sales": 0.0,
    "interest_coverage": 1.0, "quick_ratio": 0.5, "cash_ratio": 0.2, "roa": 0.05, "net_margin": 0.05,
    "altman_z2": 1.0,
}
FALLING_MIN_CHANGE = 0.10  # a key indicator "falls" when it worsens by at least 10 % of its scale
INDICATOR_LABELS: dict[str, str] = {
    "current_ratio": "current ratio", "quick_ratio": "quick ratio", "cash_ratio": "cash ratio",
    "debt_to_assets": "debt/assets", "interest_coverage": "interest cover", "roa": "ROA",
    "ebit_margin": "EBIT margin", "net_margin": "net margin", "altman_z2": "Altman Z''", "equity": "equity",
    "sales": "sales",
}
_PERCENT = {"debt_to_assets", "roa", "ebit_margin", "net_margin"}
_SIZE = {"equity", "sales"}


def falling(statements: Iterable[FinancialStatement]) -> list[TrendChange]:
    """Key indicators that worsened materially between the last two years (noise-proof 'indicators falling')."""
    out = []
    for c in worsened_latest(statements):
        floor = KEY_INDICATORS.get(c.indicator)
        if floor is None:
            continue
        scale = max(abs(c.before), abs(c.after), floor)
        if scale > 0 and abs(c.change) >= FALLING_MIN_CHANGE * scale:
            out.append(c)
    order = list(KEY_INDICATORS)
    return sorted(out, key=lambda c: order.index(c.indicator))


def describe_change(c: TrendChange) -> str:
    """``"current ratio 1.40 → 0.85"``, ``"EBIT margin 4.0% → -6.5%"``, ``"sales -22%"``."""
    label = INDICATOR_LABELS.get(c.indicator, c.indicator.replace("_", " "))
    if c.indicator in _SIZE:
        rel = c.change / abs(c.before) if c.before else 0.0
        return f"{label} {rel:+.0%}" if c.before > 0 else f"{label} {c.before:,.0f} → {c.after:,.0f}"
    if c.indicator in _PERCENT:
        return f"{label} {c.before:.1%} → {c.after:.1%}"
    return f"{label} {c.before:.2f} → {c.after:.2f}"
