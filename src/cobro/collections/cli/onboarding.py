"""`cobro import actions FILE`: another system's dunning history (registered into the `cobro import` group)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cobro.collections.cli.common import JsonOpt, print_problems, today_of
from cobro.kernel.errors import CobroError
from cobro.platform.cli.context import console, fail, print_json, state


def register(group: typer.Typer) -> None:
    group.command("actions")(import_actions)


def import_actions(ctx: typer.Context,
                   file: Annotated[Path, typer.Argument(help="CSV: date, customer, channel, step, reference "
                                                             "[, currency]")],
                   as_json: JsonOpt = False) -> None:
    """Load the notices another system sent, so the sequence continues where it stopped (atomic, idempotent)."""
    from cobro.collections.service.onboarding import import_actions as load_actions  # heavy: not for --help

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"{file}: cannot read it as UTF-8 text ({exc.__class__.__name__})") from exc
    today = today_of(ctx)
    try:
        with state(ctx).container().uow() as uow:
            with uow.conflicts_as(f"{file.name}: a step in the file is already done in that customer's open "
                                  "episode; nothing was written"):
                report = load_actions(uow, name=file.name, text=text, today=today)
            if report.ok:
                uow.commit()
            else:
                uow.rollback()
    except CobroError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(report.as_json())
    else:
        print_problems(report.problems)
        console.print(f"{report.file}: {report.rows} row(s), {report.imported} imported, {report.already} already "
                      "imported" + ("" if report.ok else "; nothing written"))
    if not report.ok:
        raise typer.Exit(2)
