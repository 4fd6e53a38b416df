"""Comments on SQLite and PostgreSQL: written on a customer or an invoice, on the timeline, audited; @mentions
resolved against the tenant's users, one e-mail each (rendered, escaped); refusals name the field; the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.audit import service as audit
from cobro.audit.schemas import AuditQuery
from cobro.collections.service.tasks import timeline
from cobro.comments import service
from cobro.delivery.channels.compose import template_variables
from cobro.delivery.channels.render import Renderer
from cobro.delivery.records import OutboxMessageRow
from cobro.delivery.schemas import OutboxMessage, read_context
from cobro.identity import service as identity
from cobro.kernel.errors import InvalidInputError, NotFoundError
from cobro.ledger.records import CustomerRow, InvoiceRow, TenantRow
from cobro.platform.container import Container

TODAY = dt.date(2026, 12, 4)


def _ledger(container: Container) -> None:
    with container.uow() as uow:
        s = uow.session
        tenant = int(s.scalar(select(TenantRow.id).where(TenantRow.code == "default")) or 0)
        other = TenantRow(code="other", name="Other SL")
        s.add(other)
        s.flush()
        for t, code in ((tenant, "C1"), (other.id, "C9")):
            row = CustomerRow(tenant_id=t, code=code, legal_name=f"{code} <b>&Co</b> SL", country="ES", tax_id="",
                              segment="", account_owner="", collector="", credit_limit_currency="", language="es",
                              terms="net 30", behaviour="", row_hash="")
            s.add(row)
            s.flush()
            s.add(InvoiceRow(tenant_id=t, customer_id=row.id, number="F-1", kind="invoice",
                             issue_date=dt.date(2026, 11, 1), due_date=dt.date(2026, 12, 1), currency="EUR",
                             amount_minor=1000, open_minor=1000, status="open", disputed=False))
        for email, name, tenant_code in (("ana@example.com", "Ana García", "default"),
                                         ("sergio@example.com", "Sergio López", "default"),
                                         ("olga@example.com", "Olga Other", "other")):
            identity.create_user(uow, email=email, password="a-Long-Password-1", display_name=name)
            identity.add_membership(uow, email=email, tenant=tenant_code, role="sales", default=True)
        uow.commit()


def _mails(container: Container) -> list[OutboxMessageRow]:
    with container.uow() as uow:
        rows = list(uow.session.scalars(select(OutboxMessageRow).where(OutboxMessageRow.template == "comment_mention")
                                        .order_by(OutboxMessageRow.id)))
        uow.session.expunge_all()
        return rows


def test_a_comment_with_mentions(container: Container) -> None:
    _ledger(container)
    text = 'Hold the next delivery <script>x</script> until it is paid, @ana and @"Sergio López"?'
    with container.uow() as uow:
        made = service.add_comment(uow, customer="C1", invoice="F-1", text=text, today=TODAY, author="sergio@example.com")
        uow.commit()
    assert made.comment.mentions == ("ana@example.com", "sergio@example.com")
    assert made.notified == ("ana@example.com",)  # the author is not told of their own comment
    (mail,) = _mails(container)
    assert (mail.recipient, mail.recipient_name, mail.status) == ("ana@example.com", "Ana García", "pending")
    message = OutboxMessage(channel=mail.channel, template=mail.template, idempotency_key=mail.idempotency_key,
                            context=read_context(mail.context_json), recipient=mail.recipient,
                            recipient_name=mail.recipient_name, language=mail.language)
    rendered = Renderer().render(mail.template, "en", template_variables(message))
    assert "sergio@example.com mentioned you on C1" in rendered.subject
    assert "<script>x</script>" in rendered.text and "&lt;script&gt;" in (rendered.html or "")
    assert "<b>&Co</b>" not in (rendered.html or "")  # the customer's name is escaped in the HTML part too
    with container.uow() as uow:
        (listed,) = service.list_comments(uow, customer="C1")
        events = [e for e in timeline(uow, "C1") if e.kind == "comment.added"]
        entries = audit.history(uow, AuditQuery(entity="comment"))
    assert (listed.invoice, listed.author, listed.text) == ("F-1", "sergio@example.com", text)
    assert len(events) == 1 and events[0].summary.startswith("comment on invoice F-1 by sergio@example.com: Hold")
    assert [(e.action, e.after) for e in entries] == [
        ("create", {"customer": "C1", "invoice": "F-1", "mentions": ["ana@example.com", "sergio@example.com"]})]


def test_refusals_name_the_field_and_write_nothing(container: Container) -> None:
    _ledger(container)
    cases = [({"customer": "C9"}, NotFoundError, "customer:"),  # another tenant's customer is not found
             ({"invoice": "F-404"}, NotFoundError, "invoice:"),
             ({"text": "  "}, InvalidInputError, "text:"),
             ({"text": "@olga please look"}, InvalidInputError, "text: @olga matches no user"),  # not a member
             ({"author": ""}, InvalidInputError, "author:")]
    for change, error, start in cases:
        args = {"customer": "C1", "text": "fine", "author": "ana@example.com", **change}
        with container.uow() as uow, pytest.raises(error) as exc:
            service.add_comment(uow, today=TODAY, **args)
        assert str(exc.value).startswith(start), (change, str(exc.value))
    with container.uow() as uow:
        assert service.list_comments(uow, customer="C1") == []
    assert _mails(container) == []


def test_comment_cli(container: Container, cli_env: dict[str, str]) -> None:
    _ledger(container)
    runner = CliRunner()
    out = runner.invoke(app, ["--user", "ana@example.com", "comment", "add", "C1", "[bold]x[/bold] @sergio", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["notified"] == ["sergio@example.com"]
    listed = runner.invoke(app, ["comment", "list", "C1"])
    assert listed.exit_code == 0 and "[bold]x[/bold] @sergio" in listed.output  # printed as typed, not as markup
    bad = runner.invoke(app, ["comment", "add", "C1", "@nobody hi"])
    assert bad.exit_code == 2 and "text: @nobody matches no user" in bad.output
    assert runner.invoke(app, ["comment", "list", "NOPE"]).exit_code == 2
