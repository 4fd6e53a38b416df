"""Use cases of the audit log: record a change (inside the caller's unit of work, so the entry commits or rolls
back with the change itself), read the history, and export it.

Every feature that changes state calls `record` through this module; nothing else writes the table.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, is_dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from cobro.audit.repository import AUDIT
from cobro.audit.schemas import SYSTEM, AuditEntry, AuditQuery, Change, Who
from cobro.kernel.cells import csv_writer
from cobro.platform.uow import Uow

MAX_LIMIT = 10_000
CSV_COLUMNS = ("id", "at", "actor_kind", "actor_id", "actor_name", "entity", "entity_id", "action", "before",
               "after", "reason", "request_id")


def record(uow: Uow, changes: Change | Iterable[Change], *, who: Who | None = None,
           at: dt.datetime | None = None, user: str = "") -> None:
    """Append one entry per change, in the caller's transaction (it commits or rolls back with the change).

    `who` defaults to the unit of work's actor (the authenticated user or key, the CLI's `--user`), else the
    name a service was handed as `user` (recorded as a CLI actor: nobody verified it), else the system.  `at` defaults to the database's clock at insert: an audit entry says when it really happened, even
    where the business date of the change (`today`, `as_of`) is another day."""
    if at is not None and at.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    batch = [changes] if isinstance(changes, Change) else list(changes)
    actor = who or actor_of(uow, user)
    uow.repo(AUDIT).append([_row(change, actor, at) for change in batch])
    uow.flush()


def actor_of(uow: Uow, user: str = "") -> Who:
    """Who acts in `uow`, as the audit log names them."""
    actor = getattr(uow, "actor", None)  # set by the entrypoint; absent or None for system work
    if actor is None:
        return Who("cli", user, user) if user else SYSTEM
    if str(getattr(actor, "kind", "")) == "cli" and user:
        return Who("cli", user, user)  # the CLI's own default is the OS user; a command's `--user` is more precise
    return Who(str(getattr(actor, "kind", "cli")), str(getattr(actor, "id", "")), str(getattr(actor, "name", "")),
               str(getattr(actor, "request_id", "") or ""))


def history(uow: Uow, query: AuditQuery | None = None) -> list[AuditEntry]:
    q = query or AuditQuery()
    if not 1 <= q.limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, not {q.limit}")
    return uow.repo(AUDIT).query(entity=q.entity, entity_id=q.entity_id, since=q.since, until=q.until,
                                 after_id=q.after_id, limit=q.limit)


def to_csv(entries: Iterable[AuditEntry]) -> str:
    """The entries as CSV for auditors' spreadsheets; text cells that a spreadsheet would run as a formula are
    prefixed with a quote (the OWASP CSV-injection rule), since names and reasons come from users and debtors."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow([e.id, e.at.isoformat(), e.actor_kind, e.actor_id, e.actor_name, e.entity, e.entity_id,
                         e.action, _dump(e.before), _dump(e.after), e.reason, e.request_id])
    return out.getvalue()


def _row(change: Change, who: Who, at: dt.datetime | None) -> dict[str, object]:
    if not change.entity or not change.action:
        raise ValueError("an audited change needs an entity and an action")
    when: dict[str, object] = {} if at is None else {"at": at}
    return {**when, "actor_kind": who.kind, "actor_id": who.id[:64], "actor_name": who.name[:200],
            "entity": change.entity[:40], "entity_id": str(change.entity_id)[:64], "action": change.action[:40],
            "before_json": _dump(change.before), "after_json": _dump(change.after), "reason": change.reason,
            "request_id": who.request_id[:64]}


def _dump(state: Mapping[str, Any] | None) -> str:
    return "" if state is None else json.dumps(dict(state), default=_plain, sort_keys=True, ensure_ascii=False)


def _plain(value: Any) -> Any:
    """JSON for the values a state holds: exact decimals and dates as text, enums by value, dataclasses as dicts."""
    if isinstance(value, (Decimal, dt.date, dt.datetime)):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
    return str(value)

