"""audit: the append-only audit log (triggers refuse UPDATE and DELETE on SQLite and PostgreSQL)

TRUNCATE stays possible for the table's owner (an operator wiping a test installation); the application never
issues it, and on PostgreSQL a role without ownership cannot.

Revision ID: 0070_audit
Revises: 0001
Create Date: 2026-12-03 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0070_audit"
down_revision = "0001"
branch_labels = ("audit",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
T = "audit_log"

PG_GUARD = """
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
"""
SQLITE_GUARD = (
    ("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
     "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END"),
    ("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
     "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END"),
)


def upgrade() -> None:
    op.create_table(
        T,
        sa.Column("id", ID, primary_key=True),
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id", name="fk_audit_log_tenant_id_tenants"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("(CURRENT_TIMESTAMP)")),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("actor_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("before_json", sa.Text(), nullable=False, server_default=""),
        sa.Column("after_json", sa.Text(), nullable=False, server_default=""),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("request_id", sa.String(64), nullable=False, server_default=""),
    )
    op.create_index("ix_audit_log_tenant_entity", T, ["tenant_id", "entity", "entity_id"])
    op.create_index("ix_audit_log_tenant_at", T, ["tenant_id", "at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_GUARD)
    else:
        for statement in SQLITE_GUARD:
            op.execute(statement)


def downgrade() -> None:
    op.drop_table(T)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_is_append_only()")
