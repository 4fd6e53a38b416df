"""The audit log: entries commit with their change (or vanish with its rollback), read back in order and by
entity, export to inert CSV, and can never be rewritten — UPDATE and DELETE are refused by the database itself."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.audit import service
from cobro.audit.schemas import AuditQuery, Change, Who
from cobro.platform.container import Container

AT = dt.datetime(2026, 12, 3, 10, 30, tzinfo=dt.UTC)
ANA = Who("user", "7", "Ana Ruiz", request_id="req-1")


def _record_dispute(container: Container, *, commit: bool = True) -> None:
    with container.uow() as uow:
        service.record(uow, Change("dispute", "12", "open", None, {"amount": Decimal("120.50"), "status": "open"},
                                   reason="goods damaged"), who=ANA, at=AT)
        service.record(uow, [Change("hold", "3", "release", {"until": dt.date(2026, 12, 31)}, None)],
                       who=ANA, at=AT + dt.timedelta(minutes=5))
        if commit:
            uow.commit()


def test_entries_read_back_in_order_with_who_and_state(container: Container) -> None:
    _record_dispute(container)
    with container.uow() as uow:
        entries = service.history(uow)
        disputes = service.history(uow, AuditQuery(entity="dispute", entity_id="12"))
        later = service.history(uow, AuditQuery(since=AT + dt.timedelta(minutes=1)))
    assert [(e.entity, e.action) for e in entries] == [("dispute", "open"), ("hold", "release")]
    first = entries[0]
    assert (first.actor_kind, first.actor_id, first.actor_name, first.request_id) == ("user", "7", "Ana Ruiz", "req-1")
    assert first.before is None and first.after == {"amount": "120.50", "status": "open"}
    assert first.reason == "goods damaged"
    assert entries[1].before == {"until": "2026-12-31"} and entries[1].after is None
    assert [e.entity for e in disputes] == ["dispute"]
    assert [e.entity for e in later] == ["hold"]


def test_a_rolled_back_change_leaves_no_entry(container: Container) -> None:
    _record_dispute(container, commit=False)
    with container.uow() as uow:
        assert service.history(uow) == []


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET reason = 'nothing happened'", "DELETE FROM audit_log"])
def test_the_database_refuses_to_rewrite_history(container: Container, statement: str) -> None:
    _record_dispute(container)
    with container.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text(statement))
    with container.uow() as uow:
        assert [e.reason for e in service.history(uow)] == ["goods damaged", ""]


def test_entries_belong_to_their_tenant(container: Container) -> None:
    _record_dispute(container)
    with container.engine.begin() as conn:
        conn.execute(text("INSERT INTO tenants (code, name) VALUES ('other', 'Other SL')"))
    with container.uow("other") as uow:
        assert service.history(uow) == []


def test_without_a_time_the_database_clock_stamps_the_entry(container: Container) -> None:
    with container.uow() as uow:
        service.record(uow, Change("policy", "default", "apply", after={"version": 2}))
        uow.commit()
        (entry,) = service.history(uow)
    assert entry.at.tzinfo is not None
    assert abs(entry.at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert (entry.actor_kind, entry.actor_name) == ("system", "cobro")


def test_naive_timestamps_and_silly_limits_are_refused(container: Container) -> None:
    with container.uow() as uow:
        with pytest.raises(ValueError, match="timezone-aware"):
            service.record(uow, Change("dispute", "1", "open"), at=dt.datetime(2026, 1, 1))
        with pytest.raises(ValueError, match="limit"):
            service.history(uow, AuditQuery(limit=0))


def test_csv_export_neutralises_formulas(container: Container) -> None:
    with container.uow() as uow:
        service.record(uow, Change("customer", "C1", "update", reason='=HYPERLINK("http://x","y")'),
                       who=Who("cli", "", "@admin"), at=AT)
        uow.commit()
        rows = list(csv.DictReader(io.StringIO(service.to_csv(service.history(uow)))))
    assert rows[0]["reason"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert rows[0]["actor_name"] == "'@admin"


def test_cli_shows_json_and_writes_csv(container: Container, cli_env: dict[str, str], tmp_path: object) -> None:
    _record_dispute(container)
    runner = CliRunner()
    shown = runner.invoke(app, ["audit", "show", "--entity", "dispute", "--json"], env=cli_env)
    assert shown.exit_code == 0, shown.output
    assert [e["entity_id"] for e in json.loads(shown.stdout)] == ["12"]
    out = f"{tmp_path}/audit.csv"
    written = runner.invoke(app, ["audit", "show", "--csv", out], env=cli_env)
    assert written.exit_code == 0, written.output
    with open(out, encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 2
    bad = runner.invoke(app, ["audit", "show", "--limit", "0"], env=cli_env)
    assert bad.exit_code == 2 and "limit" in bad.output and "Traceback" not in bad.output
