"""Collections commands: policy, exception, hold, dispute, promise, plan, cycle, tasks, escalation, terms.

Thin: parse, call one service inside a unit of work, commit (or roll back a dry run), print.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from cobro.cli.context import console, fail, parse_day, print_json, state
from cobro.errors import CobroError, InvalidInputError

T = TypeVar("T")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
UserOpt = Annotated[str, typer.Option("--user", help="Who does this (recorded; four eyes for exceptions).")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD).")]

policy_app = typer.Typer(help="The collection policy as data (YAML, versioned).", no_args_is_help=True)
exception_app = typer.Typer(help="Policy exceptions: request, approve by another user, expire.", no_args_is_help=True)
hold_app = typer.Typer(help="Holds that pause dunning of a customer or an invoice until a date.", no_args_is_help=True)
dispute_app = typer.Typer(help="Disputes that suspend the disputed items only.", no_args_is_help=True)
promise_app = typer.Typer(help="Promises to pay; kept or broken is decided from payments.", no_args_is_help=True)
plan_app = typer.Typer(help="Payment plans that replace the schedule of open items.", no_args_is_help=True)
cycle_app = typer.Typer(help="The daily collections cycle.", no_args_is_help=True)
tasks_app = typer.Typer(help="Calls and meetings for collectors.", no_args_is_help=True)
escalation_app = typer.Typer(help="Escalation cases and credit stops.", no_args_is_help=True)
terms_app = typer.Typer(help="Terms communication.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    # the cycle, tasks, escalation and terms commands live in a second module (modules stay under ~400 lines);
    # importing it registers them on the sub-apps below
    importlib.import_module("cobro.cli.commands.collections_work")
    for app, name in ((policy_app, "policy"), (exception_app, "exception"), (hold_app, "hold"),
                      (dispute_app, "dispute"), (promise_app, "promise"), (plan_app, "plan"), (cycle_app, "cycle"),
                      (tasks_app, "tasks"), (escalation_app, "escalation"), (terms_app, "terms")):
        root.add_typer(app, name=name)


def _run(ctx: typer.Context, fn: Callable[..., T], *, commit: bool = True) -> T:
    """Call a service with (session, tenant code) in one unit of work; CobroError → exit 2 with the message."""
    container = state(ctx).container()
    try:
        with container.uow() as uow:
            out = fn(uow.session, container.settings.tenant)
            if commit:
                uow.commit()
            else:
                uow.rollback()
            return out
    except InvalidInputError as exc:
        for p in exc.problems:
            console.print(f"  {p}")
        raise fail(str(exc)) from exc
    except CobroError as exc:
        raise fail(str(exc)) from exc


def _today(ctx: typer.Context) -> dt.date:
    return state(ctx).container().clock.today()


def _table(title: str, rows: list[dict[str, Any]], cols: list[str]) -> None:
    table = Table(title=title)
    for col in cols:
        table.add_column(col)
    for r in rows:
        table.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in cols))
    console.print(table)


def _show(rows: list[dict[str, Any]], as_json: bool, title: str, cols: list[str]) -> None:
    if as_json:
        print_json(rows)
    else:
        _table(title, rows, cols)


# --- policy ------------------------------------------------------------------------------------------------

@policy_app.command("validate")
def policy_validate(file: Path) -> None:
    """Check a policy file; exit 2 listing the YAML path of each error."""
    from cobro.services.collections.policy import load_policy_yaml

    policy, problems = load_policy_yaml(file.read_text(encoding="utf-8"))
    if policy is None:
        for p in problems:
            console.print(f"{file}: {p.path}: {p.message}", highlight=False, markup=False)
        raise typer.Exit(2)
    console.print(f"{file}: policy '{policy.name}' is valid ({len(policy.steps)} steps)")


@policy_app.command("apply")
def policy_apply(ctx: typer.Context, file: Path,
                 segment: Annotated[str, typer.Option("--segment", help="Assign to this customer segment.")] = "",
                 customer: Annotated[str, typer.Option("--customer", help="Assign to this customer.")] = "",
                 user: UserOpt = "") -> None:
    """Store the file as a new version of its policy and assign it (tenant default unless --segment/--customer)."""
    from cobro.services.collections.policy import apply_policy, load_policy_yaml

    text = file.read_text(encoding="utf-8")
    policy, problems = load_policy_yaml(text)
    if policy is None:
        for p in problems:
            console.print(f"{file}: {p.path}: {p.message}", highlight=False, markup=False)
        raise typer.Exit(2)
    stored = _run(ctx, lambda s, t: apply_policy(s, t, text, segment=segment, customer=customer, user=user))
    scope = f"customer {customer}" if customer else f"segment {segment}" if segment else "the tenant default"
    console.print(f"stored policy '{stored.name}' version {stored.version}, assigned to {scope}")


@policy_app.command("show")
def policy_show(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The newest version of each policy, its assignments and the version history."""
    from cobro.services.collections.policy import show

    data = _run(ctx, show, commit=False)
    if as_json:
        print_json(data)
        return
    for name, p in data["policies"].items():
        console.print(f"[bold]{name}[/] v{p['version']} ({p['created_by'] or '-'}, {p['created_at']})")
        _table("steps", [{"id": s["id"], "trigger": f"{s['trigger']['days']} {s['trigger']['unit']} from "
                          f"{s['trigger']['from']}", "channel": s["channel"], "to": ",".join(s["recipients"]),
                          "tone": s["tone"], "min": s["min_overdue"] or ""} for s in p["policy"]["steps"]],
               ["id", "trigger", "channel", "to", "tone", "min"])
    _table("assignments", data["assignments"], ["scope", "segment", "customer", "policy"])


