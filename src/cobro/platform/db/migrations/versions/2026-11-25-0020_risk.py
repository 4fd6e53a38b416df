"""risk: stored customer risk scores and risk alerts

Revision ID: 0020_risk
Revises: 0001
Create Date: 2026-11-25 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_risk"
down_revision = "0001"
branch_labels = ("risk",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.text("(CURRENT_TIMESTAMP)")


def _common(table: str) -> list[sa.Column]:
    return [
        sa.Column("id", ID, primary_key=True),
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id", name=f"fk_{table}_tenant_id_tenants"), nullable=False),
        sa.Column("customer_id", ID, sa.ForeignKey("customers.id", ondelete="CASCADE",
                                                   name=f"fk_{table}_customer_id_customers"), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "risk_scores", *_common("risk_scores"),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(1), nullable=False),
        sa.Column("days_beyond_terms", sa.Integer(), nullable=False),
        sa.Column("exposure_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("broken_promises", sa.Integer(), nullable=False),
        sa.Column("reasons_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.UniqueConstraint("tenant_id", "customer_id", "as_of", name="uq_risk_scores_tenant_id_customer_id_as_of"),
    )
    op.create_index("ix_risk_scores_tenant_id", "risk_scores", ["tenant_id"])
    op.create_index("ix_risk_scores_customer_id", "risk_scores", ["customer_id"])
    op.create_table(
        "risk_alerts", *_common("risk_alerts"),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("recipients", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.UniqueConstraint("tenant_id", "key", name="uq_risk_alerts_tenant_id_key"),
    )
    op.create_index("ix_risk_alerts_tenant_id", "risk_alerts", ["tenant_id"])
    op.create_index("ix_risk_alerts_customer_id", "risk_alerts", ["customer_id"])
    op.create_index("ix_risk_alerts_tenant_status", "risk_alerts", ["tenant_id", "status"])


def downgrade() -> None:
    op.drop_table("risk_alerts")
    op.drop_table("risk_scores")
