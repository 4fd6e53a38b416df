"""How every `cobro import ...` command reports: the counts, or the table of problems (file, row, column) and exit 2.

The ledger, cash application and solvency imports all return an import report of this shape; printing lives here
so that no feature's CLI imports another's to print it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Protocol, TypeVar

import typer
from rich.table import Table

from cobro.kernel.errors import Problem
from cobro.platform.cli.context import EXIT_INVALID, console, err_console, print_json, state

if TYPE_CHECKING:  # type names only: `cobro --help` stays free of heavy imports
    from cobro.platform.uow import UnitOfWork

MAX_WARNINGS = 50

# the options every `cobro import` command shares, worded once
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Validate and count, write nothing.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


class ImportReport(Protocol):
    """What an import use case returns (e.g. `cobro.ledger.service.imports.ImportReport`)."""

    kind: str
    file: str
    created: int
    updated: int
    unchanged: int
    errors: list[Problem]
    warnings: list[Problem]
    extra: dict[str, int]
    dry_run: bool

    def as_dict(self) -> dict[str, object]: ...


R = TypeVar("R", bound=ImportReport)


def import_in_uow(ctx: typer.Context, run: Callable[[UnitOfWork], R], *, dry_run: bool) -> R:
    """Run one import in one unit of work: committed only when it found no errors and is not a dry run (imports
    are atomic).  Errors raised by `run` (`CobroError`) are the caller's to report."""
    with state(ctx).container().uow() as uow, uow.conflicts_as(
            "another import is writing the same records (this file, or one that overlaps it, is being imported "
            "or was just imported); nothing was written by this run: run it again to see what is left"):
        report = run(uow)
        report.dry_run = dry_run
        if report.errors or dry_run:
            uow.rollback()
        else:
            uow.commit()
        tenant = uow.tenant.code
    from cobro.platform.metrics import record_import  # prometheus-client only once an import ran

    record_import(tenant=tenant, kind=report.kind, rows=report.created + report.updated + report.unchanged,
                  errors=len(report.errors), dry_run=dry_run)
    return report


def print_import_report(report: ImportReport) -> None:
    """The problems as a table on stderr (nothing was imported), else one line of counts and the warnings."""
    if report.errors:
        table = Table(title=f"{len(report.errors)} problem(s) in {report.file}: nothing was imported",
                      title_style="bold red")
        for col in ("file", "row", "column", "message"):
            table.add_column(col)
        for p in report.errors:
            table.add_row(p.file, "" if p.row is None else str(p.row), p.column, p.message)
        err_console.print(table)
        return
    verb = "would import" if report.dry_run else "imported"
    console.print(f"{verb} {report.kind} from {report.file}: {report.created} created, {report.updated} updated, "
                  f"{report.unchanged} unchanged" + "".join(f", {v} {k.replace('_', ' ')}" for k, v in report.extra.items()))
    for w in report.warnings[:MAX_WARNINGS]:
        err_console.print(f"warning: {w}", highlight=False)


def finish_import(report: ImportReport, as_json: bool) -> None:
    """Print the report (JSON or text); a report with errors ends the command with exit 2."""
    if as_json:
        print_json(report.as_dict())
    else:
        print_import_report(report)
    if report.errors:
        raise typer.Exit(EXIT_INVALID)
