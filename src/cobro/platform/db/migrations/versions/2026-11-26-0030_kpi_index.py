"""reports: index invoices by (tenant, kind, issue date)

The report scans leave credit notes and not-yet-issued invoices out of the 1M-row instalments scan with a hashed
``NOT IN`` over that small set; this index finds the set with three range scans instead of a scan of every invoice
(which also kept PostgreSQL from running the instalments scan in parallel).  It also serves the open credit notes
of the ageing report, and on SQLite it covers the KPIs' scan of invoices by issue date (currency and amount
included), which then reads neither the table nor a sorter.

Revision ID: 0030_kpi_index
Revises: 0001
Create Date: 2026-11-26 00:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0030_kpi_index"
down_revision = "0001"
branch_labels = ("kpi_index",)
depends_on = None


def upgrade() -> None:
    op.create_index("ix_invoices_kind_issue", "invoices", ["tenant_id", "kind", "issue_date", "currency", "amount_minor"])


def downgrade() -> None:
    op.drop_index("ix_invoices_kind_issue", table_name="invoices")
