"""What the collections commands share: one unit of work per command, the as-of day, tables and --json.

The commands live in `collections_policy` (policy, exceptions), `collections_suspensions` (holds, disputes,
promises, payment plans) and `collections_work` (the cycle, tasks, escalation, terms letters).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.table import Table

from cobro.kernel.errors import CobroError, InvalidInputError, Problem
from cobro.platform.cli.context import console, fail, print_json, state

if TYPE_CHECKING:  # type names only: `cobro --help` stays free of heavy imports
    from cobro.platform.uow import UnitOfWork

T = TypeVar("T")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
UserOpt = Annotated[str, typer.Option("--user", help="Who does this (recorded; four eyes for exceptions).")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD).")]


def run_service(ctx: typer.Context, fn: Callable[[UnitOfWork], T], *, commit: bool = True) -> T:
    """Call a service with one unit of work (the settings' tenant), then commit (or roll back); CobroError → exit 2
    with the message."""
    container = state(ctx).container()
    try:
        with container.uow() as uow:
            out = fn(uow)
            if commit:
                uow.commit()
            else:
                uow.rollback()
            return out
    except InvalidInputError as exc:
        for p in exc.problems:
            console.print(f"  {p}")
        raise fail(str(exc)) from exc
    except CobroError as exc:
        raise fail(str(exc)) from exc


def today_of(ctx: typer.Context) -> dt.date:
    return state(ctx).container().clock.today()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def print_table(title: str, rows: list[dict[str, Any]], cols: list[str]) -> None:
    table = Table(title=title)
    for col in cols:
        table.add_column(col)
    for r in rows:
        table.add_row(*(_cell(r.get(c)) for c in cols))
    console.print(table)


def print_rows(rows: list[dict[str, Any]], as_json: bool, title: str, cols: list[str]) -> None:
    if as_json:
        print_json(rows)
    else:
        print_table(title, rows, cols)


def print_problems(problems: Iterable[Problem]) -> None:
    """One line per problem of a file a command loaded; values from the file are printed as typed, never as
    console markup."""
    for p in problems:
        console.print(f"error: {p.file} row {p.row}, column {p.column}: {p.message}", markup=False, highlight=False)
