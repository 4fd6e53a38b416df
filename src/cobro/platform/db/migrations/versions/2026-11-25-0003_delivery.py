"""delivery: channel opt-outs and the delivery event log (bounces, deferrals, dead letters)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 22:33:32.463770
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_opt_outs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_channel_opt_outs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_opt_outs')),
    sa.UniqueConstraint('tenant_id', 'channel', 'recipient', name=op.f('uq_channel_opt_outs_tenant_id_channel_recipient'))
    )
    with op.batch_alter_table('channel_opt_outs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_opt_outs_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('delivery_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('outbox_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('provider_id', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox_messages.id'], name=op.f('fk_delivery_events_outbox_id_outbox_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_delivery_events_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_events'))
    )
    with op.batch_alter_table('delivery_events', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_events_outbox', ['outbox_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_events_tenant_id'), ['tenant_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('delivery_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_events_tenant_id'))
        batch_op.drop_index('ix_delivery_events_outbox')

    op.drop_table('delivery_events')
    with op.batch_alter_table('channel_opt_outs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_opt_outs_tenant_id'))

    op.drop_table('channel_opt_outs')
