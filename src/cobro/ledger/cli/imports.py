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
from cobro.platform.cli.context import EXIT_INVALID, console, err_console, fail, print_json, state
from cobro.platform.cli.reports import DryRunOpt, JsonOpt, finish_import, import_in_uow

if TYPE_CHECKING:  # type names only: `cobro --help` stays free of heavy imports
    from cobro.platform.uow import UnitOfWork

if TYPE_CHECKING:
    from cobro.ledger.service.imports import ImportReport

MappingOpt = Annotated[Path | None, typer.Option("--mapping", help="YAML column mapping.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="A column that feeds no field is an error (exit 2).")]
SuggestOpt = Annotated[Path | None, typer.Option(
    "--suggest-mapping", help="Write the mapping inferred from the file's headers (with the reason for each column) "
                              "to this YAML file and import nothing; pass it back with --mapping.")]


def register(group: typer.Typer) -> None:
    """Add the ledger's imports to the `cobro import` group, in this order."""
    group.command("customers")(import_customers)
    group.command("contacts")(import_contacts)
    group.command("invoices")(import_invoices)
    group.command("payments")(import_payments)


def _suggest(ctx: typer.Context, kind: str, file: Path, mapping: Path | None, target: Path) -> None:
    from cobro.ledger.service.imports import inspect_file

    try:
        with state(ctx).container().uow() as uow:
            text = inspect_file(uow, kind, file, mapping)
    except CobroError as exc:
        raise fail(str(exc)) from exc
    target.write_text(text, encoding="utf-8")
    console.print(f"wrote the inferred {kind} mapping for {file.name} to {target}", highlight=False)


def _print_details(report: ImportReport) -> None:
    """What the text report adds to the counts: how the file was read and, in a dry run, each field change."""
    from cobro.ledger.service.imports import MAX_CHANGES

    fmt = report.format
    if fmt:
        err_console.print(f"read {report.file}: encoding {fmt.get('encoding')}, delimiter {fmt.get('delimiter')!r}, "
                          f"decimal {fmt.get('decimal')!r}, thousands {fmt.get('thousands')}", highlight=False)
    if report.dry_run and not report.errors:
        for c in report.changes[:MAX_CHANGES]:
            console.print(f"row {c.row} {c.key}: {c.field}: {c.old!r} -> {c.new!r}", highlight=False)


def _run(ctx: typer.Context, kind: str, file: Path, mapping: Path | None, dry_run: bool, as_json: bool,
         strict: bool = False, suggest: Path | None = None) -> None:
    from cobro.ledger.service import imports

    if suggest is not None:
        _suggest(ctx, kind, file, mapping, suggest)
        return

    runner = {"customers": imports.import_customers, "contacts": imports.import_contacts,
              "invoices": imports.import_invoices, "payments": imports.import_payments}[kind]
    show_progress = not as_json and file.exists() and file.stat().st_size > 2_000_000

    def run(uow: UnitOfWork) -> ImportReport:
        if kind == "invoices" and show_progress:
            with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                          TransferSpeedColumn(), TimeRemainingColumn(), console=err_console) as bar:
                task = bar.add_task(f"importing {file.name}", total=file.stat().st_size)
                return imports.import_invoices(
                    uow, file, mapping, strict=strict,
                    progress=lambda done, total: bar.update(task, completed=done, total=total))
        return runner(uow, file, mapping, strict=strict)

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
    if not as_json:
        _print_details(report)
    finish_import(report, as_json)


def import_customers(ctx: typer.Context, file: Path, mapping: MappingOpt = None, dry_run: DryRunOpt = False,
                     strict: StrictOpt = False, suggest_mapping: SuggestOpt = None,
                     as_json: JsonOpt = False) -> None:
    """Customers: code, legal name, country, tax id, segment, owner, collector, credit limit, terms."""
    _run(ctx, "customers", file, mapping, dry_run, as_json, strict, suggest_mapping)


def import_contacts(ctx: typer.Context, file: Path, mapping: MappingOpt = None, dry_run: DryRunOpt = False,
                    strict: StrictOpt = False, suggest_mapping: SuggestOpt = None,
                    as_json: JsonOpt = False) -> None:
    """Contacts per customer with role (administration, finance, management, other)."""
    _run(ctx, "contacts", file, mapping, dry_run, as_json, strict, suggest_mapping)


def import_invoices(ctx: typer.Context, file: Path, mapping: MappingOpt = None, dry_run: DryRunOpt = False,
                    strict: StrictOpt = False, suggest_mapping: SuggestOpt = None,
                    as_json: JsonOpt = False) -> None:
    """Invoices and credit notes (one row per invoice, or per instalment with an instalment column)."""
    _run(ctx, "invoices", file, mapping, dry_run, as_json, strict, suggest_mapping)


def import_payments(ctx: typer.Context, file: Path, mapping: MappingOpt = None, dry_run: DryRunOpt = False,
                    strict: StrictOpt = False, suggest_mapping: SuggestOpt = None,
                    as_json: JsonOpt = False) -> None:
    """Payments received; allocated to the named invoices, else oldest first; surplus kept as credit."""
    _run(ctx, "payments", file, mapping, dry_run, as_json, strict, suggest_mapping)
