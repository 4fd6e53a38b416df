"""`cobro import financials FILE [--currency CUR] [--customer C] [--year Y] [--dry-run] [--json]`: debtors'
financial statements, one row per customer and year, or printed as the PGC prints them (a year per column).

`register(group)` adds it to the `cobro import` group that `cobro.app.cli` composes; the work is
`cobro.solvency.service.financials.import_financials`.
Atomic: any error → nothing written, the problems with file/row/column, exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cobro.kernel.errors import CobroError
from cobro.platform.cli.context import fail
from cobro.platform.cli.reports import DryRunOpt, JsonOpt, finish_import, import_in_uow

CurrencyOpt = Annotated[str | None, typer.Option("--currency", help="Currency of the amounts "
                                                 "(default: a currency column, else the customer's).")]
CustomerOpt = Annotated[str | None, typer.Option("--customer", help="Customer of a statement printed with a year "
                                                 "per column, when the file has no 'NIF'/'Cliente' row.")]
YearOpt = Annotated[int | None, typer.Option("--year", help="Year of the statement date, for year columns "
                                             "headed 'N' / 'N-1' when the file has no 'Fecha de cierre' row.")]


def register(group: typer.Typer) -> None:
    """Add `financials` to the `cobro import` group."""
    group.command("financials")(import_financials_cmd)


def import_financials_cmd(ctx: typer.Context, file: Path, currency: CurrencyOpt = None, dry_run: DryRunOpt = False,
                          as_json: JsonOpt = False, customer: CustomerOpt = None, year: YearOpt = None) -> None:
    """Debtors' financial statements (balance sheet + P&L, one row per customer and year) for solvency and risk."""
    from cobro.solvency.service.financials import import_financials

    if not file.exists():
        raise fail(f"file not found: {file}")
    cur = currency.upper() if currency else None
    try:
        report = import_in_uow(ctx, lambda uow: import_financials(uow, file, cur, customer=customer,
                                                                  statement_year=year), dry_run=dry_run)
    except CobroError as exc:
        raise fail(str(exc)) from exc
    finish_import(report, as_json)
