"""`cobro worker` (run every job on its schedule) and `cobro jobs list|run|status` (docs/jobs.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from cobro.platform.cli.context import console, fail, parse_day, print_json, state

if TYPE_CHECKING:
    from cobro.jobs.registry import Registry
    from cobro.platform.settings import Settings

app = typer.Typer(help="Scheduled jobs: what runs when, run one now, recent runs and workers.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
_build: list[Callable[[Settings], Registry]] = []


def _registry(ctx: typer.Context) -> Registry:
    if not _build:
        raise fail("no jobs are registered")
    try:
        return _build[0](state(ctx).container().settings)
    except ValueError as exc:  # a setting such as COBRO_JOBS_CYCLE_AT that does not parse
        raise fail(f"jobs settings: {exc}") from exc


def register(root: typer.Typer, *, registry: Callable[[Settings], Registry]) -> None:
    _build[:] = [registry]
    root.add_typer(app, name="jobs")
    root.command("worker")(worker)


def worker(ctx: typer.Context,
           concurrency: Annotated[int, typer.Option(min=1, help="Jobs run at the same time (PostgreSQL).")] = 1,
           interval: Annotated[float, typer.Option(min=0.1, help="Seconds between passes.")] = 5.0,
           once: Annotated[bool, typer.Option("--once", help="Run what is due now, then exit.")] = False,
           engine: Annotated[str, typer.Option(help="auto (procrastinate on PostgreSQL, inline on SQLite), "
                                                    "procrastinate or inline.")] = "auto") -> None:
    """Run every job on its schedule until stopped (SIGTERM/Ctrl-C): the daily cycle, delivery, webhooks,
    the statement inbox, retraining."""
    container = state(ctx).container()
    registry = _registry(ctx)
    postgres = container.engine.dialect.name == "postgresql"
    if engine not in ("auto", "procrastinate", "inline"):
        raise fail(f"--engine must be auto, procrastinate or inline, got {engine!r}")
    if engine == "procrastinate" and not postgres:
        raise fail("--engine procrastinate needs PostgreSQL (COBRO_DATABASE_URL=postgresql://...)")
    if engine == "procrastinate" or (engine == "auto" and postgres):
        from cobro.jobs.engine import run_procrastinate

        run_procrastinate(container, registry, concurrency=concurrency, once=once, tick_seconds=round(interval))
        return
    from cobro.jobs.runner import Outcome
    from cobro.jobs.worker import run_inline

    def show(outcome: Outcome) -> None:
        if outcome.status != "skipped" and (outcome.slot is not None or outcome.failed or not once):
            who = f" {outcome.tenant}" if outcome.tenant else ""
            console.print(f"{outcome.job}{who}: {outcome.status} {outcome.detail}", highlight=False)

    if concurrency > 1:
        console.print("note: SQLite runs one job at a time (one writer); --concurrency applies to PostgreSQL")
    run_inline(container, registry, interval=interval, once=once, on_outcome=show)


@app.command("list")
def list_jobs(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Each job, its schedule, and per tenant its last and next run."""
    from rich.table import Table

    from cobro.jobs import service

    container = state(ctx).container()
    registry = _registry(ctx)
    with container.uow() as uow:
        lines = service.listing(uow, registry, now=container.clock.now())
    if as_json:
        print_json([line.as_json() for line in lines])
        return
    table = Table("job", "tenant", "schedule", "last run", "status", "next run (UTC)")
    for line in lines:
        last = line.last
        table.add_row(line.job, line.tenant or "(all)", line.schedule,
                      f"{last.scheduled_for:%Y-%m-%d %H:%M}" if last else "-", last.status.value if last else "-",
                      f"{line.next_at:%Y-%m-%d %H:%M}" if line.next_at else "continuous")
    console.print(table)


@app.command("run")
def run_job(ctx: typer.Context, name: Annotated[str, typer.Argument(metavar="NAME")],
            tenant: Annotated[str | None, typer.Option("--tenant", help="Tenant code (default: the root --tenant).")] = None,
            as_of: Annotated[str | None, typer.Option("--as-of", help="The day (YYYY-MM-DD) to run it for.")] = None,
            as_json: JsonOpt = False) -> None:
    """Run one job now.  A scheduled job runs as that day's slot (once: a slot that already ran is skipped)."""
    from cobro.jobs import domain, service
    from cobro.jobs.domain import Scope
    from cobro.jobs.runner import Outcome, execute, run_continuous, worker_name

    container = state(ctx).container()
    job = _registry(ctx).get(name)
    code = "" if job.scope is Scope.GLOBAL else (tenant or container.settings.tenant)
    with container.uow() as uow:
        places = service.places(uow)
    if code and code not in places:
        raise fail(f"unknown tenant {code!r} (run `cobro tenant list`)")
    place = places.get(code) or domain.Place.of("", "")
    now = container.clock.now()
    day = parse_day(as_of) if as_of else now.astimezone(place.tz).date()
    outcome: Outcome
    if job.scheduled:
        slot = domain.local_instant(day, job.schedule.at, place.tz)
        outcome = execute(container, job, code, slot, as_of=day, worker=worker_name("cli:"))
    else:
        outcome = run_continuous(container, job, code)
    if as_json:
        print_json({"job": outcome.job, "tenant": outcome.tenant, "status": outcome.status,
                    "slot": outcome.slot.isoformat() if outcome.slot else None, "detail": outcome.detail})
    else:
        console.print(f"{outcome.job}{' ' + code if code else ''}: {outcome.status} {outcome.detail}", highlight=False)
    if outcome.failed:
        raise typer.Exit(1)


@app.command("status")
def status(ctx: typer.Context, limit: Annotated[int, typer.Option(min=1, help="Recent runs shown.")] = 20,
           as_json: JsonOpt = False) -> None:
    """Recent runs, failures, and each worker's heartbeat age."""
    from rich.table import Table

    from cobro.jobs import service

    container = state(ctx).container()
    with container.uow() as uow:
        report = service.status(uow, now=container.clock.now(), limit=limit)
    if as_json:
        print_json(report.as_json())
        return
    runs = Table("job", "tenant", "slot (UTC)", "status", "tries", "worker", "summary / error", title="recent runs")
    for r in report.runs:
        runs.add_row(r.job, r.tenant or "(all)", f"{r.scheduled_for:%Y-%m-%d %H:%M}", r.status.value,
                     str(r.attempts), r.worker[:30], (r.error or r.summary)[:70])
    console.print(runs if report.runs else "no scheduled job has run yet")
    if report.failures:
        console.print(f"[red]{len(report.failures)} failed run(s)[/]; the newest: {report.failures[0].job} "
                      f"{report.failures[0].tenant}: {report.failures[0].error[:120]}", highlight=False)
    if not report.heartbeats:
        console.print("no worker has ever run (start `cobro worker`)")
    for h in report.heartbeats:
        console.print(f"worker {h.worker} ({h.engine}): last beat {h.age(report.now):.0f}s ago, {h.passes} beats"
                      + (f", last error: {h.last_error[:100]}" if h.last_error else ""), highlight=False)
