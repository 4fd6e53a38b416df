"""risk: alerts people receive: snooze date, one delivery per alert and user, each user's alert preference

Revision ID: 0021_risk_alerts
Revises: 0020_risk
Create Date: 2026-12-04 19:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_risk_alerts"
down_revision = "0020_risk"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _tenant(table: str) -> sa.Column[int]:
    return sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id", name=f"fk_{table}_tenant_id_tenants"),
                     nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("risk_alerts") as batch:
        batch.add_column(sa.Column("snoozed_until", sa.Date(), nullable=True))
    op.create_table(
        "risk_alert_deliveries",
        sa.Column("id", ID, primary_key=True),
        _tenant("risk_alert_deliveries"),
        sa.Column("alert_id", ID, sa.ForeignKey("risk_alerts.id", ondelete="CASCADE",
                                                name="fk_risk_alert_deliveries_alert_id_risk_alerts"),
                  nullable=False),
        sa.Column("user_email", sa.String(320), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("outbox_key", sa.String(200), nullable=False),
        sa.UniqueConstraint("alert_id", "user_email", name="uq_risk_alert_deliveries_alert_id_user_email"),
    )
    op.create_index("ix_risk_alert_deliveries_tenant_id", "risk_alert_deliveries", ["tenant_id"])
    op.create_index("ix_risk_alert_deliveries_alert_id", "risk_alert_deliveries", ["alert_id"])
    op.create_table(
        "risk_alert_preferences",
        sa.Column("id", ID, primary_key=True),
        _tenant("risk_alert_preferences"),
        sa.Column("user_email", sa.String(320), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.UniqueConstraint("tenant_id", "user_email", name="uq_risk_alert_preferences_tenant_id_user_email"),
    )
    op.create_index("ix_risk_alert_preferences_tenant_id", "risk_alert_preferences", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("risk_alert_preferences")
    op.drop_table("risk_alert_deliveries")
    with op.batch_alter_table("risk_alerts") as batch:
        batch.drop_column("snoozed_until")
