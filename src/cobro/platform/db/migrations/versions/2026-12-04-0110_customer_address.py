"""ledger: customers' postal address (street, postal code, city, region), for letters and imports

Revision ID: 0110_customer_address
Revises: 0001
Create Date: 2026-12-04 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0110_customer_address"
down_revision = "0001"
branch_labels = ("ledger",)
depends_on = None

COLUMNS = (("address", 300), ("postal_code", 20), ("city", 120), ("region", 120))


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        for name, length in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        for name, _length in reversed(COLUMNS):
            batch.drop_column(name)
