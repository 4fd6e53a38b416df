"""Collector performance on SQLite and PostgreSQL: receipts on overdue items credited to the latest contact in the
window (a call to whoever held it, a delivered message to the customer's collector), promises made / kept / broken,
calls and outcomes, the portfolio, targets with progress; the CLI's JSON and an XLSX whose text cannot run."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from collections_builder import Ledger  # type: ignore[import-not-found]
from openpyxl import load_workbook
from sqlalchemy import update
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.audit import service as audit
from cobro.audit.schemas import AuditQuery
from cobro.collections.records import PromiseRow, TaskRow
from cobro.collections.service.cycle import run_cycle
from cobro.collections.service.performance import collector_report, set_target
from cobro.delivery.records import OutboxMessageRow
from cobro.kernel.errors import InvalidInputError
from cobro.platform.container import Container

END = dt.date(2026, 12, 31)


def _month(container: Container) -> None:
    ledger = Ledger(container)
    ledger.policy()
    a1, a2 = ledger.customer("A1", collector="carla"), ledger.customer("A2", collector="carla")
    b1 = ledger.customer("B1", collector="=dario")
    ledger.invoice(a1, "F-A1", dt.date(2026, 11, 1), "1000.00")
    ledger.invoice(a2, "F-A2", dt.date(2026, 11, 15), "500.00")
    ledger.invoice(b1, "F-B1", dt.date(2026, 10, 1), "800.00")
    ledger.invoice(b1, "F-B2", dt.date(2027, 1, 15), "300.00")  # issued 16 December: the month's sales
    day = dt.date(2026, 12, 1)
    with container.uow() as uow:  # the first reminders, delivered on 1 December
        run_cycle(uow, as_of=day, now=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC), rates=container.rates)
        uow.session.execute(update(OutboxMessageRow).where(OutboxMessageRow.status == "pending").values(
            status="sent", message_id="<m@test>", sent_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)))
        t = uow.tenant.id
        call = TaskRow(tenant_id=t, customer_id=a1, kind="call", collector="tomás", due_on=dt.date(2026, 12, 5),
                       status="done", outcome="promise", done_on=dt.date(2026, 12, 5))
        uow.session.add(call)
        uow.session.flush()
        uow.session.add_all([
            PromiseRow(tenant_id=t, customer_id=a1, currency="EUR", amount_minor=60000, promised_on=dt.date(2026, 12, 5),
                       due_on=dt.date(2026, 12, 8), status="kept", evaluated_on=dt.date(2026, 12, 9), task_id=call.id),
            PromiseRow(tenant_id=t, customer_id=b1, currency="EUR", amount_minor=80000,
                       promised_on=dt.date(2026, 11, 20), due_on=dt.date(2026, 12, 1), status="broken",
                       evaluated_on=dt.date(2026, 12, 5), created_by="=dario")])
        uow.commit()
    ledger.pay(a1, "F-A1", "600.00", dt.date(2026, 12, 8))  # 3 days after tomás's call
    ledger.pay(a2, "F-A2", "400.00", dt.date(2026, 12, 10))  # 9 days after the reminder: carla's
    ledger.pay(b1, "F-B1", "800.00", dt.date(2026, 12, 20))  # 19 days after the reminder
    ledger.pay(b1, "F-B2", "300.00", dt.date(2026, 12, 20))  # not overdue: not a recovery


def test_collector_report(container: Container) -> None:
    _month(container)
    with container.uow() as uow:
        set_target(uow, collector="carla", period="2026-12", amount="1000", currency="EUR", user="ana")
        set_target(uow, collector="carla", period="2026-12", amount="800", currency="EUR", user="ana")
        with pytest.raises(InvalidInputError, match=r"^amount:"):
            set_target(uow, collector="carla", period="2026-12", amount="-5", currency="EUR")
        with pytest.raises(InvalidInputError, match=r"^period:"):
            set_target(uow, collector="carla", period="12/2026", amount="5", currency="EUR")
        uow.commit()
    with container.uow() as uow:
        report = collector_report(uow, period="2026-12", as_of=END, window_days=14)
        wide = collector_report(uow, period="2026-12", as_of=END, window_days=30)
        changes = audit.history(uow, AuditQuery(entity="collector_target"))
        with pytest.raises(InvalidInputError, match=r"^period:"):
            collector_report(uow, period="2027-01", as_of=END)
    lines = {(c["collector"], c["currency"]): c for c in report.as_json()["collectors"]}
    tomas = lines[("tomás", "EUR")]
    assert (tomas["recovered"], tomas["calls"], tomas["outcomes"]) == ("600.00", 1, {"promise": 1})
    assert (tomas["promises_made"], tomas["promises_kept"], tomas["kept_rate_pct"]) == (1, 1, "100.0")
    carla = lines[("carla", "EUR")]
    assert (carla["recovered"], carla["target"], carla["progress_pct"]) == ("400.00", "800.00", "50.0")
    assert (carla["portfolio_customers"], carla["portfolio_open"], carla["portfolio_overdue"]) == (2, "500.00",
                                                                                                   "500.00")
    assert carla["dso_days"] is None  # nothing sold to carla's customers in December
    dario = lines[("=dario", "EUR")]  # B1's collector: the broken promise, December's sales, nothing open
    assert (dario["recovered"], dario["promises_broken"], dario["promises_made"]) == ("0.00", 1, 0)
    assert (dario["portfolio_open"], dario["dso_days"]) == ("0.00", "0.0")  # sold 300.00, all of it paid
    assert report.as_json()["unattributed"] == {"EUR": "800.00"}  # the 19-day-old reminder is out of the window
    assert {(c["collector"], c["recovered"]) for c in wide.as_json()["collectors"]} >= {("=dario", "800.00")}
    assert wide.as_json()["unattributed"] == {}
    assert [(e.before, e.after) for e in changes] == [
        (None, {"amount_minor": 100000, "currency": "EUR"}),
        ({"amount_minor": 100000}, {"amount_minor": 80000, "currency": "EUR"})]


def test_report_collectors_cli(container: Container, cli_env: dict[str, str], tmp_path: Path) -> None:
    _month(container)
    runner = CliRunner()
    out = runner.invoke(app, ["collector", "target", "set", "carla", "--period", "2026-12", "--amount", "1000"])
    assert out.exit_code == 0, out.output
    result = runner.invoke(app, ["report", "collectors", "--period", "2026-12", "--as-of", "2026-12-31", "--json",
                                 "--xlsx", str(tmp_path / "c.xlsx")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["window_days"] == 14 and {c["collector"] for c in data["collectors"]} == {"carla", "tomás", "=dario"}
    sheet = load_workbook(tmp_path / "c.xlsx").active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("collector", "currency", "recovered")
    names = {r[0] for r in rows[1:]}
    assert "'=dario" in names and "=dario" not in names  # a name starting with '=' is text, never a formula
    carla = next(r for r in rows if r[0] == "carla")
    assert float(carla[2]) == 400.0 and float(carla[3]) == 1000.0  # amounts stay numbers
    bad = runner.invoke(app, ["report", "collectors", "--period", "2026-13"])
    assert bad.exit_code == 2 and "period:" in bad.output
    bad = runner.invoke(app, ["report", "collectors", "--window-days", "-1", "--as-of", "2026-12-31"])
    assert bad.exit_code == 2 and "window_days:" in bad.output
