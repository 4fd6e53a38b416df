"""financials: debtors' financial statements, one row per customer and fiscal year

Revision ID: 0040_financials
Revises: 0001
Create Date: 2026-11-26 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0040_financials"
down_revision = "0001"
branch_labels = ("financials",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.text("(CURRENT_TIMESTAMP)")
LINES = (
    "total_assets", "current_assets", "fixed_assets", "inventory", "receivables", "cash",
    "current_liabilities", "non_current_liabilities", "total_liabilities", "payables", "equity",
    "retained_earnings", "sales", "cost_of_sales", "ebit", "interest_expense", "net_income", "depreciation",
)
T = "financial_statements"


def upgrade() -> None:
    op.create_table(
        T,
        sa.Column("id", ID, primary_key=True),
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id", name=f"fk_{T}_tenant_id_tenants"), nullable=False),
        sa.Column("customer_id", ID, sa.ForeignKey("customers.id", ondelete="CASCADE",
                                                   name=f"fk_{T}_customer_id_customers"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        *(sa.Column(f"{line}_minor", sa.BigInteger(), nullable=True) for line in LINES),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("content_hash", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.UniqueConstraint("tenant_id", "customer_id", "year", name=f"uq_{T}_tenant_id_customer_id_year"),
    )
    op.create_index(f"ix_{T}_customer_id", T, ["customer_id"])


def downgrade() -> None:
    op.drop_table(T)
