"""Shared CLI plumbing: the container built from --db/--tenant, JSON output, error exits."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

import typer
from rich.console import Console

from cobro.platform.container import Container, build
from cobro.platform.settings import Settings, load_settings

console = Console()
err_console = Console(stderr=True)

EXIT_INVALID = 2


class State:
    def __init__(self) -> None:
        self.db: str | None = None
        self.tenant: str | None = None
        self._container: Container | None = None

    @property
    def settings(self) -> Settings:
        return load_settings(database_url=self.db, tenant=self.tenant)

    def container(self) -> Container:
        if self._container is None:
            self._container = build(self.settings)
        return self._container


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def parse_day(value: str | None, ctx_default: dt.date | None = None) -> dt.date:
    if value is None:
        return ctx_default or dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def fail(message: str, code: int = EXIT_INVALID) -> typer.Exit:
    from rich.text import Text

    err_console.print(Text.assemble(("error: ", "bold red"), message), highlight=False)
    return typer.Exit(code)
