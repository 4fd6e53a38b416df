"""`cobro credit check [CODE] [--as-of DATE] [--json]`: effective credit limit, exposure, headroom, credit stop.

Thin: the rules are in `cobro.collections.domain.credit`, the work in `cobro.collections.service.credit.checks`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from cobro.kernel.errors import CobroError
from cobro.platform.cli.compose import Section
from cobro.platform.cli.context import console, fail, parse_day, print_json, state

if TYPE_CHECKING:  # type names only: `cobro --help` stays free of heavy imports
    from cobro.platform.uow import UnitOfWork

credit_app = typer.Typer(help="Credit limits: what a customer may still buy on credit.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(credit_app, name="credit")


def status_of(line: dict[str, Any]) -> str:
    if line["over_limit"]:
        return "OVER LIMIT"
    return "no limit" if line["limit"] is None else "ok"


def describe(line: dict[str, Any]) -> str:
    """One line of a check in words, e.g. `EUR limit 30000.00 (exception #4) exposure 25000.00 headroom 5000.00 ok`."""
    source = f"exception #{line['exception']}" if line["exception"] else line["source"] or "none"
    limit = "no limit" if line["limit"] is None else f"limit {line['limit']} ({source})"
    headroom = "" if line["headroom"] is None else f" headroom {line['headroom']}"
    return f"{line['currency']} {limit} exposure {line['exposure']}{headroom} {status_of(line)}"


def customer_credit(uow: UnitOfWork, code: str, as_of: dt.date) -> Section:
    """The credit check's part of `cobro customers show`: `credit_check` in the JSON, one line per currency."""
    from cobro.collections.service.credit import checks
    from cobro.collections.service.escalation import credit_stops

    credit = checks(uow, as_of, code)[0].as_dict()
    stop = next((s for s in credit_stops(uow) if s.customer == code), None)
    credit["credit_stop"] = stop.as_json() if stop else None
    lines = tuple(f"credit check: {describe(line)}" for line in credit["lines"])
    stopped = f"credit stop: since {stop.since.isoformat()} — {stop.reason}" if stop else "credit stop: none"
    return Section("credit_check", credit, (*lines, stopped))


@credit_app.command("lift")
def credit_lift(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Customer code.")],
    reason: Annotated[str, typer.Option("--reason", help="Why sales may sell on credit again (audited).")],
    user: Annotated[str, typer.Option("--user", help="Who lifts it (a credit manager).")] = "",
) -> None:
    """Lift a customer's credit stop by hand, with a reason (on the timeline and in the audit log)."""
    from cobro.collections.service.credit_stops import lift_credit_stop

    container = state(ctx).container()
    try:
        with container.uow() as uow:
            stop = lift_credit_stop(uow, code, reason=reason, today=container.clock.today(), user=user)
            uow.commit()
    except CobroError as exc:
        raise fail(str(exc)) from exc
    console.print(f"{code}: credit stop lifted (set on {stop.since.isoformat()}: {stop.reason})")


@credit_app.command("check")
def credit_check(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Customer code (default: every customer).")] = "",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Check as of this date (YYYY-MM-DD).")] = None,
    over_only: Annotated[bool, typer.Option("--over", help="Only customers over their limit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Effective credit limit (record or policy, raised by an approved higher_limit exception in force), exposure,
    headroom, and whether the customer is over limit (a credit stop for sales)."""
    from cobro.collections.service.credit import checks

    container = state(ctx).container()
    day = parse_day(as_of) if as_of else container.clock.today()
    try:
        with container.uow() as uow:
            rows = [c.as_dict() for c in checks(uow, day, code)]
    except CobroError as exc:
        raise fail(str(exc)) from exc
    if over_only:
        rows = [r for r in rows if r["over_limit"]]
    if as_json:
        print_json(rows if not code else rows[0])
        return
    table = Table(title=f"Credit check as of {day}")
    for col in ("customer", "currency", "limit", "source", "exposure", "headroom", "status"):
        table.add_column(col)
    for r in rows:
        for line in r["lines"]:
            source = f"exception #{line['exception']}" if line["exception"] else line["source"]
            table.add_row(r["customer"], line["currency"], line["limit"] or "-", source or "-", line["exposure"],
                          line["headroom"] or "-", status_of(line))
    console.print(table)
    if code:
        console.print(f"{code}: {'CREDIT STOP (over limit)' if rows[0]['over_limit'] else 'within limit'}")
