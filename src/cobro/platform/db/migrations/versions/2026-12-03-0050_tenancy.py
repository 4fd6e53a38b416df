"""tenancy: each creditor's profile (legal identity, bank details, sender, letterhead), one row per tenant

Revision ID: 0050_tenancy
Revises: 0001
Create Date: 2026-12-03 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0050_tenancy"
down_revision = "0001"
branch_labels = ("tenancy",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.text("(CURRENT_TIMESTAMP)")
T = "tenant_profiles"


def _text(name: str, length: int | None = None) -> sa.Column[str]:
    return sa.Column(name, sa.String(length) if length else sa.Text(), nullable=False)


def upgrade() -> None:
    # no rows are copied: a tenant without a profile row has an empty profile, and its display name
    # ("Default tenant") is not a legal name to print on a letter
    op.create_table(
        T,
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id", ondelete="CASCADE",
                                                 name=f"fk_{T}_tenant_id_tenants"), nullable=False),
        _text("legal_name", 200), _text("trade_name", 200), _text("tax_id", 32), _text("address_lines"),
        _text("postal_code", 16), _text("city", 100), _text("country", 2), _text("iban", 34), _text("bic", 11),
        _text("payment_reference", 100), _text("payment_instructions"), _text("sender_name", 200),
        _text("sender_email", 254), _text("reply_to", 254), _text("phone", 40), _text("website", 200),
        sa.Column("logo", sa.LargeBinary(), nullable=True), _text("logo_media_type", 40), _text("signature"),
        _text("language", 8), _text("time_zone", 64), _text("currency", 3),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=f"pk_{T}"),
    )


def downgrade() -> None:
    op.drop_table(T)
