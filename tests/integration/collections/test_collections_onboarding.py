"""Onboarding (issue 13): the first cycle on an existing ledger enters the sequence at the policy's entry step
instead of catching up to escalation, then advances with the policy's spacing; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from collections_builder import POLICY, Ledger
from sqlalchemy import func, select
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.collections.records import CollectionActionRow, CustomerFlagRow, EscalationCaseRow
from cobro.collections.service.cycle import run_cycle
from cobro.delivery.channels.compose import template_variables
from cobro.delivery.channels.render import Renderer
from cobro.delivery.records import OutboxMessageRow
from cobro.delivery.schemas import OutboxMessage, read_context
from cobro.platform.container import Container

D = dt.date
NOW = dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.UTC)
FIRST = D(2026, 6, 1)  # a Monday
CLAIMS = ("Pese a nuestros avisos anteriores", "Ya le escribimos anteriormente", "Despite our previous reminders",
          "We wrote to you earlier")


def cycle(container: Container, as_of: dt.date, *, dry_run: bool = False) -> dict:
    with container.uow() as uow:
        result = run_cycle(uow, as_of=as_of, now=NOW, rates=container.rates, dry_run=dry_run)
        if dry_run:
            uow.rollback()
        else:
            uow.commit()
    return result.as_dict()


def aged_ledger(container: Container, policy: str | None = None) -> Ledger:
    """A ledger six months old: customers whose oldest open invoice is 19 days to six months overdue."""
    book = Ledger(container)
    book.policy(policy)
    for code, ages in {"OLD": (180, 20), "MID": (95,), "LATE": (62, 19), "RECENT": (19,), "FRESH": (-40,)}.items():
        cid = book.customer(code)
        for n, age in enumerate(ages):
            book.invoice(cid, f"{code}-{n}", FIRST - dt.timedelta(days=age), "1500.00")
    return book


def steps(result: dict) -> list[tuple[str, str]]:
    return sorted((a["customer"], a["step"]) for a in result["actions"])


def rendered_messages(container: Container) -> list[str]:
    renderer = Renderer()
    with container.uow() as uow:
        rows = uow.session.scalars(select(OutboxMessageRow).order_by(OutboxMessageRow.id)).all()
        out = []
        for row in rows:
            message = OutboxMessage(channel=row.channel, template=row.template,
                                    idempotency_key=row.idempotency_key, context=read_context(row.context_json),
                                    recipient=row.recipient, recipient_name=row.recipient_name,
                                    language=row.language, tone=row.tone)
            done = renderer.render(row.template, row.language, template_variables(message))
            out.append(done.text + done.html)
        return out


def test_first_cycle_enters_at_the_first_reminder_without_escalating(container: Container) -> None:
    aged_ledger(container)
    result = cycle(container, FIRST)
    assert steps(result) == [("LATE", "reminder_1"), ("MID", "reminder_1"), ("OLD", "reminder_1"),
                             ("RECENT", "reminder_1")]
    assert all(a["reason"].startswith("onboarding:") for a in result["actions"])  # all reached a later step
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(EscalationCaseRow)) == 0
        assert uow.session.scalar(select(func.count()).select_from(CustomerFlagRow)) == 0
    texts = rendered_messages(container)
    assert len(texts) == 4
    for text in texts:
        assert not any(claim in text for claim in CLAIMS)
    assert sum("por primera vez" in t for t in texts) == 3  # OLD, MID, LATE: a first notice on an old debt


def test_dry_run_reports_where_customers_enter(container: Container) -> None:
    aged_ledger(container)
    report = cycle(container, FIRST, dry_run=True)["onboarding"]
    assert report == [{"step": "reminder_1", "currency": "EUR", "customers": 4, "total": "9000.00"}]
    # a policy entering at the call task: those that reached it enter there, the younger debt at its own step
    entry = POLICY.read_text() + "onboarding: {entry_step: call}\n"
    with container.uow() as uow:
        uow.session.execute(CollectionActionRow.__table__.delete())  # nothing was written by the dry run anyway
        uow.commit()
    Ledger(container).policy(entry)
    report = cycle(container, FIRST, dry_run=True)["onboarding"]
    assert report == [{"step": "whatsapp", "currency": "EUR", "customers": 1, "total": "1500.00"},
                      {"step": "call", "currency": "EUR", "customers": 3, "total": "7500.00"}]
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(CollectionActionRow)) == 0


def test_a_second_cycle_advances_one_step_after_the_spacing(container: Container) -> None:
    aged_ledger(container)
    cycle(container, FIRST)
    # reminder_1 (3 business days) to whatsapp (10): seven business days later, not the next day
    assert steps(cycle(container, FIRST + dt.timedelta(days=1))) == []
    assert steps(cycle(container, D(2026, 6, 9))) == []  # six business days
    second = cycle(container, D(2026, 6, 10))
    assert steps(second) == [("LATE", "whatsapp"), ("MID", "whatsapp"), ("OLD", "whatsapp"),
                             ("RECENT", "whatsapp")]
    # and then the call (15 business days: five more), still no escalation
    assert steps(cycle(container, D(2026, 6, 16))) == []
    assert steps(cycle(container, D(2026, 6, 17))) == [("LATE", "call"), ("MID", "call"), ("OLD", "call"),
                                                       ("RECENT", "call")]
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(EscalationCaseRow)) == 0


def test_a_customer_with_recorded_actions_is_not_onboarded(container: Container) -> None:
    book = aged_ledger(container)
    cycle(container, FIRST)
    # a new customer later on a ledger that has run: its first episode is onboarded too
    late = book.customer("NEWCO")
    book.invoice(late, "NEWCO-0", D(2026, 3, 1), "900.00")
    result = cycle(container, D(2026, 6, 10))
    assert ("NEWCO", "reminder_1") in steps(result)
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(EscalationCaseRow)) == 0


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_imported_actions_make_the_sequence_continue(container: Container, cli_env: dict[str, str],
                                                     tmp_path: Path) -> None:
    aged_ledger(container)
    history = tmp_path / "erp_history.csv"
    history.write_text("date;customer;channel;step;reference\n"
                       "2026-05-04;OLD;email;reminder_1;ERP-1001\n"
                       "15/05/2026;OLD;whatsapp;whatsapp;ERP-1002\n", encoding="utf-8")
    code, out = _cli("import", "actions", str(history), "--json")
    assert code == 0, out
    assert json.loads(out) | {"problems": []} == {"file": "erp_history.csv", "rows": 2, "imported": 2,
                                                  "already": 0, "problems": []}
    code, out = _cli("import", "actions", str(history), "--json")  # idempotent
    assert code == 0 and (json.loads(out)["imported"], json.loads(out)["already"]) == (0, 2)
    result = cycle(container, FIRST)
    # OLD continues after the other system's WhatsApp (call: five business days later, by 22 May); it is not
    # onboarded again and does not jump to the escalation its 180-day debt reached
    assert dict(steps(result))["OLD"] == "call"
    assert not any(a["reason"].startswith("onboarding:") for a in result["actions"] if a["customer"] == "OLD")
    assert result["onboarding"] == [{"step": "reminder_1", "currency": "EUR", "customers": 3,  # the others
                                     "total": "6000.00"}]
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(EscalationCaseRow)) == 0


def test_imported_notices_reach_the_templates(container: Container, cli_env: dict[str, str],
                                              tmp_path: Path) -> None:
    aged_ledger(container)
    history = tmp_path / "h.csv"
    history.write_text("date,customer,channel,step,reference\n2026-05-04,MID,email,reminder_1,X-1\n",
                       encoding="utf-8")
    assert _cli("import", "actions", str(history))[0] == 0
    cycle(container, FIRST)  # MID: the WhatsApp seven business days after the imported reminder
    with container.uow() as uow:
        contexts = {r.idempotency_key.split(":")[0]: read_context(r.context_json)
                    for r in uow.session.scalars(select(OutboxMessageRow))}
    assert contexts["MID"].earlier_notices == (D(2026, 5, 4),) and contexts["OLD"].earlier_notices == ()


def test_bad_action_rows_are_refused_with_row_and_column(container: Container, cli_env: dict[str, str],
                                                         tmp_path: Path) -> None:
    aged_ledger(container)
    bad = tmp_path / "bad.csv"
    bad.write_text("date,customer,channel,step,reference\n"
                   "2026-13-01,OLD,email,reminder_1,R-1\n"
                   "2026-05-04,NOBODY,email,reminder_1,R-2\n"
                   "2026-05-04,OLD,pigeon,reminder_1,R-3\n"
                   "2026-05-04,OLD,email,reminder_9,R-4\n"
                   "2026-05-04,MID,email,reminder_1,R-4\n"
                   "2027-01-01,MID,email,whatsapp,R-6\n"
                   "2026-05-04,LATE,email,reminder_1,R-7\n", encoding="utf-8")
    code, out = _cli("import", "actions", str(bad))
    assert code == 2
    for where in ("row 2, column date", "row 3, column customer", "row 4, column channel", "row 5, column step",
                  "row 6, column reference", "row 7, column date"):
        assert f"bad.csv {where}" in out, where
    assert "R-7" not in out and "Traceback" not in out and "nothing written" in out
    missing = tmp_path / "missing.csv"
    missing.write_text("date,customer,step\n2026-05-04,OLD,reminder_1\n", encoding="utf-8")
    code, out = _cli("import", "actions", str(missing))
    assert code == 2 and "column channel" in out and "missing column(s) channel, reference" in out
    with container.uow() as uow:  # nothing written, not even the valid row 8
        assert uow.session.scalar(select(func.count()).select_from(CollectionActionRow)) == 0
