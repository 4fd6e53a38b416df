"""Collections commands that suspend dunning: holds, disputes, promises to pay and payment plans.

Thin: parse, call one service inside a unit of work, commit, print.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cobro.collections.cli.common import JsonOpt, UserOpt, print_rows, run_service, today_of
from cobro.platform.cli.context import console, fail, parse_day

hold_app = typer.Typer(help="Holds that pause dunning of a customer or an invoice until a date.", no_args_is_help=True)
dispute_app = typer.Typer(help="Disputes that suspend the disputed items only.", no_args_is_help=True)
promise_app = typer.Typer(help="Promises to pay; kept or broken is decided from payments.", no_args_is_help=True)
plan_app = typer.Typer(help="Payment plans that replace the schedule of open items.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    for app, name in ((hold_app, "hold"), (dispute_app, "dispute"), (promise_app, "promise"), (plan_app, "plan")):
        root.add_typer(app, name=name)


@hold_app.command("add")
def hold_add(ctx: typer.Context, customer: str, reason: Annotated[str, typer.Option("--reason")],
             until: Annotated[str | None, typer.Option("--until", help="Last paused day (inclusive).")] = None,
             invoice: Annotated[str, typer.Option("--invoice", help="Hold only this invoice.")] = "",
             user: UserOpt = "") -> None:
    from cobro.collections.service.holds import add_hold

    row = run_service(ctx, lambda uow: add_hold(uow, customer=customer, reason=reason, today=today_of(ctx),
                                                 until=parse_day(until) if until else None, invoice=invoice, user=user))
    console.print(f"hold #{row.id} added")


@hold_app.command("release")
def hold_release(ctx: typer.Context, hold_id: int, user: UserOpt = "") -> None:
    from cobro.collections.service.holds import release_hold

    run_service(ctx, lambda uow: release_hold(uow, hold_id, today=today_of(ctx), user=user))
    console.print(f"hold #{hold_id} released")


@hold_app.command("list")
def hold_list(ctx: typer.Context, all_: Annotated[bool, typer.Option("--all", help="Include ended holds.")] = False,
              as_json: JsonOpt = False) -> None:
    from cobro.collections.service.holds import list_holds

    rows = run_service(ctx, lambda uow: list_holds(uow, today=today_of(ctx), active_only=not all_), commit=False)
    rows_json = [r.as_json() for r in rows]
    print_rows(rows_json, as_json, "Holds", ["id", "customer", "invoice", "until", "released_on", "reason"])


@dispute_app.command("open")
def dispute_open(ctx: typer.Context, customer: str,
                 invoice: Annotated[list[str], typer.Option("--invoice", help="Disputed invoice (repeat).")],
                 reason: Annotated[str, typer.Option("--reason", help="quality|quantity|price|not_received|"
                                                     "duplicate|already_paid|terms|other")],
                 amount: Annotated[str, typer.Option("--amount", help="Disputed amount (default: all).")] = "",
                 owner: Annotated[str, typer.Option("--owner")] = "",
                 resolve_by: Annotated[str | None, typer.Option("--resolve-by")] = None,
                 note: Annotated[str, typer.Option("--note")] = "", user: UserOpt = "") -> None:
    from cobro.collections.service.holds import open_dispute

    row = run_service(ctx, lambda uow: open_dispute(uow, customer=customer, invoices=invoice, reason_code=reason,
                                                     today=today_of(ctx), amount=amount, owner=owner, note=note,
                                                     resolve_by=parse_day(resolve_by) if resolve_by else None,
                                                     user=user))
    console.print(f"dispute #{row.id} opened")


@dispute_app.command("resolve")
def dispute_resolve(ctx: typer.Context, dispute_id: int,
                    resolution: Annotated[str, typer.Option("--resolution")], user: UserOpt = "") -> None:
    from cobro.collections.service.holds import resolve_dispute

    run_service(ctx, lambda uow: resolve_dispute(uow, dispute_id, resolution=resolution, today=today_of(ctx), user=user))
    console.print(f"dispute #{dispute_id} resolved")


@dispute_app.command("list")
def dispute_list(ctx: typer.Context, status: Annotated[str, typer.Option("--status")] = "open",
                 as_json: JsonOpt = False) -> None:
    from cobro.collections.service.holds import list_disputes

    rows = run_service(ctx, lambda uow: list_disputes(uow, status=status), commit=False)
    rows_json = [r.as_json() for r in rows]
    print_rows(rows_json, as_json, "Disputes", ["id", "customer", "invoices", "reason_code", "amount", "currency",
                                           "owner", "resolve_by", "status"])


@promise_app.command("add")
def promise_add(ctx: typer.Context, customer: str, amount: Annotated[str, typer.Option("--amount")],
                date: Annotated[str, typer.Option("--date", help="Promised payment date.")],
                currency: Annotated[str, typer.Option(
                    "--currency", help="Default: the currency the customer owes in.")] = "",
                contact: Annotated[str, typer.Option("--contact")] = "",
                channel: Annotated[str, typer.Option("--channel")] = "phone",
                grace: Annotated[int | None, typer.Option("--grace-days")] = None, user: UserOpt = "") -> None:
    from cobro.collections.service.promises import add_promise

    row = run_service(ctx, lambda uow: add_promise(uow, customer=customer, amount=amount, currency=currency,
                                                    due_on=parse_day(date), today=today_of(ctx), contact=contact,
                                                    channel=channel, grace_days=grace, user=user))
    console.print(f"promise #{row.id} recorded; dunning paused until {row.pause_until}")


@promise_app.command("list")
def promise_list(ctx: typer.Context, status: Annotated[str, typer.Option("--status")] = "",
                 as_json: JsonOpt = False) -> None:
    from cobro.collections.service.promises import list_promises

    rows = run_service(ctx, lambda uow: list_promises(uow, status=status), commit=False)
    rows_json = [r.as_json() for r in rows]
    print_rows(rows_json, as_json, "Promises", ["id", "customer", "amount", "currency", "due_on", "grace_days", "status",
                                           "paid", "contact"])


@plan_app.command("add")
def plan_add(ctx: typer.Context, customer: str,
             invoice: Annotated[list[str], typer.Option("--invoice", help="Covered invoice (repeat).")],
             instalment: Annotated[list[str], typer.Option("--instalment", help="DATE:AMOUNT (repeat).")],
             note: Annotated[str, typer.Option("--note")] = "", user: UserOpt = "") -> None:
    """Agree a payment plan: its instalments replace the covered invoices' schedule."""
    from cobro.collections.service.holds import add_plan

    try:
        schedule = [(parse_day(x.split(":", 1)[0]), x.split(":", 1)[1]) for x in instalment]
    except IndexError as exc:
        raise fail("write each instalment as DATE:AMOUNT, e.g. 2026-01-15:500.00") from exc
    row = run_service(ctx, lambda uow: add_plan(uow, customer=customer, invoices=invoice, schedule=schedule,
                                                 today=today_of(ctx), user=user, note=note))
    console.print(f"payment plan #{row.id} agreed")
