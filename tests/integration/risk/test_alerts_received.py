"""Alerts people receive, on SQLite and PostgreSQL: raised once per subject and day, addressed to the collector,
account owner or credit managers by kind, announced as `alert.raised`, delivered once in the daily digest however
often it runs, hidden while snoozed, and never sent to a user whose preference is off."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cobro.delivery.records import OutboxMessageRow
from cobro.delivery.schemas import read_context
from cobro.identity import service as identity
from cobro.kernel.errors import InvalidInputError, InvalidTransitionError
from cobro.platform.container import Container
from cobro.risk.schemas import AlertKind, AlertPreference
from cobro.risk.service import alerts
from cobro.risk.service.digest import send_digests
from cobro.webhooks.records import WebhookEventRow
from tests.integration.collections.collections_builder import Ledger

DAY = dt.date(2026, 6, 1)
PASSWORD = "Sunny-harbour-2026"


def _users(container: Container) -> None:
    with container.uow() as uow:
        for email, role in (("carla@example.com", "collector"), ("owen@example.com", "collector"),
                            ("maria@example.com", "credit_manager")):
            identity.create_user(uow, email=email, password=PASSWORD)
            identity.add_membership(uow, email=email, tenant="default", role=role)
        uow.commit()


def _setup(container: Container) -> int:
    ledger = Ledger(container)
    cid = ledger.customer("ACME", collector="carla@example.com")
    with container.uow() as uow:
        from cobro.ledger.records import CustomerRow

        row = uow.session.get(CustomerRow, cid)
        assert row is not None
        row.account_owner = "owen@example.com"
        uow.commit()
    _users(container)
    return cid


def _digest_mail(container: Container) -> dict[str, list[str]]:
    """Recipient → the alert lines of every digest e-mail queued to them."""
    out: dict[str, list[str]] = {}
    with container.uow() as uow:
        for row in uow.session.scalars(select(OutboxMessageRow).where(OutboxMessageRow.template == "alert_digest")):
            out.setdefault(row.recipient, []).extend(read_context(row.context_json).notes)
    return out


@pytest.mark.parametrize("kind", list(AlertKind))
def test_each_kind_is_delivered_once_in_the_digest_even_after_two_runs(container: Container,
                                                                       kind: AlertKind) -> None:
    cid = _setup(container)
    with container.uow() as uow:
        first = alerts.raise_alert(uow, kind=kind, customer_id=cid, as_of=DAY, message=f"ACME: {kind}",
                                   subject="x:1")
        again = alerts.raise_alert(uow, kind=kind, customer_id=cid, as_of=DAY, message=f"ACME: {kind}",
                                   subject="x:1")
        uow.commit()
    assert first.created and not again.created and again.id == first.id
    for run in range(2):
        with container.uow() as uow:
            report = send_digests(uow, as_of=DAY + dt.timedelta(days=run))
            uow.commit()
        if run == 1:
            assert report.delivered == 0 and not report.digests
    mail = _digest_mail(container)
    got = {who for who, lines in mail.items() if any(f"ACME: {kind}" in line for line in lines)}
    expected = {"score_worsened": {"carla@example.com", "owen@example.com"},
                "dbt_worsened": {"carla@example.com", "owen@example.com"},
                "over_limit": {"carla@example.com", "owen@example.com", "maria@example.com"},
                "promise_broken": {"carla@example.com"},
                "credit_stop_set": {"owen@example.com", "maria@example.com"},
                "dispute_overdue": {"carla@example.com", "maria@example.com"},
                "large_payment": {"carla@example.com", "owen@example.com"},
                "bounce": {"carla@example.com"}}[str(kind)]
    assert got == expected
    # each recipient got that alert in exactly one line of one e-mail
    for who in expected:
        assert sum(f"ACME: {kind}" in line for line in mail[who]) == 1, who
    with container.uow() as uow:
        events = list(uow.session.scalars(select(WebhookEventRow.type)))
    assert events.count("alert.raised") == 1


def test_snooze_hides_until_the_date_and_preference_off_gets_nothing(container: Container) -> None:
    cid = _setup(container)
    with container.uow() as uow:
        alerts.set_preference(uow, user="owen@example.com", mode="off")
        raised = alerts.raise_alert(uow, kind=AlertKind.LARGE_PAYMENT, customer_id=cid, as_of=DAY,
                                    message="ACME paid 50,000.00 EUR", subject="payment:9")
        with pytest.raises(InvalidInputError, match="until:"):
            alerts.snooze(uow, raised.id, until=DAY, today=DAY, user="carla@example.com")
        snoozed = alerts.snooze(uow, raised.id, until=DAY + dt.timedelta(days=3), today=DAY,
                                user="carla@example.com")
        assert snoozed.snoozed_until == DAY + dt.timedelta(days=3)
        uow.commit()
    for offset in (0, 1, 2):
        with container.uow() as uow:
            assert alerts.alerts_for(uow, as_of=DAY + dt.timedelta(days=offset), user="carla@example.com") == []
            assert send_digests(uow, as_of=DAY + dt.timedelta(days=offset)).delivered == 0
            uow.commit()
    assert _digest_mail(container) == {}
    with container.uow() as uow:
        woke = DAY + dt.timedelta(days=3)
        assert [a.id for a in alerts.alerts_for(uow, as_of=woke, user="carla@example.com")] == [raised.id]
        report = send_digests(uow, as_of=woke)
        uow.commit()
    assert [d.user for d in report.digests] == ["carla@example.com"]  # owen's preference is off
    assert set(_digest_mail(container)) == {"carla@example.com"}
    with container.uow() as uow:
        done = alerts.acknowledge(uow, raised.id, user="carla@example.com")
        assert str(done.status) == "acknowledged"
        with pytest.raises(InvalidTransitionError):
            alerts.snooze(uow, raised.id, until=woke + dt.timedelta(days=1), today=woke, user="carla@example.com")
        assert alerts.alerts_for(uow, as_of=woke) == []
        uow.commit()


def test_immediate_preference_mails_at_once_and_not_again_in_the_digest(container: Container) -> None:
    cid = _setup(container)
    with container.uow() as uow:
        assert alerts.set_preference(uow, user="maria@example.com", mode="immediate") == AlertPreference.IMMEDIATE
        with pytest.raises(InvalidInputError, match="mode:"):
            alerts.set_preference(uow, user="maria@example.com", mode="hourly")
        alerts.raise_alert(uow, kind=AlertKind.CREDIT_STOP_SET, customer_id=cid, as_of=DAY,
                           message="ACME: credit stop set", subject="credit_stop:1")
        uow.commit()
    assert _digest_mail(container) == {"maria@example.com": ["ACME · credit_stop_set: ACME: credit stop set"]}
    with container.uow() as uow:
        report = send_digests(uow, as_of=DAY)
        uow.commit()
    assert [d.user for d in report.digests] == ["owen@example.com"]
    assert sorted(_digest_mail(container)) == ["maria@example.com", "owen@example.com"]


def test_the_alerts_commands(container: Container, cli_env: dict[str, str]) -> None:
    from typer.testing import CliRunner

    from cobro.app.cli import app

    cid = _setup(container)
    with container.uow() as uow:
        raised = alerts.raise_alert(uow, kind=AlertKind.BOUNCE, customer_id=cid, as_of=DAY,
                                    message="e-mail to ana@example.com bounced", subject="email:ana@example.com")
        other = alerts.raise_alert(uow, kind=AlertKind.PROMISE_BROKEN, customer_id=cid, as_of=DAY,
                                   message="promise P-1 broken", subject="promise:1")
        uow.commit()
    run = CliRunner()
    prefs = run.invoke(app, ["alerts", "prefs", "carla@example.com", "--set", "weekly"], env=cli_env)
    assert prefs.exit_code == 2 and "mode:" in prefs.output
    assert run.invoke(app, ["alerts", "prefs", "owen@example.com", "--set", "off"], env=cli_env).exit_code == 0
    assert "owen@example.com: off" in run.invoke(app, ["alerts", "prefs", "owen@example.com"], env=cli_env).output
    snooze = run.invoke(app, ["alerts", "snooze", str(other.id), "--until", "2099-06-10"], env=cli_env)
    assert snooze.exit_code == 0, snooze.output
    bad = run.invoke(app, ["alerts", "snooze", str(other.id), "--until", "soon"], env=cli_env)
    assert bad.exit_code == 2 and "--until" in bad.output
    listed = run.invoke(app, ["alerts", "list", "--for", "carla@example.com", "--as-of", "2026-06-01", "--json"],
                        env=cli_env)
    assert listed.exit_code == 0, listed.output
    import json

    assert [a["id"] for a in json.loads(listed.output)] == [raised.id]  # the snoozed one is hidden
    digest = run.invoke(app, ["alerts", "digest", "--as-of", "2026-06-01", "--json"], env=cli_env)
    assert digest.exit_code == 0, digest.output
    report = json.loads(digest.output)
    assert report["delivered"] == 1 and [d["user"] for d in report["digests"]] == ["carla@example.com"]
    again = json.loads(run.invoke(app, ["alerts", "digest", "--as-of", "2026-06-01", "--json"], env=cli_env).output)
    assert again["delivered"] == 0
    ack = run.invoke(app, ["alerts", "ack", str(raised.id)], env=cli_env)
    assert ack.exit_code == 0 and "acknowledged" in ack.output
    assert run.invoke(app, ["alerts", "ack", str(raised.id)], env=cli_env).exit_code == 2


def test_the_digest_raises_disputes_past_their_date_large_payments_and_broken_promises(
        container: Container) -> None:
    from cobro.collections.records import DisputeRow, PromiseRow

    cid = _setup(container)
    ledger = Ledger(container)
    ledger.invoice(cid, "BIG-1", DAY - dt.timedelta(days=40), amount="60000.00")
    ledger.invoice(cid, "SMALL-1", DAY - dt.timedelta(days=40), amount="50.00")
    ledger.pay(cid, "BIG-1", "60000.00", DAY - dt.timedelta(days=1))
    ledger.pay(cid, "SMALL-1", "50.00", DAY - dt.timedelta(days=1))
    with container.uow() as uow:
        tenant = uow.tenant.id
        uow.session.add(DisputeRow(tenant_id=tenant, customer_id=cid, invoice_ids_json="[]", reason_code="quality",
                                   currency="EUR", resolve_by=DAY - dt.timedelta(days=2), status="open",
                                   opened_on=DAY - dt.timedelta(days=20)))
        uow.session.add(DisputeRow(tenant_id=tenant, customer_id=cid, invoice_ids_json="[]", reason_code="price",
                                   currency="EUR", resolve_by=DAY + dt.timedelta(days=5), status="open",
                                   opened_on=DAY - dt.timedelta(days=3)))
        uow.session.add(PromiseRow(tenant_id=tenant, customer_id=cid, currency="EUR", amount_minor=100000,
                                   promised_on=DAY - dt.timedelta(days=10), due_on=DAY - dt.timedelta(days=5),
                                   status="broken", evaluated_on=DAY - dt.timedelta(days=1)))
        uow.commit()
    for _ in range(2):
        with container.uow() as uow:
            report = send_digests(uow, as_of=DAY)
            uow.commit()
    assert report.raised == 0 and report.delivered == 0  # the second run finds nothing new
    with container.uow() as uow:
        kinds = sorted(str(a.kind) for a in alerts.alerts_for(uow, as_of=DAY))
    assert kinds == ["dispute_overdue", "large_payment", "promise_broken"]
    mail = _digest_mail(container)
    assert sorted(mail) == ["carla@example.com", "maria@example.com", "owen@example.com"]
    assert any("2 days late" in line for line in mail["maria@example.com"])
    assert any("60000.00 EUR" in line or "60,000.00" in line for line in mail["owen@example.com"])
    assert len(mail["carla@example.com"]) == 3  # collector: all three, once each


def test_the_digest_e_mail_is_delivered_through_the_outbox(container: Container) -> None:
    from cobro.delivery.service.deliver import make_deliverer
    from cobro.platform.settings import Settings
    from tests.integration.delivery.servers import start_smtp

    cid = _setup(container)
    with container.uow() as uow:
        alerts.raise_alert(uow, kind=AlertKind.BOUNCE, customer_id=cid, as_of=DAY, message="e-mail bounced",
                           subject="email:x")
        send_digests(uow, as_of=DAY)
        uow.commit()
    controller, sink = start_smtp()
    try:
        settings = Settings(database_url=str(container.engine.url), smtp_url=f"smtp://127.0.0.1:{controller.port}")
        report = make_deliverer(settings=settings, sessions=container.sessions, clock=container.clock).deliver()
    finally:
        controller.stop()
    assert len(report.sent) == 1, report
    [mail] = sink.messages  # type: ignore[attr-defined]
    assert mail["To"].endswith("carla@example.com>") or mail["To"] == "carla@example.com"
    assert "1 alert for" in mail["Subject"] and "e-mail bounced" in mail.get_body(("plain",)).get_content()
