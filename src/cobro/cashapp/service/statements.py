"""Reading what statement imports stored: the statements and each one's entries (with what became of them)."""

from __future__ import annotations

from cobro.cashapp.repository import matches as repo
from cobro.cashapp.schemas import ReviewEntry, StatementSummary
from cobro.cashapp.service.review import review_entry
from cobro.kernel.errors import NotFoundError
from cobro.platform.uow import UnitOfWork


def statements(uow: UnitOfWork, *, after_id: int = 0, limit: int = 50) -> list[StatementSummary]:
    return [StatementSummary(s.id, s.filename, s.format, s.entries, s.imported_at)
            for s in repo.statements(uow.session, uow.tenant.id, after_id=after_id, limit=limit)]


def lines(uow: UnitOfWork, statement_id: int, *, after_id: int = 0, limit: int = 50) -> list[ReviewEntry]:
    """The statement's entries by id: matched, applied, waiting for review or rejected."""
    rows = repo.statement_lines(uow.session, uow.tenant.id, statement_id, after_id=after_id, limit=limit)
    if rows is None:
        raise NotFoundError(f"statement_id: no bank statement #{statement_id}")
    return [review_entry(e) for e in rows]
