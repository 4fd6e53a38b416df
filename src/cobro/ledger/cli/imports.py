"""`cobro import customers|contacts|invoices|payments FILE [--mapping M] [--dry-run] [--json]`.

`register(group)` adds these four to the `cobro import` group that `cobro.app.cli` composes (cash application and
solvency add theirs); the report is printed by `cobro.platform.cli.reports`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

from cobro.kernel.errors import CobroError, InvalidInputError
from cobro.platform.cli.context import EXIT_INVALID, err_console, fail, print_json
from cobro.platform.cli.reports import DryRunOpt, JsonOpt, finish_import, import_in_uow

if TYPE_CHECKING:  # type names only: `cobro --help` stays free of heavy imports
    from cobro.platform.uow import UnitOfWork

MappingOpt = Annotated[Path | None, typer.Option("--mapping", help="YAML column mapping.")]


def register(group: typer.Typer) -> None:
    """Add the ledger's imports to the `cobro import` group, in this order."""
    group.command("customers")(import_customers)
    group.command("contacts")(import_contacts)
    group.command("invoices")(import_invoices)
    group.command("payments")(import_payments)


def _run(ctx: typer.Context, kind: str, file: Path, mapping: Path | None, dry_run: bool, as_json: bool) -> None:
    from cobro.ledger.service import imports
    from cobro.ledger.service.imports import ImportReport

    runner = {"customers": imports.import_customers, "contacts": imports.import_contacts,
              "invoices": imports.import_invoices, "payments": imports.import_payments}[kind]
    show_progress = not as_json and file.exists() and file.stat().st_size > 2_000_000

    def run(uow: UnitOfWork) -> ImportReport:
        if kind == "invoices" and show_progress:
            with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                          TransferSpeedColumn(), TimeRemainingColumn(), console=err_console) as bar:
                task = bar.add_task(f"importing {file.name}", total=file.stat().st_size)
                return runner(uow, file, mapping,  # type: ignore[call-arg]
                              progress=lambda done, total: bar.update(task, completed=done, total=total))
        return runner(uow, file, mapping)

    try:
        report = import_in_uow(ctx, run, dry_run=dry_run)
    except InvalidInputError as exc:
        if as_json:
            problems = exc.problems or []
            print_json({"created": 0, "updated": 0, "unchanged": 0,
                        "errors": [{"file": p.file or file.name, "row": p.row, "column": p.column,
                                    "message": p.message} for p in problems]
                        or [{"file": file.name, "row": None, "column": "", "message": str(exc)}]})
            raise typer.Exit(EXIT_INVALID) from exc
        raise fail(str(exc)) from exc
    except CobroError as exc:
        raise fail(str(exc)) from exc
    finish_import(report, as_json)


def import_customers(ctx: typer.Context, file: Path, mapping: MappingOpt = None, dry_run: DryRunOpt = False,
                     as_json: JsonOpt = False) -> None:
    """Customers: code, legal name, country, tax id, segment, owner, collector, credit limit, terms."""
    _run(ctx, "customers", file, mapping, dry_run, as_json)


def import_contacts(ctx: typer.Context, file: Path, mapping: MappingOpt = None, dry_run: DryRunOpt = False,
                    as_json: JsonOpt = False) -> None:
    """Contacts per customer with role (administration, finance, management, other)."""
    _run(ctx, "contacts", file, mapping, dry_run, as_json)


def import_invoices(ctx: typer.Context, file: Path, mapping: MappingOpt = None, dry_run: DryRunOpt = False,
                    as_json: JsonOpt = False) -> None:
    """Invoices and credit notes (one row per invoice, or per instalment with an instalment column)."""
    _run(ctx, "invoices", file, mapping, dry_run, as_json)


def import_payments(ctx: typer.Context, file: Path, mapping: MappingOpt = None, dry_run: DryRunOpt = False,
                    as_json: JsonOpt = False) -> None:
    """Payments received; allocated to the named invoices, else oldest first; surplus kept as credit."""
    _run(ctx, "payments", file, mapping, dry_run, as_json)
