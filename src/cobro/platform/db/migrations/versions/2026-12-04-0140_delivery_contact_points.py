"""delivery: contact points known not to work (a hard bounce, a wrong number), apart from opt-outs

Revision ID: 0140_contact_points
Revises: 0003
Create Date: 2026-12-04 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0140_contact_points"
down_revision = "0003"
branch_labels = ("contact_points",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.text("(CURRENT_TIMESTAMP)")


def upgrade() -> None:
    op.create_table(
        "contact_point_statuses",
        sa.Column("id", ID, primary_key=True),
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id", name="fk_contact_point_statuses_tenant_id_tenants"),
                  nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.UniqueConstraint("tenant_id", "kind", "address", name="uq_contact_point_statuses_tenant_id_kind_address"),
    )
    op.create_index("ix_contact_point_statuses_tenant_id", "contact_point_statuses", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("contact_point_statuses")
