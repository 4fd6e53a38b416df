"""Contactability and channel fallback on SQLite and PostgreSQL: a customer with only a phone is reached on
WhatsApp/SMS or gets a call task instead of nothing; a bounced address switches to the next contact; a wrong
number marks the phone invalid; each switch is explained on the timeline; `cobro report contacts` lists who is
stopped and why."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from collections_builder import Ledger  # type: ignore[import-not-found]
from sqlalchemy import select
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.collections.records import TaskRow, TimelineEventRow
from cobro.collections.service.cycle import run_cycle
from cobro.collections.service.tasks import complete_task
from cobro.delivery.records import ContactPointStatusRow, OutboxMessageRow
from cobro.delivery.service.contact_points import mark_invalid
from cobro.platform.container import Container

NOW = dt.datetime(2025, 12, 1, 6, 0, tzinfo=dt.UTC)
DUE = dt.date(2025, 11, 3)
AS_OF = dt.date(2025, 11, 14)
ONLY_PHONE = (("Pablo Phone", "administration", "", "+34 600 111 222"),)


def _policy(fallback: str, *, channel: str = "email", recipients: str = "[administration, finance]") -> str:
    return f"""
policy: fallback_test
{fallback}
recipients: {recipients}
onboarding: {{entry_step: first}}
steps:
  - id: first
    trigger: {{days: 3, from: due_date, unit: business_days}}
    channel: {channel}
    template: reminder_1
"""


def _cycle(container: Container, as_of: dt.date = AS_OF) -> dict:
    with container.uow() as uow:
        result = run_cycle(uow, as_of=as_of, now=NOW, rates=container.rates)
        uow.commit()
    return result.as_dict()


def _outbox(container: Container, code: str) -> list[tuple[str, str, str, str, str]]:
    with container.uow() as uow:
        rows = uow.session.scalars(select(OutboxMessageRow).where(OutboxMessageRow.idempotency_key.like(f"{code}:%"))
                                   .order_by(OutboxMessageRow.id))
        return [(r.channel, r.template, r.recipient, r.status, r.last_error) for r in rows]


def _timeline(container: Container, cid: int) -> list[str]:
    with container.uow() as uow:
        return [e.summary for e in uow.session.scalars(select(TimelineEventRow).where(
            TimelineEventRow.customer_id == cid).order_by(TimelineEventRow.id))]


def test_a_customer_with_only_a_phone_gets_whatsapp_instead_of_nothing(container: Container) -> None:
    ledger = Ledger(container)
    ledger.policy(_policy("fallback: [whatsapp, sms, letter_pdf, call_task]"))
    cid = ledger.customer("PHONE", contacts=ONLY_PHONE)
    ledger.invoice(cid, "F-1", DUE)
    _cycle(container)
    assert _outbox(container, "PHONE") == [("whatsapp", "whatsapp_reminder", "+34 600 111 222", "pending", "")]
    note = next(s for s in _timeline(container, cid) if s.startswith("first"))
    assert "first (whatsapp)" in note
    assert "email: no contact with an e-mail address among roles administration, finance" in note
    assert "→ whatsapp to Pablo Phone instead of email" in note


def test_sms_then_a_call_task_when_whatsapp_is_opted_out(container: Container) -> None:
    ledger = Ledger(container)
    ledger.policy(_policy("fallback: [whatsapp, call_task]"))
    cid = ledger.customer("CALLME", contacts=ONLY_PHONE)
    ledger.invoice(cid, "F-2", DUE)
    runner = CliRunner()
    with container.uow() as uow:  # the customer asked for no WhatsApp
        from cobro.delivery.service.outbox import opt_out

        opt_out(uow, uow.tenant.id, "whatsapp", "+34 600 111 222", reason="asked")
        uow.commit()
    _cycle(container)
    assert _outbox(container, "CALLME") == []
    with container.uow() as uow:
        tasks = [(t.kind, t.contact_name, t.contact_phone) for t in uow.session.scalars(
            select(TaskRow).where(TaskRow.customer_id == cid))]
    assert tasks == [("call", "Pablo Phone", "+34 600 111 222")]
    note = next(s for s in _timeline(container, cid) if s.startswith("first"))
    assert "whatsapp to Pablo Phone: opted out" in note and "→ call_task to Pablo Phone instead of email" in note
    del runner


def test_without_a_fallback_the_message_is_skipped_with_the_reason(container: Container) -> None:
    ledger = Ledger(container)
    ledger.policy(_policy(""))
    cid = ledger.customer("NOFB", contacts=ONLY_PHONE)
    ledger.invoice(cid, "F-3", DUE)
    _cycle(container)
    [(channel, _t, recipient, status, reason)] = _outbox(container, "NOFB")
    assert (channel, recipient, status) == ("email", "", "skipped")
    assert reason.startswith("email: no contact with an e-mail address among roles administration, finance")


def test_a_bounced_address_switches_to_the_next_contact(container: Container) -> None:
    ledger = Ledger(container)
    ledger.policy(_policy(""))
    cid = ledger.customer("BOUNCE", contacts=(("Ana Admin", "administration", "ana@bounce.example", ""),
                                              ("Fede Finance", "finance", "fede@bounce.example", "")))
    ledger.invoice(cid, "F-4", DUE)
    with container.uow() as uow:  # what the deliverer records on a hard bounce
        assert mark_invalid(uow, uow.tenant.id, kind="email", address="ANA@bounce.example ", reason="550 no such user",
                            source="bounce")
        uow.commit()
    _cycle(container)
    assert _outbox(container, "BOUNCE") == [("email", "reminder_1", "fede@bounce.example", "pending", "")]
    note = next(s for s in _timeline(container, cid) if s.startswith("first"))
    assert "email to Ana Admin: email invalid (bounced) → email to Fede Finance" in note


def test_wrong_number_marks_the_phone_invalid_and_the_report_names_it(container: Container,
                                                                     cli_env: dict[str, str]) -> None:
    ledger = Ledger(container)
    ledger.policy(_policy("", channel="call_task"))
    cid = ledger.customer("WRONG", contacts=ONLY_PHONE)
    ledger.invoice(cid, "F-5", DUE)
    _cycle(container)
    with container.uow() as uow:
        task = uow.session.scalars(select(TaskRow).where(TaskRow.customer_id == cid)).one()
        complete_task(uow, task.id, outcome="wrong_number", today=AS_OF, user="carla")
        uow.commit()
        point = uow.session.scalars(select(ContactPointStatusRow)).one()
    assert (point.kind, point.address, point.source) == ("phone", "34600111222", "wrong_number")
    assert any("phone +34 600 111 222 marked invalid: wrong number" in s for s in _timeline(container, cid))
    out = CliRunner().invoke(app, ["report", "contacts", "--json"], env=cli_env)
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert report["blocked"] == 1
    [row] = report["customers"]
    assert row["customer"] == "WRONG" and row["blocked"]
    assert row["steps"][0]["status"] == "blocked"
    assert "call_task to Pablo Phone: phone invalid (wrong number)" in row["steps"][0]["reason"]
    assert [(p["kind"], p["address"], p["source"]) for p in report["invalid_points"]] == [
        ("phone", "34600111222", "wrong_number")]
    table = CliRunner().invoke(app, ["report", "contacts"], env=cli_env)
    assert table.exit_code == 0 and "WRONG" in table.output and "1 blocked" in table.output


@pytest.mark.parametrize(("fallback", "path", "message"), [
    ("fallback: [fax]", "fallback[0]", "'fax' is not one of email, whatsapp, sms, letter_pdf, call_task"),
    ("fallback: sms", "fallback", "must be a list of channels"),
    ("fallback: [sms, sms]", "fallback[1]", "listed twice"),
])
def test_the_policy_loader_names_the_fallback_field(fallback: str, path: str, message: str) -> None:
    import yaml

    from cobro.collections.domain.policy import parse_policy

    policy, problems = parse_policy(yaml.safe_load(_policy(fallback)))
    assert policy is None
    assert [(p.path, message in p.message) for p in problems] == [(path, True)]


def test_a_real_bounce_marks_the_address_alerts_the_collector_and_the_next_step_goes_to_the_next_contact(
        container: Container) -> None:
    from tests.integration.delivery.servers import start_smtp

    from cobro.delivery.service.deliver import make_deliverer
    from cobro.identity import service as identity
    from cobro.platform.settings import Settings
    from cobro.risk.service.alerts import alerts_for

    ledger = Ledger(container)
    ledger.policy(_policy("") + """
  - id: second
    trigger: {days: 5, from: previous_step, unit: business_days}
    channel: email
    template: reminder_2
