"""Collections commands: the policy as data (validate, apply, show) and policy exceptions (four eyes).

Thin: parse, call one service inside a unit of work, commit, print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cobro.collections.cli.common import JsonOpt, UserOpt, print_rows, print_table, run_service, today_of
from cobro.kernel.limits import InputLimits
from cobro.platform.cli.context import console, parse_day, print_json, state

policy_app = typer.Typer(help="The collection policy as data (YAML, versioned).", no_args_is_help=True)
exception_app = typer.Typer(help="Policy exceptions: request, approve by another user, expire.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(policy_app, name="policy")
    root.add_typer(exception_app, name="exception")


@policy_app.command("validate")
def policy_validate(ctx: typer.Context, file: Path) -> None:
    """Check a policy file; exit 2 listing the YAML path of each error."""
    from cobro.collections.service.policy import load_policy_yaml

    limits = state(ctx).settings.input_limits()
    policy, problems = load_policy_yaml(_policy_text(file, limits), limits=limits)
    if policy is None:
        for p in problems:
            console.print(f"{file}: {p.path}: {p.message}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2)
    console.print(f"{file}: policy '{policy.name}' is valid ({len(policy.steps)} steps)")


@policy_app.command("apply")
def policy_apply(ctx: typer.Context, file: Path,
                 segment: Annotated[str, typer.Option("--segment", help="Assign to this customer segment.")] = "",
                 customer: Annotated[str, typer.Option("--customer", help="Assign to this customer.")] = "",
                 user: UserOpt = "") -> None:
    """Store the file as a new version of its policy and assign it (tenant default unless --segment/--customer)."""
    from cobro.collections.service.policy import apply_policy, load_policy_yaml

    limits = state(ctx).settings.input_limits()
    text = _policy_text(file, limits)
    policy, problems = load_policy_yaml(text, limits=limits)
    if policy is None:
        for p in problems:
            console.print(f"{file}: {p.path}: {p.message}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2)
    stored = run_service(ctx, lambda uow: apply_policy(uow, text, segment=segment, customer=customer, user=user,
                                                         limits=limits))
    scope = f"customer {customer}" if customer else f"segment {segment}" if segment else "the tenant default"
    console.print(f"stored policy '{stored.name}' version {stored.version}, assigned to {scope}")


def _policy_text(file: Path, limits: InputLimits) -> str:
    """The policy file's text, refused by size before it is read (a one-line error, exit 2)."""
    from cobro.platform.yamlsafe import YamlError, read_yaml_text

    try:
        return read_yaml_text(file, limits=limits)
    except YamlError as exc:
        console.print(f"{file}: {exc}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from exc


@policy_app.command("show")
def policy_show(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The newest version of each policy, its assignments and the version history."""
    from cobro.collections.service.policy import show

    data = run_service(ctx, show, commit=False).as_json()
    if as_json:
        print_json(data)
        return
    for name, p in data["policies"].items():
        console.print(f"[bold]{name}[/] v{p['version']} ({p['created_by'] or '-'}, {p['created_at']})")
        print_table("steps", [{"id": s["id"], "trigger": f"{s['trigger']['days']} {s['trigger']['unit']} from "
                               f"{s['trigger']['from']}", "channel": s["channel"], "to": ",".join(s["recipients"]),
                               "tone": s["tone"], "min": s["min_overdue"] or ""} for s in p["policy"]["steps"]],
                    ["id", "trigger", "channel", "to", "tone", "min"])
    print_table("assignments", data["assignments"], ["scope", "segment", "customer", "policy"])


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
    from cobro.collections.service.exceptions import request

    row = run_service(ctx, lambda uow: request(uow, customer=customer, kind=kind, justification=justification,
                                                user=user, expires_on=parse_day(expires), today=today_of(ctx), value=value))
    console.print(f"exception #{row.id} requested; it needs approval by someone other than {row.requested_by}")


def _decide(ctx: typer.Context, exception_id: int, user: str, approve: bool, note: str) -> None:
    from cobro.collections.service.exceptions import decide

    clock = state(ctx).container().clock
    row = run_service(ctx, lambda uow: decide(uow, exception_id, user=user, approve=approve, today=clock.today(),
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
    from cobro.collections.service.exceptions import listing

    rows = run_service(ctx, lambda uow: listing(uow, today=today_of(ctx), status=status), commit=False)
    rows_json = [r.as_json() for r in rows]
    print_rows(rows_json, as_json, "Exceptions", ["id", "customer", "kind", "value", "status", "requested_by", "approved_by",
                                             "expires_on", "justification"])
