"""Collections commands: the daily cycle, collector tasks, escalation cases and terms letters.

Thin: parse, call one service inside a unit of work, commit (or roll back a dry run), print.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cobro.collections.cli.common import (
    AsOfOpt,
    JsonOpt,
    UserOpt,
    print_rows,
    print_table,
    run_service,
    today_of,
)
from cobro.platform.cli.context import console, parse_day, print_json, state

if TYPE_CHECKING:  # type names only: `cobro --help` stays free of heavy imports
    from cobro.platform.uow import UnitOfWork

cycle_app = typer.Typer(help="The daily collections cycle.", no_args_is_help=True)
tasks_app = typer.Typer(help="Calls and meetings for collectors.", no_args_is_help=True)
escalation_app = typer.Typer(help="Escalation cases and credit stops.", no_args_is_help=True)
terms_app = typer.Typer(help="Terms communication.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    for app, name in ((cycle_app, "cycle"), (tasks_app, "tasks"), (escalation_app, "escalation"),
                      (terms_app, "terms")):
        root.add_typer(app, name=name)


# --- cycle, tasks, escalation, terms -----------------------------------------------------------------------

@cycle_app.command("run")
def cycle_run(ctx: typer.Context, as_of: AsOfOpt = None,
              dry_run: Annotated[bool, typer.Option("--dry-run", help="Plan and print; write nothing.")] = False,
              as_json: JsonOpt = False) -> None:
    """Evaluate every customer with open items against its policy and plan today's actions."""
    from cobro.collections.service.cycle import CycleResult, run_cycle

    clock = state(ctx).container().clock
    day = parse_day(as_of) if as_of else clock.today()
    rates = state(ctx).container().rates
    def plan(uow: UnitOfWork) -> CycleResult:
        # On PostgreSQL the run is REPEATABLE READ (one snapshot): a promise, exception or case that someone else
        # changed meanwhile makes it fail to serialise; it then writes nothing and says to run it again.
        with uow.conflicts_as("the ledger changed while the cycle ran (a promise, exception, case or flag it "
                              "updates was changed meanwhile); nothing was written: run the cycle again"):
            return run_cycle(uow, as_of=day, now=clock.now(), rates=rates, dry_run=dry_run)

    result = run_service(ctx, plan, commit=not dry_run)
    data = result.as_dict()
    if as_json:
        print_json(data)
        return
    print_table(f"Cycle {day}{' (dry run)' if dry_run else ''}",
                [{**a, "items": len(a["items"])} for a in data["actions"][:200]],
                ["customer", "currency", "step", "channel", "items", "total", "reason"])
    console.print(" ".join(f"{k}={v}" for k, v in data["counts"].items()))
    if data["onboarding"]:  # customers with no action recorded before: where they enter the sequence
        print_table("Onboarding: customers entering the sequence", data["onboarding"],
                    ["step", "currency", "customers", "total"])
    for p in data["problems"]:
        console.print(f"[yellow]warning:[/] {p}")