""")
    cid = ledger.customer("REAL", contacts=(("Ana Admin", "administration", "ana@real.example", ""),
                                            ("Fede Finance", "finance", "fede@real.example", "")))
    ledger.invoice(cid, "F-9", DUE)
    with container.uow() as uow:
        identity.create_user(uow, email="carla@example.com", password="Sunny-harbour-2026", display_name="carla")
        identity.add_membership(uow, email="carla@example.com", tenant="default", role="collector")
        uow.commit()
    _cycle(container)
    assert [(c, r) for c, _t, r, _s, _e in _outbox(container, "REAL")] == [("email", "ana@real.example")]
    controller, sink = start_smtp()
    try:
        sink.refuse.add("ana@real.example")  # type: ignore[attr-defined]
        settings = Settings(database_url=str(container.engine.url), smtp_url=f"smtp://127.0.0.1:{controller.port}")
        report = make_deliverer(settings=settings, sessions=container.sessions, clock=container.clock).deliver()
    finally:
        controller.stop()
    assert len(report.dead) == 1
    with container.uow() as uow:
        point = uow.session.scalars(select(ContactPointStatusRow)).one()
        [alert] = alerts_for(uow, as_of=container.clock.today(), user="carla@example.com")
    assert (point.kind, point.address, point.source) == ("email", "ana@real.example", "bounce")
    assert str(alert.kind) == "bounce" and "ana@real.example bounced" in alert.message
    assert any("email to ana@real.example bounced: email marked invalid" in s for s in _timeline(container, cid))
    _cycle(container, AS_OF + dt.timedelta(days=10))
    assert [(c, r) for c, _t, r, _s, _e in _outbox(container, "REAL")] == [("email", "ana@real.example"),
                                                                         ("email", "fede@real.example")]
    note = next(s for s in _timeline(container, cid) if s.startswith("second"))
    assert "email to Ana Admin: email invalid (bounced) → email to Fede Finance" in note
