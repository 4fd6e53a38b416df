"""forecasting: stored payment-date predictions per open instalment and as-of date

Revision ID: 0150_forecasting
Revises: 0001
Create Date: 2026-12-04 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0150_forecasting"
down_revision = "0001"
branch_labels = ("forecasting",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(column: str, table: str, *, cascade: bool = True) -> sa.Column[int]:
    return sa.Column(column, ID, sa.ForeignKey(f"{table}.id", ondelete="CASCADE" if cascade else None,
                                               name=f"fk_payment_predictions_{column}_{table}"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "payment_predictions",
        sa.Column("id", ID, primary_key=True),
        _fk("tenant_id", "tenants", cascade=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        _fk("instalment_id", "instalments"),
        _fk("invoice_id", "invoices"),
        _fk("customer_id", "customers"),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("open_minor", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=False),
        sa.Column("p10_date", sa.Date(), nullable=False),
        sa.Column("p50_date", sa.Date(), nullable=False),
        sa.Column("p90_date", sa.Date(), nullable=False),
        sa.Column("p_late_bp", sa.Integer(), nullable=False),
        sa.Column("p_unpaid_180_bp", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(120), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.UniqueConstraint("tenant_id", "as_of", "instalment_id", name="uq_payment_predictions_item"),
    )
    op.create_index("ix_payment_predictions_customer", "payment_predictions", ["tenant_id", "customer_id", "as_of"])
    op.create_index("ix_payment_predictions_invoice_id", "payment_predictions", ["invoice_id"])


def downgrade() -> None:
    op.drop_table("payment_predictions")
