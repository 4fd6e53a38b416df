from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cobro.platform.http.schemas import Amount, Day


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
