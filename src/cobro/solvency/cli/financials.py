"""`cobro import financials FILE [--currency CUR] [--dry-run] [--json]`: debtors' financial statements.

Registered on `cobro import` (see `imports.py`); the work is `cobro.solvency.service.financials.import_financials`.
Atomic: any error → nothing written, the problems with file/row/column, exit code 2.
"""

from __future__ import annotations

from pathlib import Path

import typer

from cobro.kernel.errors import CobroError
from cobro.platform.cli.context import EXIT_INVALID, fail, print_json, state


def run_financials_import(ctx: typer.Context, file: Path, currency: str | None, dry_run: bool,
                          as_json: bool) -> None:
    from cobro.ledger.cli.imports import _print_report
    from cobro.ledger.repository import parties
    from cobro.solvency.service.financials import import_financials

    if not file.exists():
        raise fail(f"file not found: {file}")
    container = state(ctx).container()
    try:
        with container.uow() as uow:
            tenant = parties.tenant_id(uow.session, container.settings.tenant)
            report = import_financials(uow.session, tenant, file, currency.upper() if currency else None)
            report.dry_run = dry_run
            if report.errors or dry_run:
                uow.rollback()
            else:
                uow.commit()
    except CobroError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(report.as_dict())
    else:
        _print_report(report)
    if report.errors:
        raise typer.Exit(EXIT_INVALID)