@cycle_app.command("explain")
def cycle_explain(ctx: typer.Context, customer: str, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Why each item is at its step, what is next and when, and what pauses apply."""
    from cobro.collections.service.explain import explain

    day = parse_day(as_of) if as_of else today_of(ctx)
    data = run_service(ctx, lambda uow: explain(uow, customer, as_of=day), commit=False).as_json()
    if as_json:
        print_json(data)
        return
    console.print(f"[bold]{data['customer']}[/] as of {data['as_of']} — policy {data['policy'] or '(none)'}")
    for c in data["currencies"]:
        done = ", ".join(f"{s['step']} {s['on']}" for s in c["steps_done"]) or "none"
        console.print(f"\n[bold]{c['currency']}[/] episode {c['episode'] or '-'}; steps done: {done}")
        print_table("items", c["items"], ["invoice", "seq", "due_date", "days_past_due", "open", "in_dunning", "step",
                                          "why", "paused"])
        for note in c["pauses"]:
            console.print(f"  applies: {note}")
        now = c["action_now"]
        console.print(f"  now: {now['step']} ({now['channel']}) — {now['reason']}" if now else "  now: nothing")
        for why in c["not_now"]:
            console.print(f"  not now: {why}")
        nxt = c["next"]
        console.print(f"  next: {nxt['step']} ({nxt['channel']}) on {nxt['on'] or 'no date yet'}" if nxt
                      else "  next: nothing (last step)")


@tasks_app.command("list")
def tasks_list(ctx: typer.Context, collector: Annotated[str, typer.Option("--collector")] = "",
               status: Annotated[str, typer.Option("--status")] = "open", as_json: JsonOpt = False) -> None:
    from cobro.collections.service.tasks import list_tasks

    tasks = run_service(ctx, lambda uow: list_tasks(uow, collector=collector, status=status, today=today_of(ctx)),
                        commit=False)
    rows = [t.as_json() for t in tasks]
    if status == "open" and tasks:  # order by expected money per collector minute (services/worklist.py)
        from cobro.risk.schemas import WorkKind
        from cobro.risk.service.worklist import worklist

        rates = state(ctx).container().rates
        ranked = {w.id: w for w in run_service(ctx, lambda uow: worklist(uow, today_of(ctx), collector or None,
                                                                          rates=rates),
                                               commit=False) if w.kind == WorkKind.TASK}
        tasks.sort(key=lambda t: ranked[t.id].rank if t.id in ranked else len(ranked) + 1)
        rows = [{**t.as_json(), "reason": ranked[t.id].reason if t.id in ranked else ""} for t in tasks]
    print_rows(rows, as_json, "Tasks", ["id", "customer", "kind", "collector", "contact", "phone", "due_on", "overdue",
                                        "summary", *(["reason"] if status == "open" else [])])


@tasks_app.command("reassign")
def tasks_reassign(ctx: typer.Context, task_id: int,
                   to: Annotated[str, typer.Option("--to", help="The collector who takes the task over.")],
                   reason: Annotated[str, typer.Option("--reason", help="Why (on the timeline and in the audit log).")],
                   user: UserOpt = "") -> None:
    """Give an open task to another collector."""
    from cobro.collections.service.tasks import reassign_task

    moved = run_service(ctx, lambda uow: reassign_task(uow, task_id, to=to, reason=reason, today=today_of(ctx),
                                                        user=user))
    console.print(f"task #{moved.id} is now {moved.collector}'s")


@tasks_app.command("done")
def tasks_done(ctx: typer.Context, task_id: int,
               outcome: Annotated[str, typer.Option("--outcome", help="reached|voicemail|wrong_contact|wrong_number|promise|"
                                                    "dispute|refuses|asks_for_copy")],
               promise_amount: Annotated[str, typer.Option("--promise-amount")] = "",
               promise_date: Annotated[str | None, typer.Option("--promise-date")] = None,
               note: Annotated[str, typer.Option("--note")] = "", user: UserOpt = "",
               callback: Annotated[str | None, typer.Option("--callback", help="Call back on this date "
                                                            "(YYYY-MM-DD): opens the follow-up task.")] = None
               ) -> None:
    from cobro.collections.service.tasks import complete_task

    back = parse_day(callback) if callback else None
    result = run_service(ctx, lambda uow: complete_task(
        uow, task_id, outcome=outcome, today=today_of(ctx), note=note, promise_amount=promise_amount,
        promise_date=parse_day(promise_date) if promise_date else None, user=user, callback=back))
    console.print(" ".join(f"{k}={v}" for k, v in result.as_json().items()))


@tasks_app.command("timeline")
def tasks_timeline(ctx: typer.Context, customer: str, as_json: JsonOpt = False) -> None:
    """Everything sent or done for a customer, oldest first."""
    from cobro.collections.service.tasks import timeline

    rows = run_service(ctx, lambda uow: timeline(uow, customer), commit=False)
    rows_json = [e.as_json() for e in rows]
    print_rows(rows_json, as_json, f"Timeline of {customer}", ["day", "kind", "actor", "summary"])


@escalation_app.command("list")
def escalation_list(ctx: typer.Context, status: Annotated[str, typer.Option("--status")] = "",
                    as_json: JsonOpt = False) -> None:
    from cobro.collections.service.escalation import list_cases

    rows = run_service(ctx, lambda uow: list_cases(uow, status=status), commit=False)
    rows_json = [c.as_json() for c in rows]
    print_rows(rows_json, as_json, "Escalation cases", ["id", "customer", "currency", "amount", "status", "opened_on",
                                                   "handed_off_to", "credit_stop"])


@escalation_app.command("handoff")
def escalation_handoff(ctx: typer.Context, case_id: int, to: Annotated[str, typer.Option("--to")],
                       user: UserOpt = "") -> None:
    from cobro.collections.service.escalation import hand_off

    run_service(ctx, lambda uow: hand_off(uow, case_id, to=to, today=today_of(ctx), user=user))
    console.print(f"case #{case_id} handed off to {to}")


@escalation_app.command("close")
def escalation_close(ctx: typer.Context, case_id: int, note: Annotated[str, typer.Option("--note")] = "",
                     lift_credit_stop: Annotated[bool, typer.Option("--lift-credit-stop")] = False,
                     user: UserOpt = "") -> None:
    from cobro.collections.service.escalation import close

    run_service(ctx, lambda uow: close(uow, case_id, today=today_of(ctx), note=note, lift_credit_stop=lift_credit_stop,
                                        user=user))
    console.print(f"case #{case_id} closed")


@escalation_app.command("pack")
def escalation_pack(ctx: typer.Context, case_id: int,
                    out: Annotated[Path, typer.Option("--out", help="PDF file to write.")],
                    as_of: AsOfOpt = None, language: Annotated[str, typer.Option("--lang")] = "es") -> None:
    """Write the evidence pack (invoices, every demand, broken promises, disputes, interest) for a case."""
    from cobro.collections.service.evidence import evidence_pack

    day = parse_day(as_of) if as_of else today_of(ctx)
    rates = state(ctx).container().rates
    pack = run_service(ctx, lambda uow: evidence_pack(uow, case_id, as_of=day, rates=rates, language=language),
                       commit=False)
    out.write_bytes(pack.content)
    console.print(f"evidence pack for case {case_id} written to {out}")


@escalation_app.command("credit-stops")
def escalation_credit_stops(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Customers sales must not extend credit to."""
    from cobro.collections.service.escalation import credit_stops

    rows_json = [s.as_json() for s in run_service(ctx, credit_stops, commit=False)]
    print_rows(rows_json, as_json, "Credit stops", ["customer", "since", "reason"])


@terms_app.command("send")
def terms_send(ctx: typer.Context, customer: str,
               channel: Annotated[str, typer.Option("--channel", help="email | letter")] = "email",
               as_of: AsOfOpt = None, user: UserOpt = "") -> None:
    """Queue the terms letter (payment terms, late interest, consequences of late payment) in the outbox."""
    from cobro.collections.service.terms import send_terms_letter

    day = parse_day(as_of) if as_of else today_of(ctx)
    rates = state(ctx).container().rates
    row = run_service(ctx, lambda uow: send_terms_letter(uow, customer, today=day, rates=rates, channel=channel,
                                                          user=user))
    console.print(f"terms letter queued for {customer} ({row.channel} {row.recipient or ''}, status {row.status}); "
                  "`cobro outbox deliver` sends it")


@terms_app.command("acknowledge")
def terms_acknowledge(ctx: typer.Context, customer: str, by: Annotated[str, typer.Option("--by")] = "",
                      channel: Annotated[str, typer.Option("--channel")] = "email",
                      date: Annotated[str | None, typer.Option("--date")] = None, user: UserOpt = "") -> None:
    """Record that the customer acknowledged its payment terms and the consequences of late payment."""
    from cobro.collections.service.tasks import acknowledge_terms

    day = parse_day(date) if date else today_of(ctx)
    row = run_service(ctx, lambda uow: acknowledge_terms(uow, customer, today=day, by=by, channel=channel, user=user))
    console.print(f"terms '{row.terms}' acknowledged by {row.acknowledged_by or customer} on {row.acknowledged_on}")
