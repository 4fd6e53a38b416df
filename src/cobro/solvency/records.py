"""ORM row of debtors' financial statements: one balance sheet + P&L per customer and fiscal year.

Amounts are integer minor units of `currency` (never floats at rest); a line the statement did not give is NULL.
Ratios are not stored: they are computed from these lines when needed (`cobro.solvency.domain`).
The natural key is tenant + customer + fiscal year; `content_hash` tells a re-import what changed.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cobro.platform.db.base import Base, IdType, TimestampMixin

# The `FinancialStatement` lines stored, each as `<line>_minor`.
STATEMENT_LINES = (
    "total_assets", "current_assets", "fixed_assets", "inventory", "receivables", "cash",
    "current_liabilities", "non_current_liabilities", "total_liabilities", "payables", "equity",
    "retained_earnings", "sales", "cost_of_sales", "ebit", "interest_expense", "net_income", "depreciation",
)


class FinancialStatementRow(TimestampMixin, Base):
    __tablename__ = "financial_statements"
    __table_args__ = (UniqueConstraint("tenant_id", "customer_id", "year"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))  # indexed by the unique key's prefix
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)  # fiscal year
    currency: Mapped[str] = mapped_column(String(3))
    total_assets_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    current_assets_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    fixed_assets_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    inventory_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    receivables_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    cash_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    current_liabilities_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    non_current_liabilities_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    total_liabilities_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    payables_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    equity_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    retained_earnings_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sales_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    cost_of_sales_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    ebit_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    interest_expense_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    net_income_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    depreciation_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    source: Mapped[str] = mapped_column(String(200), default="")  # file name of the last import
    content_hash: Mapped[str] = mapped_column(String(40), default="")
