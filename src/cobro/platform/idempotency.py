"""The store behind `Idempotency-Key`: one row per (scope, key) holding the request's hash and, once the first
request finished, its response — so a retried POST replays that response instead of acting twice.

A claim is an INSERT guarded by the primary key, so two concurrent requests with one key cannot both run: the
loser sees the row in progress.  Rows expire after `ttl` (a retry a day later is a new request); a request that
failed with a server error releases its claim so the client may retry it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text, delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from cobro.platform.db.base import Base

DEFAULT_TTL = dt.timedelta(hours=24)


class IdempotencyRow(Base):
    __tablename__ = "idempotency_keys"
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha-256 of who asks (principal, tenant)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)  # expiry sweeps
    status: Mapped[int] = mapped_column(Integer, default=0)  # 0 while the first request runs
    headers_json: Mapped[str] = mapped_column(Text, default="[]")
    body: Mapped[bytes] = mapped_column(LargeBinary, default=b"")


class Claim(StrEnum):
    NEW = "new"  # the caller runs the request and then completes or releases the claim
    REPLAY = "replay"  # a finished request with the same key and body: send its response again
    MISMATCH = "mismatch"  # the same key with another request: refused
    IN_PROGRESS = "in_progress"  # the first request with this key is still running


@dataclass(frozen=True, slots=True)
class Stored:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class ClaimResult:
    claim: Claim
    stored: Stored | None = None


class IdempotencyStore:
    def __init__(self, engine: Engine, *, ttl: dt.timedelta = DEFAULT_TTL) -> None:
        self.engine, self.ttl = engine, ttl

    def claim(self, scope: str, key: str, request_hash: str, now: dt.datetime) -> ClaimResult:
        with Session(self.engine) as session, session.begin():
            session.execute(delete(IdempotencyRow).where(
                IdempotencyRow.scope == scope, IdempotencyRow.key == key, IdempotencyRow.created_at < now - self.ttl))
        try:
            with Session(self.engine) as session, session.begin():
                session.add(IdempotencyRow(scope=scope, key=key, request_hash=request_hash, created_at=now, status=0,
                                           headers_json="[]", body=b""))
            return ClaimResult(Claim.NEW)
        except IntegrityError:
            pass
        with Session(self.engine) as session:
            row = session.scalar(select(IdempotencyRow).where(IdempotencyRow.scope == scope, IdempotencyRow.key == key))
        if row is None:  # released between our insert and this read: the client may simply retry
            return ClaimResult(Claim.IN_PROGRESS)
        if row.request_hash != request_hash:
            return ClaimResult(Claim.MISMATCH)
        if row.status == 0:
            return ClaimResult(Claim.IN_PROGRESS)
        headers = [(str(k), str(v)) for k, v in json.loads(row.headers_json)]
        return ClaimResult(Claim.REPLAY, Stored(row.status, headers, bytes(row.body)))

    def complete(self, scope: str, key: str, stored: Stored) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(update(IdempotencyRow).where(IdempotencyRow.scope == scope, IdempotencyRow.key == key)
                            .values(status=stored.status, headers_json=json.dumps(stored.headers), body=stored.body))

    def release(self, scope: str, key: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(delete(IdempotencyRow).where(IdempotencyRow.scope == scope, IdempotencyRow.key == key))

    def purge(self, now: dt.datetime) -> int:
        """Drop expired rows (a scheduled job calls this); returns how many went."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(delete(IdempotencyRow).where(IdempotencyRow.created_at < now - self.ttl))
            return int(getattr(result, "rowcount", 0) or 0)
