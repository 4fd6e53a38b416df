"""e-invoice documents by fiscal id (CFDI UUID), for payment complements

Revision ID: 0011_einvoice_docs
Revises: 0010_cashapp
Create Date: 2026-11-25 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_einvoice_docs"
down_revision = "0010_cashapp"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "einvoice_documents",
        sa.Column("id", ID, primary_key=True),
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id", name="fk_einvoice_documents_tenant_id_tenants"),
                  nullable=False),
        sa.Column("doc_id", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("invoice_id", ID, sa.ForeignKey("invoices.id", ondelete="CASCADE",
                                                  name="fk_einvoice_documents_invoice_id_invoices"), nullable=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.UniqueConstraint("tenant_id", "doc_id", name="uq_einvoice_documents_tenant_id_doc_id"),
    )
    op.create_index("ix_einvoice_documents_tenant_id", "einvoice_documents", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("einvoice_documents")
