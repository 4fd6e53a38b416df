"""`cobro report collectors`: one line per collector and currency for a month, and the targets behind it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from cobro.collections.schemas import Json, plain

LINE_COLUMNS = ("collector", "currency", "recovered", "target", "progress_pct", "promises_made", "promises_kept",
                "promises_broken", "kept_rate_pct", "calls", "meetings", "outcomes", "portfolio_customers",
                "portfolio_open", "portfolio_overdue", "dso_days")


def _amount(minor: int, currency: str) -> str:
    # a collector with promises or calls but no amounts in any currency has a line without one
    return plain(minor, currency) if currency else str(minor)


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


@dataclass(frozen=True, slots=True)
class CollectorTarget:
    collector: str
    period: str
    currency: str
    amount_minor: int

    def as_json(self) -> Json:
        return {"collector": self.collector, "period": self.period, "currency": self.currency,
                "amount": plain(self.amount_minor, self.currency)}


@dataclass(frozen=True, slots=True)
class CollectorLine:
    collector: str
    currency: str
    recovered_minor: int = 0
    target_minor: int | None = None
    progress: Decimal | None = None
    promises_made: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    kept_rate: Decimal | None = None
    calls: int = 0
    meetings: int = 0
    outcomes: tuple[tuple[str, int], ...] = ()
    portfolio_customers: int = 0
    portfolio_open_minor: int = 0
    portfolio_overdue_minor: int = 0
    dso: Decimal | None = None

    def as_json(self) -> Json:
        cur = self.currency
        return {"collector": self.collector, "currency": cur, "recovered": _amount(self.recovered_minor, cur),
                "target": None if self.target_minor is None else _amount(self.target_minor, cur),
                "progress_pct": _pct(self.progress), "promises_made": self.promises_made,
                "promises_kept": self.promises_kept, "promises_broken": self.promises_broken,
                "kept_rate_pct": _pct(self.kept_rate), "calls": self.calls, "meetings": self.meetings,
                "outcomes": dict(self.outcomes), "portfolio_customers": self.portfolio_customers,
                "portfolio_open": _amount(self.portfolio_open_minor, cur),
                "portfolio_overdue": _amount(self.portfolio_overdue_minor, cur), "dso_days": _pct(self.dso)}

    def cells(self) -> list[object]:
        """The line as spreadsheet cells, in `LINE_COLUMNS` order (amounts as Decimal, so they sum)."""
        data = self.as_json()
        out: list[object] = []
        for col in LINE_COLUMNS:
            value = data[col]
            if col == "outcomes":
                value = ", ".join(f"{k} {v}" for k, v in self.outcomes)
            elif col in ("recovered", "target", "portfolio_open", "portfolio_overdue", "progress_pct",
                         "kept_rate_pct", "dso_days") and value is not None:
                value = Decimal(value)
            out.append(value)
        return out


@dataclass(frozen=True, slots=True)
class CollectorReport:
    period: str
    start: dt.date
    end: dt.date  # the period's last day, or the as-of day when the period is still running
    window_days: int
    lines: tuple[CollectorLine, ...]
    unattributed: tuple[tuple[str, int], ...] = field(default=())  # (currency, minor) with no contact in the window

    def as_json(self) -> Json:
        return {"period": self.period, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "window_days": self.window_days, "collectors": [line.as_json() for line in self.lines],
                "unattributed": {cur: plain(minor, cur) for cur, minor in self.unattributed}}
