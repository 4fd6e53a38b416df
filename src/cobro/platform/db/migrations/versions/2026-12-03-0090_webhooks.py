"""webhooks: subscriptions, events written with the change that caused them, deliveries in order per entity

Revision ID: 0090_webhooks
Revises: 0001
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0090_webhooks"
down_revision = "0001"
branch_labels = ("webhooks",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.text("(CURRENT_TIMESTAMP)")


def _tenant(table: str) -> sa.Column[int]:
    return sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id", name=f"fk_{table}_tenant_id_tenants"),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", ID, primary_key=True),
        _tenant("webhook_subscriptions"),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("events", sa.Text(), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("dead_in_a_row", sa.Integer(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_index("ix_webhook_subscriptions_tenant_id", "webhook_subscriptions", ["tenant_id"])
    op.create_table(
        "webhook_events",
        sa.Column("id", ID, primary_key=True),
        _tenant("webhook_events"),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(80), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_index("ix_webhook_events_tenant_id", "webhook_events", ["tenant_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", ID, primary_key=True),
        _tenant("webhook_deliveries"),
        sa.Column("subscription_id", ID, sa.ForeignKey(
            "webhook_subscriptions.id", ondelete="CASCADE",
            name="fk_webhook_deliveries_subscription_id_webhook_subscriptions"), nullable=False),
        sa.Column("event_id", ID, sa.ForeignKey(
            "webhook_events.id", ondelete="CASCADE", name="fk_webhook_deliveries_event_id_webhook_events"),
            nullable=False),
        sa.Column("entity", sa.String(80), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("last_status", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_webhook_deliveries_tenant_id", "webhook_deliveries", ["tenant_id"])
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_webhook_deliveries_order", "webhook_deliveries", ["subscription_id", "entity", "id"])


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_events")
    op.drop_table("webhook_subscriptions")
