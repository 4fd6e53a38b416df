"""`cobro outbox deliver|list|retry|opt-out`: deliver what the daily cycle queued (`cobro worker`, in
`cobro.jobs.cli`, delivers it continuously)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cobro.platform.cli.context import console, fail, print_json, state

if TYPE_CHECKING:
    from cobro.delivery.service.deliver import Deliverer

app = typer.Typer(help="The outbox of messages to customers: deliver, inspect, retry.", no_args_is_help=True)


def _deliverer(ctx: typer.Context) -> Deliverer:
    from cobro.delivery.service.deliver import make_deliverer

    container = state(ctx).container()
    return make_deliverer(settings=container.settings, sessions=container.sessions, clock=container.clock)


def _tenant_id(ctx: typer.Context) -> int:
    from cobro.delivery.service import outbox

    container = state(ctx).container()
    with container.uow() as uow:
        tenant_id = outbox.tenant_id(uow, container.settings.tenant)
    if tenant_id is None:
        raise fail(f"unknown tenant {container.settings.tenant!r} (run `cobro init`)")
    return tenant_id


@app.command("deliver")
def deliver(ctx: typer.Context,
            limit: Annotated[int | None, typer.Option(help="Claim at most N messages.")] = None,
            as_json: Annotated[bool, typer.Option("--json", help="Print the delivery report as JSON.")] = False,
            ) -> None:
    """Send every due message once: email, WhatsApp, SMS, letters (docs/delivery.md)."""
    report = _deliverer(ctx).deliver(limit)
    if as_json:
        print_json(report.as_dict())
        return
    console.print(f"claimed {report.claimed}: sent {len(report.sent)}, retry later {len(report.retried)}, "
                  f"dead {len(report.dead)}, skipped {len(report.skipped)}, not tried {len(report.released)}, "
                  f"cancelled {len(report.cancelled)} (items paid or paused), re-rendered {len(report.rewritten)}")
    for outbox_id, error in report.errors.items():
        console.print(f"  #{outbox_id}: {error}", highlight=False)


@app.command("list")
def list_messages(ctx: typer.Context,
                  status: Annotated[str | None, typer.Option(help="pending|sending|sent|failed|dead|skipped|cancelled")] = None,
                  limit: Annotated[int, typer.Option(help="At most N rows.")] = 100,
                  as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List outbox messages (oldest first)."""
    from rich.table import Table

    from cobro.delivery.service import outbox

    tenant_id = _tenant_id(ctx)
    with state(ctx).container().uow() as uow:
        listing = outbox.list_messages(uow, tenant_id, status=status, limit=limit)
    counts = listing.counts
    data: list[dict[str, object]] = [{"id": m.id, "channel": m.channel, "recipient": m.recipient,
                                      "template": m.template, "status": m.status.value, "attempts": m.attempts,
                                      "next_attempt_at": m.next_attempt_at, "message_id": m.message_id,
                                      "sent_at": m.sent_at, "last_error": m.last_error,
                                      "idempotency_key": m.idempotency_key} for m in listing.messages]
    if as_json:
        print_json({"messages": data, "counts": counts})
        return
    table = Table("id", "channel", "recipient", "template", "status", "tries", "next / sent", "error")
    for d in data:
        when = d["sent_at"] or d["next_attempt_at"] or ""
        table.add_row(str(d["id"]), str(d["channel"]), str(d["recipient"]), str(d["template"]), str(d["status"]),
                      str(d["attempts"]), str(when)[:19], str(d["last_error"])[:60])
    console.print(table)
    console.print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "outbox is empty")


@app.command("retry")
def retry(ctx: typer.Context, outbox_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Put a dead, failed or skipped message back in the queue (attempts reset)."""
    from cobro.delivery.service import outbox

    tenant_id = _tenant_id(ctx)
    with state(ctx).container().uow() as uow:
        done = outbox.retry(uow, tenant_id, outbox_id)
        uow.commit()
    if not done:
        raise fail(f"message {outbox_id} not found, or not dead/failed/skipped")
    console.print(f"message {outbox_id} queued again")


@app.command("opt-out")
def opt_out(ctx: typer.Context,
            channel: Annotated[str, typer.Argument(help="email|whatsapp|sms, or * for all")],
            recipient: Annotated[str, typer.Argument(help="Email address or phone number")],
            reason: Annotated[str, typer.Option(help="Why (kept with the record).")] = "",
            remove: Annotated[bool, typer.Option("--remove", help="Lift the opt-out instead.")] = False) -> None:
    """Record (or lift) a recipient's opt-out: their messages are skipped, not sent."""
    from cobro.delivery.service import outbox

    if channel not in ("email", "whatsapp", "sms", "*"):
        raise fail(f"channel must be email, whatsapp, sms or *, got {channel!r}")
    tenant_id = _tenant_id(ctx)
    with state(ctx).container().uow() as uow:
        changed = outbox.opt_out(uow, tenant_id, channel, recipient, reason=reason, remove=remove)
        uow.commit()
    console.print(("lifted" if remove else "recorded") if changed else "no change")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="outbox")
