"""`cobro report collectors` (registered into the `report` group by `app/cli.py`) and `cobro collector target
set|list`: what each collector recovered, promised and called in a month, their portfolio, and their target."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cobro.collections.cli.common import AsOfOpt, JsonOpt, UserOpt, print_rows, run_service, today_of
from cobro.collections.domain.performance import DEFAULT_WINDOW_DAYS
from cobro.platform.cli.context import console, parse_day, print_json

collector_app = typer.Typer(help="Collectors: monthly recovery targets.", no_args_is_help=True)
target_app = typer.Typer(help="Targets per collector, month and currency.", no_args_is_help=True)
collector_app.add_typer(target_app, name="target")

PeriodOpt = Annotated[str | None, typer.Option("--period", help="Month, YYYY-MM (default: the as-of month).")]


def register(root: typer.Typer) -> None:
    root.add_typer(collector_app, name="collector")


def register_reports(group: typer.Typer) -> None:
    group.command("collectors")(report_collectors)


def report_collectors(ctx: typer.Context, period: PeriodOpt = None, as_of: AsOfOpt = None,
                      window_days: Annotated[int, typer.Option(
                          "--window-days", help="A receipt counts for the latest contact this many days before "
                                                "it.")] = DEFAULT_WINDOW_DAYS,
                      as_json: JsonOpt = False,
                      xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Also write an XLSX file.")] = None
                      ) -> None:
    """Per collector and currency: recovered after their contacts, target and progress, promises made / kept /
    broken and the kept rate, calls and outcomes, the portfolio's open and overdue amounts and DSO."""
    from cobro.collections.service.performance import collector_report

    day = parse_day(as_of) if as_of else today_of(ctx)
    month = period or f"{day:%Y-%m}"
    report = run_service(ctx, lambda uow: collector_report(uow, period=month, as_of=day, window_days=window_days),
                         commit=False)
    if xlsx is not None:
        _write_xlsx(report_rows=[line.cells() for line in report.lines], out=xlsx, title=report.period)
    if as_json:
        print_json(report.as_json())
        return
    rows = [line.as_json() for line in report.lines]
    for row in rows:  # the table keeps to a terminal's width; --json and --xlsx carry every column
        row["target %"] = row["progress_pct"]
        row["promises m/k/b"] = f"{row['promises_made']}/{row['promises_kept']}/{row['promises_broken']}"
        row["kept %"] = row["kept_rate_pct"]
        row["calls"] = row["calls"] + row["meetings"]
        row["overdue"], row["dso"] = row["portfolio_overdue"], row["dso_days"]
    print_rows(rows, False, f"Collectors, {report.start.isoformat()} to {report.end.isoformat()} (attribution "
                            f"window {report.window_days} days)",
               ["collector", "currency", "recovered", "target", "target %", "promises m/k/b", "kept %", "calls",
                "overdue", "dso"])
    for cur, minor in report.as_json()["unattributed"].items():
        console.print(f"unattributed (no contact in the window): {minor} {cur}", markup=False, highlight=False)
    if xlsx is not None:
        console.print(f"written to {xlsx}", markup=False, highlight=False)


def _write_xlsx(*, report_rows: list[list[object]], out: Path, title: str) -> None:
    from openpyxl import Workbook

    from cobro.collections.schemas.performance import LINE_COLUMNS
    from cobro.kernel.cells import neutralise_workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"collectors {title}"
    sheet.append(list(LINE_COLUMNS))
    for row in report_rows:
        sheet.append(row)
    neutralise_workbook(book)  # a collector's name is text typed by people: never a formula
    book.save(out)


@target_app.command("set")
def target_set(ctx: typer.Context, collector: Annotated[str, typer.Argument(help="The collector's name.")],
               period: Annotated[str, typer.Option("--period", help="Month, YYYY-MM.")],
               amount: Annotated[str, typer.Option("--amount", help="What to recover in the month.")],
               currency: Annotated[str, typer.Option("--currency")] = "EUR", user: UserOpt = "") -> None:
    """Set (or replace) a collector's target for a month."""
    from cobro.collections.service.performance import set_target

    target = run_service(ctx, lambda uow: set_target(uow, collector=collector, period=period, amount=amount,
                                                     currency=currency, user=user))
    console.print(f"target for {target.collector} in {target.period}: {target.as_json()['amount']} "
                  f"{target.currency}", markup=False, highlight=False)


@target_app.command("list")
def target_list(ctx: typer.Context, period: PeriodOpt = None, as_json: JsonOpt = False) -> None:
    from cobro.collections.service.performance import targets

    month = period or f"{today_of(ctx):%Y-%m}"
    rows = [t.as_json() for t in run_service(ctx, lambda uow: targets(uow, period=month), commit=False)]
    if as_json:
        print_json(rows)
    else:
        print_rows(rows, False, f"Targets, {month}", ["collector", "currency", "amount"])
