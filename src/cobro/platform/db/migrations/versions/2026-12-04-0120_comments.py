"""comments: notes between finance and sales on a customer or an invoice, with the users they mention

Revision ID: 0120_comments
Revises: 0001
Create Date: 2026-12-04 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0120_comments"
down_revision = "0001"
branch_labels = ("comments",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.text("(CURRENT_TIMESTAMP)")


def upgrade() -> None:
    op.create_table(
        "comments",
        sa.Column("id", ID, primary_key=True),
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id", name="fk_comments_tenant_id_tenants"), nullable=False),
        sa.Column("customer_id", ID, sa.ForeignKey("customers.id", ondelete="CASCADE",
                                                   name="fk_comments_customer_id_customers"), nullable=False),
        sa.Column("invoice_id", ID, sa.ForeignKey("invoices.id", ondelete="CASCADE",
                                                  name="fk_comments_invoice_id_invoices"), nullable=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("mentions", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_index("ix_comments_tenant_id", "comments", ["tenant_id"])
    op.create_index("ix_comments_customer", "comments", ["customer_id", "id"])


def downgrade() -> None:
    op.drop_table("comments")
