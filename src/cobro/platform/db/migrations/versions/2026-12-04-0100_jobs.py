"""jobs: runs of scheduled jobs (one per job, tenant and slot) and worker heartbeats

Revision ID: 0100_jobs
Revises: 0001
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0100_jobs"
down_revision = "0001"
branch_labels = ("jobs",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("id", ID, primary_key=True),
        sa.Column("job", sa.String(60), nullable=False),
        sa.Column("tenant", sa.String(60), nullable=False),
        sa.Column("scheduled_for", WHEN, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(120), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.Column("retry_at", WHEN, nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.UniqueConstraint("job", "tenant", "scheduled_for", name="uq_job_runs_slot"),
    )
    op.create_index("ix_job_runs_recent", "job_runs", ["started_at"])
    op.create_table(
        "worker_heartbeats",
        sa.Column("worker", sa.String(120), primary_key=True),
        sa.Column("engine", sa.String(20), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("beat_at", WHEN, nullable=False),
        sa.Column("passes", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
    )
    op.create_index("ix_worker_heartbeats_beat_at", "worker_heartbeats", ["beat_at"])


def downgrade() -> None:
    op.drop_table("worker_heartbeats")
    op.drop_index("ix_job_runs_recent", table_name="job_runs")
    op.drop_table("job_runs")
