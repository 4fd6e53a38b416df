"""`cobro audit show`: the audit log of the chosen tenant, as a table, JSON or CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cobro.kernel.errors import CobroError
from cobro.platform.cli.context import console, fail, parse_day, print_json, state

if TYPE_CHECKING:  # the service loads SQLAlchemy and pydantic: imported in the command, not for `cobro --help`
    from cobro.audit.schemas import AuditEntry

app = typer.Typer(help="The audit log: who changed what, when, before and after, and why.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="audit")


@app.command("show")
def show(
    ctx: typer.Context,
    entity: Annotated[str, typer.Option("--entity", help="Only this kind of entity (dispute, hold, policy, ...).")] = "",
    entity_id: Annotated[str, typer.Option("--id", help="Only this entity id (with --entity).")] = "",
    since: Annotated[str | None, typer.Option("--since", help="From this day (YYYY-MM-DD, UTC).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Before this day (YYYY-MM-DD, UTC).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many entries (1..10000, audit.service.MAX_LIMIT).")] = 500,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write the entries to this CSV file.")] = None,
) -> None:
    """List audit entries, oldest first."""
    from cobro.audit import service
    from cobro.audit.schemas import AuditQuery

    today = state(ctx).container().clock.today()
    query = AuditQuery(entity=entity, entity_id=entity_id, since=_start(since, today), until=_start(until, today),
                       limit=limit)
    try:
        with state(ctx).container().uow() as uow:
            entries = service.history(uow, query)
    except (CobroError, ValueError) as exc:
        raise fail(str(exc)) from exc
    if csv_out is not None:
        csv_out.write_text(service.to_csv(entries), encoding="utf-8")
        console.print(f"{len(entries)} entries written to {csv_out}")
    elif as_json:
        print_json([e.model_dump(mode="json") for e in entries])
    else:
        console.print(_table(entries))


def _start(value: str | None, today: dt.date) -> dt.datetime | None:
    if value is None:
        return None
    return dt.datetime.combine(parse_day(value, today), dt.time(), tzinfo=dt.UTC)


def _table(entries: list[AuditEntry]) -> Table | str:
    if not entries:
        return "No audit entries."
    table = Table("when (UTC)", "who", "entity", "action", "reason")
    for e in entries:
        table.add_row(f"{e.at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}", f"{e.actor_name} ({e.actor_kind})",
                      f"{e.entity} {e.entity_id}", e.action, e.reason)
    return table
