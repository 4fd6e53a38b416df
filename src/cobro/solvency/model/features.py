"""Map a debtor's `FinancialStatement` onto the Polish-bankruptcy ratios (UCI X1..X64) the model is trained on.

Only the ratios whose definition is clear from ordinary balance-sheet/P&L lines are computed; the others
(those needing "gross profit" in the Polish sense, share capital, operating expenses, 3-year sums, or
amounts in PLN such as X29 log total assets and X55 working capital) are left missing, which the model
are set to the model's training medians (see `statement_vector`).  The caller reports how many of the
model's features the statement filled: with few, the probability is a rough prior, not a verdict.
EBIT stands in for "profit on operating activities".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np

from cobro.solvency.domain import FinancialStatement
from cobro.solvency.model.model import Array

S = FinancialStatement
F = float | None


def _d(a: F, b: F) -> F:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _m(a: F, b: F) -> F:
    return None if a is None or b is None else a * b


def _s(a: F, b: F) -> F:
    return None if a is None or b is None else a - b


def _p(a: F, b: F) -> F:
    return None if a is None or b is None else a + b


def _constant_capital(s: S) -> F:
    return _p(s.equity, s.non_current_liabilities)


# UCI index → (descriptive name as in the shared ARFF, function of (statement, previous-year statement))
POLISH_FEATURES: dict[int, tuple[str, Callable[[S, S | None], F]]] = {
    1: ("net profit / total assets", lambda s, p: _d(s.net_income, s.total_assets)),
    2: ("total liabilities / total assets", lambda s, p: _d(s.total_liabilities, s.total_assets)),
    3: ("working capital / total assets",
        lambda s, p: _d(_s(s.current_assets, s.current_liabilities), s.total_assets)),
    4: ("current assets / short-term liabilities", lambda s, p: _d(s.current_assets, s.current_liabilities)),
    6: ("retained earnings / total assets", lambda s, p: _d(s.retained_earnings, s.total_assets)),
    7: ("EBIT / total assets", lambda s, p: _d(s.ebit, s.total_assets)),
    8: ("book value of equity / total liabilities", lambda s, p: _d(s.equity, s.total_liabilities)),
    9: ("sales / total assets", lambda s, p: _d(s.sales, s.total_assets)),
    10: ("equity / total assets", lambda s, p: _d(s.equity, s.total_assets)),
    17: ("total assets / total liabilities", lambda s, p: _d(s.total_assets, s.total_liabilities)),
    20: ("(inventory * 365) / sales", lambda s, p: _d(_m(s.inventory, 365.0), s.sales)),
    21: ("sales (n) / sales (n-1)", lambda s, p: None if p is None else _d(s.sales, p.sales)),
    22: ("profit on operating activities / total assets", lambda s, p: _d(s.ebit, s.total_assets)),
    23: ("net profit / sales", lambda s, p: _d(s.net_income, s.sales)),
    26: ("(net profit + depreciation) / total liabilities",
         lambda s, p: _d(_p(s.net_income, s.depreciation), s.total_liabilities)),
    27: ("profit on operating activities / financial expenses",
         lambda s, p: _d(s.ebit, s.interest_expense)),
    28: ("working capital / fixed assets",
         lambda s, p: _d(_s(s.current_assets, s.current_liabilities), s.fixed_assets)),
    30: ("(total liabilities - cash) / sales", lambda s, p: _d(_s(s.total_liabilities, s.cash), s.sales)),
    32: ("(current liabilities * 365) / cost of products sold",
         lambda s, p: _d(_m(s.current_liabilities, 365.0), s.cost_of_sales)),
    36: ("total sales / total assets", lambda s, p: _d(s.sales, s.total_assets)),
    37: ("(current assets - inventories) / long-term liabilities",
         lambda s, p: _d(_s(s.current_assets, s.inventory), s.non_current_liabilities)),
    38: ("constant capital / total assets", lambda s, p: _d(_constant_capital(s), s.total_assets)),
    40: ("(current assets - inventory - receivables) / short-term liabilities",
         lambda s, p: _d(_s(_s(s.current_assets, s.inventory), s.receivables), s.current_liabilities)),
    42: ("profit on operating activities / sales", lambda s, p: _d(s.ebit, s.sales)),
    43: ("rotation receivables + inventory turnover in days",
         lambda s, p: _p(_d(_m(s.receivables, 365.0), s.sales), _d(_m(s.inventory, 365.0), s.sales))),
    44: ("(receivables * 365) / sales", lambda s, p: _d(_m(s.receivables, 365.0), s.sales)),
    45: ("net profit / inventory", lambda s, p: _d(s.net_income, s.inventory)),
    46: ("(current assets - inventory) / short-term liabilities",
         lambda s, p: _d(_s(s.current_assets, s.inventory), s.current_liabilities)),
    47: ("(inventory * 365) / cost of products sold",
         lambda s, p: _d(_m(s.inventory, 365.0), s.cost_of_sales)),
    50: ("current assets / total liabilities", lambda s, p: _d(s.current_assets, s.total_liabilities)),
    51: ("short-term liabilities / total assets", lambda s, p: _d(s.current_liabilities, s.total_assets)),
    52: ("(short-term liabilities * 365) / cost of products sold",
         lambda s, p: _d(_m(s.current_liabilities, 365.0), s.cost_of_sales)),
    53: ("equity / fixed assets", lambda s, p: _d(s.equity, s.fixed_assets)),
    54: ("constant capital / fixed assets", lambda s, p: _d(_constant_capital(s), s.fixed_assets)),
    56: ("(sales - cost of products sold) / sales", lambda s, p: _d(_s(s.sales, s.cost_of_sales), s.sales)),
    59: ("long-term liabilities / equity", lambda s, p: _d(s.non_current_liabilities, s.equity)),
    60: ("sales / inventory", lambda s, p: _d(s.sales, s.inventory)),
    61: ("sales / receivables", lambda s, p: _d(s.sales, s.receivables)),
    62: ("(short-term liabilities *365) / sales", lambda s, p: _d(_m(s.current_liabilities, 365.0), s.sales)),
    63: ("sales / short-term liabilities", lambda s, p: _d(s.sales, s.current_liabilities)),
    64: ("sales / fixed assets", lambda s, p: _d(s.sales, s.fixed_assets)),
}


def _key(name: str) -> str:
    return re.sub(r"\s+", "", name.lower())


_BY_NAME = {_key(name): idx for idx, (name, _) in POLISH_FEATURES.items()}
_ATTR_RE = re.compile(r"^(?:attr|x)(\d{1,2})$", re.IGNORECASE)


def feature_index(name: str) -> int | None:
    """UCI index of a model feature, from its descriptive name or an ``Attr12``/``X12`` name."""
    m = _ATTR_RE.match(name.strip())
    if m:
        return int(m.group(1))
    return _BY_NAME.get(_key(name))


def statement_vector(feature_names: list[str], stmt: FinancialStatement,
                     previous: FinancialStatement | None = None,
                     fill: list[float] | None = None) -> tuple[Array, list[bool]]:
    """The model's feature row for one statement and which features the statement itself filled.

    Features the statement cannot provide take the value in `fill` (the model's training medians) rather
    than NaN: in the Polish data a missing ratio is itself a strong signal (e.g. no prior-year sales), so
    leaving it missing would make a firm look risky merely because its statement is short.
    """
    s = stmt.derived()
    p = previous.derived() if previous is not None else None
    row = np.full(len(feature_names), np.nan, dtype=np.float64)
    filled = [False] * len(feature_names)
    for j, name in enumerate(feature_names):
        idx = feature_index(name)
        value = POLISH_FEATURES[idx][1](s, p) if idx in POLISH_FEATURES else None
        if value is not None and math.isfinite(value):
            row[j] = value
            filled[j] = True
        elif fill is not None and j < len(fill):
            row[j] = fill[j]
    return row, filled
