"""Alembic environment: the URL comes from the config built by `cobro.platform.db.migrate`, never from a file."""

from __future__ import annotations

from alembic import context

from cobro.ledger import records  # noqa: F401  (registers every table on Base.metadata)
from cobro.cashapp import records as records_cashapp  # noqa: F401
from cobro.collections import records as records_collections  # noqa: F401
from cobro.delivery import records as records_delivery  # noqa: F401
from cobro.solvency import records as records_financials  # noqa: F401
from cobro.risk import records as records_risk  # noqa: F401
from cobro.tenancy import records as records_tenancy  # noqa: F401
from cobro.identity import records as records_identity  # noqa: F401
from cobro.audit import records as records_audit  # noqa: F401
from cobro.webhooks import records as records_webhooks  # noqa: F401
from cobro.platform import idempotency as records_idempotency  # noqa: F401
from cobro.platform.db.base import Base
from cobro.platform.db.engine import make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
