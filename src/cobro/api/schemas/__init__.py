"""Response models of the JSON API (pydantic v2).  Amounts are decimal strings on the currency's grid, never
floats; currencies are ISO 4217 codes."""

from cobro.api.schemas.common import Amount, Health, Problem
from cobro.api.schemas.customers import (
    Contact,
    CustomerDetail,
    CustomerInfo,
    CustomerList,
    CustomerRead,
    OpenItem,
    PaymentRead,
)
from cobro.api.schemas.ledger import LedgerSummary
from cobro.api.schemas.reports import AgeingBucket, AgeingCurrency, AgeingReport

__all__ = [
    "AgeingBucket", "AgeingCurrency", "AgeingReport", "Amount", "Contact", "CustomerDetail", "CustomerInfo",
    "CustomerList", "CustomerRead", "Health", "LedgerSummary", "OpenItem", "PaymentRead", "Problem",
]
