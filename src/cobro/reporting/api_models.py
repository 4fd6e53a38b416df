"""The /api/v1/reports response models: the JSON `cobro report … --format json` prints, typed for OpenAPI.

Amounts are exact decimal strings in major units, day counts and percentages decimal strings with their places
(None where a KPI is undefined: no sales in the window, no open items)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cobro.platform.http.schemas import Amount, Day
from cobro.reporting.schemas import AgeingBucket, AgeingCurrency

Figure = str | None  # a day count, ratio or percentage as a decimal string; None where undefined


class AgeingGroup(BaseModel):
    key: str = Field(description="customer code or segment")
    buckets: list[AgeingBucket]
    total: Amount


class AgeingCurrencyOut(AgeingCurrency):
    groups: list[AgeingGroup] | None = None


class AgeingOut(BaseModel):
    as_of: Day
    basis: str = Field(examples=["due", "invoice"])
    by: str | None = Field(None, examples=["customer", "segment"])
    currency: dict[str, AgeingCurrencyOut]


class KpiValues(BaseModel):
    window_days: int
    sales: Amount
    ar_begin: Amount
    ar_end: Amount
    ar_current: Amount
    ar_over_90: Amount
    dso: Figure
    countback_dso: Figure
    true_dso_oracle: Figure
    true_dso_amount_weighted: Figure
    bpdso: Figure
    add: Figure
    add_direct: Figure
    avg_days_beyond_terms: Figure
    avg_days_beyond_terms_late_only: Figure
    avg_days_to_pay: Figure
    cei: Figure = Field(description="collection effectiveness index, %")
    turnover: Figure
    avg_collection_period: Figure
    percent_current: Figure
    percent_over_90: Figure
    open_count: int


class KpiTrendOut(BaseModel):
    month_end: Day
    currency: dict[str, KpiValues]


class KpisOut(BaseModel):
    as_of: Day
    window_days: int
    currency: dict[str, KpiValues]
    trend: list[KpiTrendOut] | None = None


class RollRateOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_bucket: str = Field(alias="from")
    to_bucket: str = Field(alias="to")
    rate: Figure


class ProvisionLine(BaseModel):
    bucket: str
    balance: Amount
    chain: Figure
    loss_rate: Figure
    rate: Figure
    ecl: Amount


class ProvisionCurrency(BaseModel):
    note: str | None = Field(None, description="why there is no matrix (too little history)")
    roll_rates: list[RollRateOut] = []
    snapshots: list[list[Amount]] = []
    lines: list[ProvisionLine]
    total_balance: Amount
    total_ecl: Amount | None
    coverage: Figure = None


class ProvisionOut(BaseModel):
    as_of: Day
    lgd: str
    overlay: str
    snapshots: list[Day]
    currency: dict[str, ProvisionCurrency]


class CostRowOut(BaseModel):
    key: str
    count: int
    nominal_at_risk: Amount
    financing_cost: Amount
    staff_cost: Amount
    systemic_charge: Amount
    carrying_cost: Amount


class CostTotalOut(BaseModel):
    count: int
    nominal_at_risk: Amount
    financing_cost: Amount
    staff_cost_taken: Amount
    staff_cost_planned: Amount
    systemic_charge: Amount
    carrying_cost: Amount
    total: Amount


class CostCurrency(BaseModel):
    rows: list[CostRowOut]
    total: CostTotalOut


class CostOut(BaseModel):
    as_of: Day
    by: str
    actions_recorded: bool
    parameters: dict[str, str]
    currency: dict[str, CostCurrency]
    unpriced_channels: list[str] = []


class ForecastPeriodOut(BaseModel):
    period_start: Day
    expected: Amount
    p10: Amount
    p50: Amount
    p90: Amount


class ForecastCurrency(BaseModel):
    open: Amount
    expected_in_horizon: Amount
    periods: list[ForecastPeriodOut]


class ForecastOut(BaseModel):
    as_of: Day
    horizon_weeks: int
    freq: str
    model: dict[str, str]
    open_items: int
    promises: int | None
    currencies: dict[str, ForecastCurrency]
