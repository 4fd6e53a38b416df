"""All SQL of the audit log: append rows, read them back by entity and time, in id order (the order written)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cobro.audit.records import AuditRow
from cobro.audit.schemas import AuditEntry
from cobro.platform.uow import RepositoryKey


class AuditRepository(Protocol):
    def append(self, rows: list[dict[str, object]]) -> None: ...

    def query(self, *, entity: str, entity_id: str, since: dt.datetime | None, until: dt.datetime | None,
              after_id: int, limit: int) -> list[AuditEntry]: ...


class SqlAuditRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def append(self, rows: list[dict[str, object]]) -> None:
        if rows:
            self.session.execute(insert(AuditRow), [{**row, "tenant_id": self.tenant} for row in rows])

    def query(self, *, entity: str, entity_id: str, since: dt.datetime | None, until: dt.datetime | None,
              after_id: int, limit: int) -> list[AuditEntry]:
        stmt = select(AuditRow).where(AuditRow.tenant_id == self.tenant, AuditRow.id > after_id)
        if entity:
            stmt = stmt.where(AuditRow.entity == entity)
        if entity_id:
            stmt = stmt.where(AuditRow.entity_id == entity_id)
        if since is not None:
            stmt = stmt.where(AuditRow.at >= since)
        if until is not None:
            stmt = stmt.where(AuditRow.at < until)
        return [_entry(row) for row in self.session.scalars(stmt.order_by(AuditRow.id).limit(limit))]


def _state(text: str) -> dict[str, Any] | None:
    return None if not text else dict(json.loads(text))


def _entry(row: AuditRow) -> AuditEntry:
    # SQLite hands timestamps back without their zone; they were written in UTC (CURRENT_TIMESTAMP is UTC too)
    at = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=dt.UTC)
    return AuditEntry(id=row.id, at=at, actor_kind=row.actor_kind, actor_id=row.actor_id,
                      actor_name=row.actor_name, entity=row.entity, entity_id=row.entity_id, action=row.action,
                      before=_state(row.before_json), after=_state(row.after_json), reason=row.reason,
                      request_id=row.request_id)


AUDIT: RepositoryKey[AuditRepository] = RepositoryKey("audit", SqlAuditRepository)