# --- exceptions --------------------------------------------------------------------------------------------

@exception_app.command("request")
def exception_request(
    ctx: typer.Context, customer: str,
    kind: Annotated[str, typer.Option("--kind", help="longer_terms | higher_limit | skip_step | pause")],
    justification: Annotated[str, typer.Option("--justification", "-j")],
    expires: Annotated[str, typer.Option("--expires", help="Expiry date (YYYY-MM-DD).")],
    user: UserOpt = "",
    value: Annotated[str, typer.Option("--value", help="Days, 'AMOUNT CUR' or a step id.")] = "",
) -> None:
    """Request an exception (it does nothing until another user approves it)."""
    from cobro.services.collections.exceptions import request

    row = _run(ctx, lambda s, t: request(s, t, customer=customer, kind=kind, justification=justification,
                                         user=user, expires_on=parse_day(expires), today=_today(ctx), value=value))
    console.print(f"exception #{row.id} requested; it needs approval by someone other than {row.requested_by}")


def _decide(ctx: typer.Context, exception_id: int, user: str, approve: bool, note: str) -> None:
    from cobro.services.collections.exceptions import decide

    clock = state(ctx).container().clock
    row = _run(ctx, lambda s, t: decide(s, t, exception_id, user=user, approve=approve, today=clock.today(),
                                        now=clock.now(), note=note))
    console.print(f"exception #{row.id} {row.status} by {row.approved_by}")


@exception_app.command("approve")
def exception_approve(ctx: typer.Context, exception_id: int, user: UserOpt = "",
                      note: Annotated[str, typer.Option("--note")] = "") -> None:
    """Approve an exception (refused when the approver is the requester)."""
    _decide(ctx, exception_id, user, True, note)


@exception_app.command("reject")
def exception_reject(ctx: typer.Context, exception_id: int, user: UserOpt = "",
                     note: Annotated[str, typer.Option("--note")] = "") -> None:
    """Reject an exception."""
    _decide(ctx, exception_id, user, False, note)


@exception_app.command("list")
def exception_list(ctx: typer.Context, status: Annotated[str, typer.Option("--status")] = "",
                   as_json: JsonOpt = False) -> None:
    from cobro.services.collections.exceptions import listing

    rows = _run(ctx, lambda s, t: listing(s, t, today=_today(ctx), status=status), commit=False)
    _show(rows, as_json, "Exceptions", ["id", "customer", "kind", "value", "status", "requested_by", "approved_by",
                                        "expires_on", "justification"])


# --- holds, disputes, promises, plans ----------------------------------------------------------------------

@hold_app.command("add")
def hold_add(ctx: typer.Context, customer: str, reason: Annotated[str, typer.Option("--reason")],
             until: Annotated[str | None, typer.Option("--until", help="Last paused day (inclusive).")] = None,
             invoice: Annotated[str, typer.Option("--invoice", help="Hold only this invoice.")] = "",
             user: UserOpt = "") -> None:
    from cobro.services.collections.holds import add_hold

    row = _run(ctx, lambda s, t: add_hold(s, t, customer=customer, reason=reason, today=_today(ctx),
                                          until=parse_day(until) if until else None, invoice=invoice, user=user))
    console.print(f"hold #{row.id} added")


@hold_app.command("release")
def hold_release(ctx: typer.Context, hold_id: int, user: UserOpt = "") -> None:
    from cobro.services.collections.holds import release_hold

    _run(ctx, lambda s, t: release_hold(s, t, hold_id, today=_today(ctx), user=user))
    console.print(f"hold #{hold_id} released")


