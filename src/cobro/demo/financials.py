"""Invented annual accounts (PGC-style balance sheet + P&L) for a share of the demo debtors.

Pure: numpy only.  Every insolvent debtor gets accounts (so the demo can show the solvency evidence), about half
of the others do, public-sector bodies never (they do not file PGC accounts).  Each firm has 2 or 3 fiscal years
ending the year before the as-of date.  The path of the key ratios follows the payer behaviour:

============  ==============================================================================================
behaviour     accounts
============  ==============================================================================================
punctual      healthy and steady: current ratio ~1.9, equity ~50 % of assets, EBIT margin ~8 %, sales growing
disputing     sound: current ratio ~1.6, equity ~40 %, EBIT margin ~6 %
chronic_late  thin but stable: current ratio ~1.2, equity ~28 %, EBIT margin ~3 %
slowing_down  slipping: liquidity, margin and equity drift down a little each year
insolvent     from grey to distress: current ratio 1.2 → 0.7, equity 25 % → ~0, EBIT margin +3 % → −9 %,
              sales −15 % a year, accumulated losses
============  ==============================================================================================

Balance sheets balance (activo = patrimonio neto + pasivo) and amounts are whole units of the firm's currency.
`write_csv` writes them with the PGC column names `cobro import financials` reads.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cobro.kernel.cells import csv_writer

# (current ratio, equity / assets, EBIT margin, retained earnings / equity, yearly sales growth) in the first
# year, and the change per year after it
_PATHS: dict[str, tuple[tuple[float, float, float, float, float], tuple[float, float, float, float, float]]] = {
    "punctual": ((1.9, 0.50, 0.08, 0.60, 0.04), (0.02, 0.01, 0.002, 0.01, 0.0)),
    "disputing": ((1.6, 0.40, 0.06, 0.50, 0.02), (0.0, 0.0, 0.0, 0.0, 0.0)),
    "chronic_late": ((1.2, 0.28, 0.03, 0.35, 0.01), (0.0, 0.0, 0.0, 0.0, 0.0)),
    "slowing_down": ((1.4, 0.33, 0.045, 0.40, 0.0), (-0.12, -0.03, -0.015, -0.05, -0.04)),
    "insolvent": ((1.2, 0.25, 0.03, 0.35, -0.05), (-0.25, -0.12, -0.06, -0.60, -0.10)),
}
_TURNOVER = {"retail": 2.0, "industry": 1.1, "construction": 0.9, "wholesale": 1.6}  # sales / total assets
_SALES_EUR = {"retail": 2.5e6, "industry": 12e6, "construction": 8e6, "wholesale": 9e6}
CSV_COLUMNS = ("cliente", "ejercicio", "moneda", "activo_no_corriente", "activo_corriente", "existencias",
               "deudores_comerciales", "tesoreria", "activo_total", "patrimonio_neto", "reservas",
               "pasivo_no_corriente", "pasivo_corriente", "acreedores_comerciales",
               "importe_neto_cifra_negocios", "aprovisionamientos", "amortizacion", "resultado_explotacion",
               "gastos_financieros", "resultado_ejercicio")


@dataclass(frozen=True, slots=True)
class DemoFirm:
    code: str
    behaviour: str
    segment: str
    currency: str
    eur_rate: float = 1.0  # units of `currency` per EUR


@dataclass(frozen=True, slots=True)
class DemoAccounts:
    """One fiscal year of one firm, whole units of `currency` (the CSV columns, in order)."""

    code: str
    year: int
    currency: str
    lines: tuple[int, ...]  # CSV_COLUMNS[3:]

    def row(self) -> list[object]:
        return [self.code, self.year, self.currency, *self.lines]


def _has_accounts(firm: DemoFirm, seed: int, share: float) -> bool:
    if firm.segment == "public_sector" or firm.behaviour not in _PATHS:
        return False
    if firm.behaviour == "insolvent":
        return True
    return (zlib.crc32(f"{seed}:{firm.code}".encode()) % 1000) / 1000 < share


def _year(firm: DemoFirm, year: int, sales: float, k: int, rng: np.random.Generator) -> DemoAccounts:
    start, step = _PATHS[firm.behaviour]
    cr, eq_share, margin, re_share, _ = (a + k * b for a, b in zip(start, step, strict=True))
    cr, margin = max(0.45, cr * rng.normal(1, 0.015)), margin + rng.normal(0, 0.002)
    eq_share = max(-0.08, eq_share * rng.normal(1, 0.015))
    total = sales / _TURNOVER.get(firm.segment, 1.3) * rng.normal(1, 0.02)
    current = total * 0.6
    fixed = total - current
    inventory, receivables = current * 0.30, current * 0.45
    cash = current - inventory - receivables
    equity = total * eq_share
    cur_liab = min(current / cr, total - equity)
    non_cur = total - equity - cur_liab
    retained = equity * re_share if equity > 0 else equity - total * 0.05  # losses ate the reserves
    ebit = sales * margin
    interest = (non_cur + cur_liab * 0.4) * 0.05
    pre_tax = ebit - interest
    net = pre_tax * 0.75 if pre_tax > 0 else pre_tax
    lines = (fixed, current, inventory, receivables, cash, total, equity, retained, non_cur, cur_liab,
             cur_liab * 0.55, sales, sales * 0.62, fixed * 0.08, ebit, interest, net)
    return DemoAccounts(firm.code, year, firm.currency, tuple(round(v) for v in lines))


def make_accounts(firms: Sequence[DemoFirm], as_of: dt.date, seed: int, *, share: float = 0.5) -> list[DemoAccounts]:
    """Accounts for every insolvent firm and about `share` of the others (2-3 years each, oldest first)."""
    out: list[DemoAccounts] = []
    last = as_of.year - 1
    for firm in firms:
        if not _has_accounts(firm, seed, share):
            continue
        rng = np.random.default_rng([seed, zlib.crc32(firm.code.encode())])
        years = 3 if rng.random() < 0.5 or firm.behaviour == "insolvent" else 2
        sales = _SALES_EUR.get(firm.segment, 5e6) * firm.eur_rate * rng.lognormal(0, 0.5)
        growth = _PATHS[firm.behaviour][0][4]
        for k in range(years):
            out.append(_year(firm, last - years + 1 + k, sales, k, rng))
            growth += _PATHS[firm.behaviour][1][4]
            sales *= 1 + growth + rng.normal(0, 0.01)
    return out


def write_csv(accounts: Sequence[DemoAccounts], path: Path) -> Path:
    """The accounts as a CSV with PGC column names (what `cobro import financials` reads)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv_writer(fh)
        w.writerow(CSV_COLUMNS)
        w.writerows(a.row() for a in accounts)
    return path
