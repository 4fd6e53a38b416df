"""The reports' result types: the frozen values the services return (below), and the API's pydantic models."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cobro.kernel.money import Money
from cobro.platform.http.schemas import Amount, Day
from cobro.reporting.domain.costs import CostParameters


class AgeingBucket(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    label: str
    from_days: int | None = Field(alias="from", description="Lowest age in days (inclusive); null = unbounded")
    to_days: int | None = Field(alias="to", description="Highest age in days (inclusive); null = unbounded")
    amount: Amount
    count: int = Field(ge=0)


class AgeingCurrency(BaseModel):
    buckets: list[AgeingBucket]
    total: Amount = Field(description="Gross open receivables (the sum of the buckets)")
    count: int = Field(ge=0)
    credit_notes: Amount
    unapplied_cash: Amount
    net: Amount


class AgeingReport(BaseModel):
    as_of: Day
    basis: str = Field(examples=["due", "invoice"])
    currency: dict[str, AgeingCurrency]


# --- what the report services hand back -------------------------------------------------------------------------
# Frozen values carrying Money (on the currency's grid, rounded half-up) and unrounded ratios; `as_json()` is the
# JSON `cobro report` prints: amounts as plain strings, day counts and percentages as strings with their places.

def _one(value: Decimal | None, places: int = 1) -> str | None:
    return None if value is None else f"{value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):f}"


def _pct(value: Decimal | None, places: int) -> str | None:
    """A fraction shown as a percentage with `places` decimals."""
    return None if value is None else _one(value * 100, places)


class AgeBasis(StrEnum):
    DUE = "due"  # days past due
    INVOICE = "invoice"  # days since invoice


class Breakdown(StrEnum):
    CUSTOMER = "customer"
    SEGMENT = "segment"


class CostBy(StrEnum):
    INVOICE = "invoice"
    CUSTOMER = "customer"


@dataclass(frozen=True, slots=True)
class BucketTotal:
    label: str
    lower: int | None  # days, inclusive; None = unbounded
    upper: int | None
    amount: Money
    count: int

    def as_json(self) -> dict[str, Any]:
        return {"label": self.label, "from": self.lower, "to": self.upper, "amount": self.amount.format_plain(),
                "count": self.count}


@dataclass(frozen=True, slots=True)
class GroupAgeing:
    key: str  # customer code or segment
    buckets: tuple[BucketTotal, ...]
    total: Money

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "buckets": [b.as_json() for b in self.buckets], "total": self.total.format_plain()}


@dataclass(frozen=True, slots=True)
class CurrencyAgeing:
    currency: str
    buckets: tuple[BucketTotal, ...]
    total: Money  # gross open receivables: the buckets' sum, the ledger's open amount
    count: int
    credit_notes: Money  # negative: open credit notes, netted only in `net`
    unapplied_cash: Money  # negative
    net: Money
    groups: tuple[GroupAgeing, ...] | None  # largest first; None without a breakdown

    def as_json(self) -> dict[str, Any]:
        out = {"buckets": [b.as_json() for b in self.buckets], "total": self.total.format_plain(), "count": self.count,
               "credit_notes": self.credit_notes.format_plain(), "unapplied_cash": self.unapplied_cash.format_plain(),
               "net": self.net.format_plain()}
        if self.groups is not None:
            out["groups"] = [g.as_json() for g in self.groups]
        return out


@dataclass(frozen=True, slots=True)
class Ageing:
    as_of: dt.date
    basis: AgeBasis
    by: Breakdown | None
    currencies: tuple[CurrencyAgeing, ...]

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"as_of": self.as_of.isoformat(), "basis": str(self.basis),
                               "currency": {c.currency: c.as_json() for c in self.currencies}}
        if self.by is not None:
            out["by"] = str(self.by)
        return out


@dataclass(frozen=True, slots=True)
class CurrencyKpis:
    """Every KPI of one currency; day counts and ratios unrounded (None when undefined)."""

    currency: str
    window_days: int
    sales: Money
    ar_begin: Money
    ar_end: Money
    ar_current: Money
    ar_over_90: Money
    dso: Decimal | None
    countback_dso: Decimal | None
    true_dso_oracle: Decimal | None
    true_dso_amount_weighted: Decimal | None
    bpdso: Decimal | None
    add: Decimal | None
    add_direct: Decimal | None
    avg_days_beyond_terms: Decimal | None
    avg_days_beyond_terms_late_only: Decimal | None
    avg_days_to_pay: Decimal | None
    cei: Decimal | None
    turnover: Decimal | None
    avg_collection_period: Decimal | None
    percent_current: Decimal | None
    percent_over_90: Decimal | None
    open_count: int

    def as_json(self) -> dict[str, Any]:
        days = ("dso", "countback_dso", "true_dso_oracle", "true_dso_amount_weighted", "bpdso", "add", "add_direct",
                "avg_days_beyond_terms", "avg_days_beyond_terms_late_only", "avg_days_to_pay", "cei")
        return {"window_days": self.window_days,
                **{k: getattr(self, k).format_plain() for k in ("sales", "ar_begin", "ar_end", "ar_current",
                                                                "ar_over_90")},
                **{k: _one(getattr(self, k)) for k in days}, "turnover": _one(self.turnover, 2),
                "avg_collection_period": _one(self.avg_collection_period),
                "percent_current": _one(self.percent_current), "percent_over_90": _one(self.percent_over_90),
                "open_count": self.open_count}


@dataclass(frozen=True, slots=True)
class KpiTrendPoint:
    month_end: dt.date
    currencies: tuple[CurrencyKpis, ...]


@dataclass(frozen=True, slots=True)
class KpiReport:
    as_of: dt.date
    window_days: int
    currencies: tuple[CurrencyKpis, ...]
    trend: tuple[KpiTrendPoint, ...] | None  # None: not asked for

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"as_of": self.as_of.isoformat(), "window_days": self.window_days,
                               "currency": {c.currency: c.as_json() for c in self.currencies}}
        if self.trend is not None:
            out["trend"] = [{"month_end": t.month_end.isoformat(),
                             "currency": {c.currency: c.as_json() for c in t.currencies}} for t in self.trend]
        return out


@dataclass(frozen=True, slots=True)
class RollRate:
    from_bucket: str
    to_bucket: str  # the next bucket, or "written off"
    rate: Decimal  # a fraction

    def as_json(self) -> dict[str, Any]:
        return {"from": self.from_bucket, "to": self.to_bucket, "rate": _pct(self.rate, 2)}


@dataclass(frozen=True, slots=True)
class ProvisionRow:
    bucket: str
    balance: Money
    chain: Decimal  # fractions: the chain of roll rates to write-off, × LGD, × overlay
    loss_rate: Decimal
    rate: Decimal
    ecl: Money

    def as_json(self) -> dict[str, Any]:
        return {"bucket": self.bucket, "balance": self.balance.format_plain(), "chain": _pct(self.chain, 4),
                "loss_rate": _pct(self.loss_rate, 4), "rate": _pct(self.rate, 4), "ecl": self.ecl.format_plain()}


@dataclass(frozen=True, slots=True)
class CurrencyProvision:
    currency: str
    note: str | None  # why there is no matrix (too little history); then only the balance is given
    roll_rates: tuple[RollRate, ...]
    snapshots: tuple[tuple[Money, ...], ...]  # per month-end: the bucket balances and the written-off flow
    lines: tuple[ProvisionRow, ...]
    total_balance: Money
    total_ecl: Money | None
    coverage: Decimal | None  # ECL / balance, a fraction

    def as_json(self) -> dict[str, Any]:
        if self.note is not None:
            return {"note": self.note, "lines": [], "total_balance": self.total_balance.format_plain(),
                    "total_ecl": None}
        return {"roll_rates": [r.as_json() for r in self.roll_rates],
                "snapshots": [[m.format_plain() for m in row] for row in self.snapshots],
                "lines": [ln.as_json() for ln in self.lines], "total_balance": self.total_balance.format_plain(),
                "total_ecl": None if self.total_ecl is None else self.total_ecl.format_plain(),
                "coverage": _pct(self.coverage, 2)}


@dataclass(frozen=True, slots=True)
class Provision:
    as_of: dt.date
    lgd: Decimal
    overlay: Decimal
    snapshots: tuple[dt.date, ...]
    currencies: tuple[CurrencyProvision, ...]

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "lgd": str(self.lgd), "overlay": str(self.overlay),
                "snapshots": [d.isoformat() for d in self.snapshots],
                "currency": {c.currency: c.as_json() for c in self.currencies}}


@dataclass(frozen=True, slots=True)
class CostRow:
    key: str  # invoice number or customer code
    count: int
    nominal_at_risk: Money
    financing_cost: Money
    staff_cost: Money
    systemic_charge: Money
    carrying_cost: Money

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "count": self.count, **{k: getattr(self, k).format_plain() for k in (
            "nominal_at_risk", "financing_cost", "staff_cost", "systemic_charge", "carrying_cost")}}


@dataclass(frozen=True, slots=True)
class CostTotal:
    count: int
    nominal_at_risk: Money
    financing_cost: Money
    staff_cost_taken: Money
    staff_cost_planned: Money
    systemic_charge: Money
    carrying_cost: Money
    total: Money

    def as_json(self) -> dict[str, Any]:
        return {"count": self.count, **{k: getattr(self, k).format_plain() for k in (
            "nominal_at_risk", "financing_cost", "staff_cost_taken", "staff_cost_planned", "systemic_charge",
            "carrying_cost", "total")}}


@dataclass(frozen=True, slots=True)
class CurrencyCost:
    currency: str
    rows: tuple[CostRow, ...]  # the costliest first
    total: CostTotal

    def as_json(self) -> dict[str, Any]:
        return {"rows": [r.as_json() for r in self.rows], "total": self.total.as_json()}


@dataclass(frozen=True, slots=True)
class CostReport:
    as_of: dt.date
    by: CostBy
    actions_recorded: bool  # False: no collection actions to charge staff cost for
    parameters: CostParameters
    currencies: tuple[CurrencyCost, ...]
    unpriced_channels: tuple[str, ...]  # channels with no minutes per action in the parameters

    def as_json(self) -> dict[str, Any]:
        p = self.parameters
        out: dict[str, Any] = {
            "as_of": self.as_of.isoformat(), "by": str(self.by), "actions_recorded": self.actions_recorded,
            "parameters": {"cost_of_funds": str(p.cost_of_funds), "hourly_cost": str(p.hourly_cost),
                           "probability_of_default": str(p.probability_of_default), "lgd": str(p.lgd)},
            "currency": {c.currency: c.as_json() for c in self.currencies}}
        if self.unpriced_channels:
            out["unpriced_channels"] = list(self.unpriced_channels)
        return out
