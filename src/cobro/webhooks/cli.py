"""`cobro webhook add|list|remove|enable|deliveries|deliver`: subscriptions of the chosen tenant, and a delivery
pass (the worker runs the same pass continuously)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.table import Table

from cobro.kernel.errors import CobroError
from cobro.platform.cli.context import console, fail, print_json, state
from cobro.webhooks.domain import EVENT_TYPES

if TYPE_CHECKING:  # type names only: `cobro --help` stays free of heavy imports
    from cobro.platform.uow import UnitOfWork

app = typer.Typer(help="Webhooks: signed HTTP callbacks to your systems when something happens.",
                  no_args_is_help=True)
T = TypeVar("T")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="webhook")


@app.command("add")
def add(ctx: typer.Context, url: str,
        events: Annotated[str, typer.Option("--events", help=f"Comma-separated: {', '.join(EVENT_TYPES)}, or *.")],
        description: Annotated[str, typer.Option("--description")] = "", as_json: JsonOpt = False) -> None:
    """Subscribe URL; prints the signing secret once (receivers verify each delivery with it)."""
    from cobro.webhooks import service

    created = _in_uow(ctx, lambda uow: service.subscribe(uow, url=url, events=events.split(","),
                                                         description=description), commit=True)
    if as_json:
        print_json(created.model_dump(mode="json"))
        return
    console.print(f"webhook #{created.subscription.id} → {url} for {', '.join(created.subscription.events)}")
    console.print(f"signing secret (shown once): {created.secret}", soft_wrap=True)


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    from cobro.webhooks import service

    subs = _in_uow(ctx, service.subscriptions)
    if as_json:
        print_json([s.model_dump(mode="json") for s in subs])
        return
    table = Table("#", "url", "events", "state")
    for s in subs:
        table.add_row(str(s.id), s.url, " ".join(s.events), "active" if s.active else f"off: {s.disabled_reason}")
    console.print(table if subs else "No webhook subscriptions.")


@app.command("remove")
def remove(ctx: typer.Context, subscription_id: int) -> None:
    from cobro.webhooks import service

    _in_uow(ctx, lambda uow: service.unsubscribe(uow, subscription_id), commit=True)
    console.print(f"webhook #{subscription_id} removed")


@app.command("enable")
def enable(ctx: typer.Context, subscription_id: int) -> None:
    """Turn a subscription back on after it was disabled for failing."""
    from cobro.webhooks import service

    _in_uow(ctx, lambda uow: service.reactivate(uow, subscription_id), commit=True)
    console.print(f"webhook #{subscription_id} enabled")


@app.command("deliveries")
def deliveries(ctx: typer.Context, status: Annotated[str, typer.Option("--status")] = "",
               subscription: Annotated[int | None, typer.Option("--subscription")] = None,
               limit: Annotated[int, typer.Option("--limit")] = 100, as_json: JsonOpt = False) -> None:
    """The delivery log, newest first."""
    from cobro.webhooks import service

    rows = _in_uow(ctx, lambda uow: service.deliveries(uow, status=status, subscription_id=subscription,
                                                        limit=limit))
    if as_json:
        print_json([d.model_dump(mode="json") for d in rows])
        return
    table = Table("#", "event", "entity", "status", "tries", "last")
    for d in rows:
        table.add_row(str(d.id), d.event_type, d.entity, d.status, str(d.attempts),
                      str(d.last_status or d.last_error or ""))
    console.print(table if rows else "No deliveries.")


@app.command("deliver")
def deliver(ctx: typer.Context, loop: Annotated[bool, typer.Option("--loop", help="Keep delivering.")] = False,
            interval: Annotated[float, typer.Option("--interval")] = 5.0, as_json: JsonOpt = False) -> None:
    """Send what is due now (every tenant's); with --loop, until interrupted."""
    from cobro.webhooks.sender import WebhookSender

    container = state(ctx).container()
    sender = WebhookSender(container.sessions, now=container.clock.now)
    while True:
        report = sender.deliver()
        if as_json:
            print_json(report.as_json())
        elif report.delivered or report.retrying or report.dead:
            console.print(f"delivered {report.delivered}, retrying {report.retrying}, given up {report.dead}"
                          + (f", disabled {report.disabled}" if report.disabled else ""))
        if not loop:
            return
        time.sleep(interval)


def _in_uow(ctx: typer.Context, fn: Callable[[UnitOfWork], T], *, commit: bool = False) -> T:
    try:
        with state(ctx).container().uow() as uow:
            out = fn(uow)
            if commit:
                uow.commit()
            return out
    except (CobroError, ValueError) as exc:
        raise fail(str(exc)) from exc
