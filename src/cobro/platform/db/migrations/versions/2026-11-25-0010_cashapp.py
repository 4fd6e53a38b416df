"""cash application: bank accounts, statements, learned payers, alerts, SEPA mandates, settings

Revision ID: 0010_cashapp
Revises: 0001
Create Date: 2026-11-25 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_cashapp"
down_revision = "0001"
branch_labels = ("cashapp",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.text("(CURRENT_TIMESTAMP)")


def _id() -> sa.Column:
    return sa.Column("id", ID, primary_key=True)


def _tenant(table: str) -> sa.Column:
    return sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id", name=f"fk_{table}_tenant_id_tenants"),
                     nullable=False)


def _customer(table: str, *, nullable: bool = False, cascade: bool = True) -> sa.Column:
    return sa.Column("customer_id", ID, sa.ForeignKey("customers.id", ondelete="CASCADE" if cascade else None,
                                                      name=f"fk_{table}_customer_id_customers"), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "bank_accounts", _id(), _tenant("bank_accounts"),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("alias", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.UniqueConstraint("tenant_id", "iban", name="uq_bank_accounts_tenant_id_iban"),
    )
    op.create_index("ix_bank_accounts_tenant_id", "bank_accounts", ["tenant_id"])
    op.create_index("ix_bank_accounts_alias", "bank_accounts", ["alias"])
    op.create_table(
        "customer_bank_accounts", _id(), _tenant("customer_bank_accounts"), _customer("customer_bank_accounts"),
        sa.Column("account", sa.String(40), nullable=False),
        sa.Column("learned_from", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.UniqueConstraint("tenant_id", "account", name="uq_customer_bank_accounts_tenant_id_account"),
    )
    op.create_index("ix_customer_bank_accounts_tenant_id", "customer_bank_accounts", ["tenant_id"])
    op.create_index("ix_customer_bank_accounts_customer_id", "customer_bank_accounts", ["customer_id"])
    op.create_table(
        "payer_aliases", _id(), _tenant("payer_aliases"), _customer("payer_aliases"),
        sa.Column("alias", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.UniqueConstraint("tenant_id", "alias", name="uq_payer_aliases_tenant_id_alias"),
    )
    op.create_index("ix_payer_aliases_tenant_id", "payer_aliases", ["tenant_id"])
    op.create_index("ix_payer_aliases_customer_id", "payer_aliases", ["customer_id"])
    op.create_table(
        "bank_statements", _id(), _tenant("bank_statements"),
        sa.Column("file_hash", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.UniqueConstraint("tenant_id", "file_hash", name="uq_bank_statements_tenant_id_file_hash"),
    )
    op.create_index("ix_bank_statements_tenant_id", "bank_statements", ["tenant_id"])
    op.create_table(
        "statement_entries", _id(), _tenant("statement_entries"),
        sa.Column("statement_id", ID, sa.ForeignKey("bank_statements.id", ondelete="CASCADE",
                                                    name="fk_statement_entries_statement_id_bank_statements"),
                  nullable=False),
        sa.Column("bank_account_id", ID, sa.ForeignKey("bank_accounts.id",
                                                       name="fk_statement_entries_bank_account_id_bank_accounts"),
                  nullable=False),
        sa.Column("entry_key", sa.String(64), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("remittance", sa.Text(), nullable=False),
        sa.Column("end_to_end_id", sa.String(120), nullable=False),
        sa.Column("counterparty_name", sa.String(200), nullable=False),
        sa.Column("counterparty_account", sa.String(40), nullable=False),
        sa.Column("bank_code", sa.String(40), nullable=False),
        sa.Column("return_reason", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _customer("statement_entries", nullable=True, cascade=False),
        sa.Column("payment_id", ID, sa.ForeignKey("payments.id", ondelete="SET NULL",
                                                  name="fk_statement_entries_payment_id_payments"), nullable=True),
        sa.Column("confidence_permille", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.UniqueConstraint("tenant_id", "entry_key", name="uq_statement_entries_tenant_id_entry_key"),
    )
    op.create_index("ix_statement_entries_tenant_id", "statement_entries", ["tenant_id"])
    op.create_index("ix_statement_entries_statement_id", "statement_entries", ["statement_id"])
    op.create_index("ix_statement_entries_status", "statement_entries", ["status"])
    op.create_table(
        "alerts", _id(), _tenant("alerts"),
        sa.Column("kind", sa.String(40), nullable=False),
        _customer("alerts", nullable=True, cascade=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("entry_id", ID, sa.ForeignKey("statement_entries.id", ondelete="CASCADE",
                                                name="fk_alerts_entry_id_statement_entries"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    )
    op.create_index("ix_alerts_tenant_id", "alerts", ["tenant_id"])
    op.create_index("ix_alerts_customer_id", "alerts", ["customer_id"])
    op.create_table(
        "sepa_mandates", _id(), _tenant("sepa_mandates"), _customer("sepa_mandates"),
        sa.Column("mandate_id", sa.String(35), nullable=False),
        sa.Column("signed_date", sa.Date(), nullable=False),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("bic", sa.String(11), nullable=False),
        sa.Column("scheme", sa.String(4), nullable=False),
        sa.Column("first_collected", sa.Date(), nullable=True),
        sa.UniqueConstraint("tenant_id", "mandate_id", name="uq_sepa_mandates_tenant_id_mandate_id"),
    )
    op.create_index("ix_sepa_mandates_tenant_id", "sepa_mandates", ["tenant_id"])
    op.create_index("ix_sepa_mandates_customer_id", "sepa_mandates", ["customer_id"])
    op.create_table(
        "cashapp_settings",
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id", name="fk_cashapp_settings_tenant_id_tenants"),
                  primary_key=True),
        sa.Column("threshold_permille", sa.Integer(), nullable=False),
        sa.Column("fee_max_minor", sa.BigInteger(), nullable=False),
        sa.Column("creditor_name", sa.String(70), nullable=False),
        sa.Column("creditor_iban", sa.String(34), nullable=False),
        sa.Column("creditor_bic", sa.String(11), nullable=False),
        sa.Column("creditor_id", sa.String(35), nullable=False),
    )


def downgrade() -> None:
    for table in ("cashapp_settings", "sepa_mandates", "alerts", "statement_entries", "bank_statements",
                  "payer_aliases", "customer_bank_accounts", "bank_accounts"):
        op.drop_table(table)