@hold_app.command("list")
def hold_list(ctx: typer.Context, all_: Annotated[bool, typer.Option("--all", help="Include ended holds.")] = False,
              as_json: JsonOpt = False) -> None:
    from cobro.services.collections.holds import list_holds

    rows = _run(ctx, lambda s, t: list_holds(s, t, today=_today(ctx), active_only=not all_), commit=False)
    _show(rows, as_json, "Holds", ["id", "customer", "invoice_id", "until", "released_on", "reason"])


@dispute_app.command("open")
def dispute_open(ctx: typer.Context, customer: str,
                 invoice: Annotated[list[str], typer.Option("--invoice", help="Disputed invoice (repeat).")],
                 reason: Annotated[str, typer.Option("--reason", help="quality|quantity|price|not_received|"
                                                     "duplicate|already_paid|terms|other")],
                 amount: Annotated[str, typer.Option("--amount", help="Disputed amount (default: all).")] = "",
                 owner: Annotated[str, typer.Option("--owner")] = "",
                 resolve_by: Annotated[str | None, typer.Option("--resolve-by")] = None,
                 note: Annotated[str, typer.Option("--note")] = "") -> None:
    from cobro.services.collections.holds import open_dispute

    row = _run(ctx, lambda s, t: open_dispute(s, t, customer=customer, invoices=invoice, reason_code=reason,
                                              today=_today(ctx), amount=amount, owner=owner, note=note,
                                              resolve_by=parse_day(resolve_by) if resolve_by else None))
    console.print(f"dispute #{row.id} opened")


@dispute_app.command("resolve")
def dispute_resolve(ctx: typer.Context, dispute_id: int,
                    resolution: Annotated[str, typer.Option("--resolution")], user: UserOpt = "") -> None:
    from cobro.services.collections.holds import resolve_dispute

    _run(ctx, lambda s, t: resolve_dispute(s, t, dispute_id, resolution=resolution, today=_today(ctx), user=user))
    console.print(f"dispute #{dispute_id} resolved")


@dispute_app.command("list")
def dispute_list(ctx: typer.Context, status: Annotated[str, typer.Option("--status")] = "open",
                 as_json: JsonOpt = False) -> None:
    from cobro.services.collections.holds import list_disputes

    rows = _run(ctx, lambda s, t: list_disputes(s, t, status=status), commit=False)
    _show(rows, as_json, "Disputes", ["id", "customer", "invoice_ids", "reason_code", "amount", "currency", "owner",
                                      "resolve_by", "status"])


@promise_app.command("add")
def promise_add(ctx: typer.Context, customer: str, amount: Annotated[str, typer.Option("--amount")],
                date: Annotated[str, typer.Option("--date", help="Promised payment date.")],
                currency: Annotated[str, typer.Option("--currency")] = "EUR",
                contact: Annotated[str, typer.Option("--contact")] = "",
                channel: Annotated[str, typer.Option("--channel")] = "phone",
                grace: Annotated[int | None, typer.Option("--grace-days")] = None, user: UserOpt = "") -> None:
    from cobro.services.collections.promises import add_promise

    row = _run(ctx, lambda s, t: add_promise(s, t, customer=customer, amount=amount, currency=currency,
                                             due_on=parse_day(date), today=_today(ctx), contact=contact,
                                             channel=channel, grace_days=grace, user=user))
    console.print(f"promise #{row.id} recorded; dunning paused until {row.due_on + dt.timedelta(days=row.grace_days)}")


@promise_app.command("list")
def promise_list(ctx: typer.Context, status: Annotated[str, typer.Option("--status")] = "",
                 as_json: JsonOpt = False) -> None:
    from cobro.services.collections.promises import list_promises

    rows = _run(ctx, lambda s, t: list_promises(s, t, status=status), commit=False)
    _show(rows, as_json, "Promises", ["id", "customer", "amount", "currency", "due_on", "grace_days", "status",
                                      "paid", "contact"])


@plan_app.command("add")
def plan_add(ctx: typer.Context, customer: str,
             invoice: Annotated[list[str], typer.Option("--invoice", help="Covered invoice (repeat).")],
             instalment: Annotated[list[str], typer.Option("--instalment", help="DATE:AMOUNT (repeat).")],
             note: Annotated[str, typer.Option("--note")] = "", user: UserOpt = "") -> None:
    """Agree a payment plan: its instalments replace the covered invoices' schedule."""
    from cobro.services.collections.holds import add_plan

    try:
        schedule = [(parse_day(x.split(":", 1)[0]), x.split(":", 1)[1]) for x in instalment]
    except IndexError as exc:
        raise fail("write each instalment as DATE:AMOUNT, e.g. 2026-01-15:500.00") from exc
    row = _run(ctx, lambda s, t: add_plan(s, t, customer=customer, invoices=invoice, schedule=schedule,
                                          today=_today(ctx), user=user, note=note))
    console.print(f"payment plan #{row.id} agreed")

