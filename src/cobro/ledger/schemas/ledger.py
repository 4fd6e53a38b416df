from __future__ import annotations

from pydantic import BaseModel, Field

from cobro.platform.http.schemas import Amount


class LedgerSummary(BaseModel):
    customers: int = Field(ge=0)
    invoices: int = Field(ge=0)
    open_invoices: int = Field(ge=0)
    open_amount: dict[str, Amount] = Field(description="Open invoice amount per currency")
    unapplied_credit: dict[str, Amount] = Field(description="Open credit notes plus unapplied cash per currency")
