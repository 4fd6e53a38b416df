"""collections: agency status updates on escalation cases, collector targets per month

Revision ID: 0130_collections_agency
Revises: 0002
Create Date: 2026-12-04 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0130_collections_agency"
down_revision = "0002"
branch_labels = ("collections_agency",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.text("(CURRENT_TIMESTAMP)")


def _tenant(table: str) -> sa.Column[int]:
    return sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id", name=f"fk_{table}_tenant_id_tenants"),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "agency_updates",
        sa.Column("id", ID, primary_key=True),
        _tenant("agency_updates"),
        sa.Column("case_id", ID, sa.ForeignKey("escalation_cases.id", ondelete="CASCADE",
                                               name="fk_agency_updates_case_id_escalation_cases"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recovered_minor", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(120), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_index("ix_agency_updates_tenant_id", "agency_updates", ["tenant_id"])
    op.create_index("ix_agency_updates_case", "agency_updates", ["case_id", "id"])
    op.create_table(
        "collector_targets",
        sa.Column("id", ID, primary_key=True),
        _tenant("collector_targets"),
        sa.Column("collector", sa.String(120), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("set_by", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.UniqueConstraint("tenant_id", "collector", "period", "currency",
                            name="uq_collector_targets_tenant_id_collector_period_currency"),
    )
    op.create_index("ix_collector_targets_tenant_id", "collector_targets", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("collector_targets")
    op.drop_table("agency_updates")
