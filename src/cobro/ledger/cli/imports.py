"""`cobro import customers|contacts|invoices|payments FILE [--mapping M] [--dry-run] [--json]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from cobro.kernel.errors import CobroError, InvalidInputError
from cobro.platform.cli.context import EXIT_INVALID, console, err_console, fail, print_json, state

app = typer.Typer(help="Import customers, contacts, invoices and payments from CSV or XLSX.", no_args_is_help=True)

MappingOpt = Annotated[Path | None, typer.Option("--mapping", help="YAML column mapping.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Validate and count, write nothing.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def _run(ctx: typer.Context, kind: str, file: Path, mapping: Path | None, dry_run: bool, as_json: bool) -> None:
    from cobro.ledger.repository import parties
    from cobro.ledger.service import imports

    container = state(ctx).container()
    runner = {"customers": imports.import_customers, "contacts": imports.import_contacts,
              "invoices": imports.import_invoices, "payments": imports.import_payments}[kind]
    show_progress = not as_json and file.exists() and file.stat().st_size > 2_000_000
    try:
        with container.uow() as uow:
            tenant = parties.tenant_id(uow.session, container.settings.tenant)
            if kind == "invoices" and show_progress:
                with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                              TransferSpeedColumn(), TimeRemainingColumn(), console=err_console) as bar:
                    task = bar.add_task(f"importing {file.name}", total=file.stat().st_size)
                    report = runner(uow.session, tenant, file, mapping,  # type: ignore[call-arg]
                                    progress=lambda done, total: bar.update(task, completed=done, total=total))
            else:
                report = runner(uow.session, tenant, file, mapping)
            report.dry_run = dry_run
            if report.errors or dry_run:
                uow.rollback()
            else:
                uow.commit()
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
    if as_json:
        print_json(report.as_dict())
    else:
        _print_report(report)
    if report.errors:
        raise typer.Exit(EXIT_INVALID)


def _print_report(report: object) -> None:
    from cobro.ledger.service.imports import ImportReport

    assert isinstance(report, ImportReport)
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
    for w in report.warnings[:50]:
        err_console.print(f"warning: {w}", highlight=False)


@app.command("customers")
def import_customers(ctx: typer.Context, file: Path, mapping: MappingOpt = None, dry_run: DryRunOpt = False,
                     as_json: JsonOpt = False) -> None:
    """Customers: code, legal name, country, tax id, segment, owner, collector, credit limit, terms."""
    _run(ctx, "customers", file, mapping, dry_run, as_json)


@app.command("contacts")
def import_contacts(ctx: typer.Context, file: Path, mapping: MappingOpt = None, dry_run: DryRunOpt = False,
                    as_json: JsonOpt = False) -> None:
    """Contacts per customer with role (administration, finance, management, other)."""
    _run(ctx, "contacts", file, mapping, dry_run, as_json)


@app.command("invoices")
def import_invoices(ctx: typer.Context, file: Path, mapping: MappingOpt = None, dry_run: DryRunOpt = False,
                    as_json: JsonOpt = False) -> None:
    """Invoices and credit notes (one row per invoice, or per instalment with an instalment column)."""
    _run(ctx, "invoices", file, mapping, dry_run, as_json)


@app.command("payments")
def import_payments(ctx: typer.Context, file: Path, mapping: MappingOpt = None, dry_run: DryRunOpt = False,
                    as_json: JsonOpt = False) -> None:
    """Payments received; allocated to the named invoices, else oldest first; surplus kept as credit."""
    _run(ctx, "payments", file, mapping, dry_run, as_json)


@app.command("statement")
def import_statement(ctx: typer.Context, file: Path,
                     account: Annotated[str | None, typer.Option("--account", help="Our IBAN this file is for.")] = None,
                     dry_run: DryRunOpt = False, as_json: JsonOpt = False) -> None:
    """Bank statement (Norma 43, camt.052/053/054, MT940/942, pain.002): apply credits, reverse returns."""
    from cobro.cashapp.cli.cashapp import run_statement_import

    run_statement_import(ctx, file, account, dry_run, as_json)


@app.command("einvoice")
def import_einvoice(ctx: typer.Context, files: list[Path], dry_run: DryRunOpt = False,
                    as_json: JsonOpt = False) -> None:
    """E-invoices (Facturae, UBL/Peppol, CFDI with Pagos, Chile DTE): customers, invoices, credit notes, payments."""
    from cobro.cashapp.cli.cashapp import run_einvoice_import

    run_einvoice_import(ctx, files, dry_run, as_json)


@app.command("financials")
def import_financials(ctx: typer.Context, file: Path,
                      currency: Annotated[str | None, typer.Option("--currency", help="Currency of the amounts "
                                                                   "(default: a currency column, else the customer's).")] = None,
                      dry_run: DryRunOpt = False, as_json: JsonOpt = False) -> None:
    """Debtors' financial statements (balance sheet + P&L, one row per customer and year) for solvency and risk."""
    from cobro.solvency.cli.financials import run_financials_import

    run_financials_import(ctx, file, currency, dry_run, as_json)
