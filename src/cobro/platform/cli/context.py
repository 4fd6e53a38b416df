"""Shared CLI plumbing: the container built from --db/--tenant, JSON output, error exits."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from cobro.kernel.dates import parse_day as parse_iso_day
from cobro.platform.actor import Actor, ActorKind

if TYPE_CHECKING:  # imported where used: `cobro --help` must not load SQLAlchemy or pydantic
    from cobro.platform.container import Container
    from cobro.platform.settings import Settings

console = Console()
err_console = Console(stderr=True)

EXIT_INVALID = 2


class State:
    """What the root options chose, and the container built from them on first use.

    A test hands in a ready container (`CliRunner().invoke(app, args, obj=State(container))`), e.g. one built with
    `build(settings, clock=FixedClock(...))` so that "today" is a fixed date."""

    def __init__(self, container: Container | None = None) -> None:
        self.db: str | None = None
        self.tenant: str | None = None
        self.user: str | None = None  # the global --user: who acts (recorded; the local CLI acts as an admin)
        self._container = container

    @property
    def settings(self) -> Settings:
        from cobro.platform.settings import load_settings

        return load_settings(database_url=self.db, tenant=self.tenant)

    def container(self) -> Container:
        from cobro.platform.container import build

        if self._container is None:
            settings = self.settings
            _start_logging(settings)
            self._container = build(settings)
        if self._container.actor is None:
            name = self.user or _os_user()
            self._container.actor = Actor(ActorKind.CLI, name, name, "admin")
        return self._container

    def today(self) -> dt.date:
        """Today by the container's clock (entrypoints never read the wall clock themselves)."""
        return self.container().clock.today()


def _start_logging(settings: Settings) -> None:
    """Structured logs for a command when the environment asks for them (COBRO_LOG_FORMAT or COBRO_LOG_LEVEL, as
    the service units' environment file does: the worker is a command), with its tenant on each line; otherwise
    Python's default (warnings as plain lines on stderr), so a command's output stays what it was."""
    if not {"log_format", "log_level"} & settings.model_fields_set:
        return
    from cobro.platform.logs import bind, configure_logging

    configure_logging(settings.log_format, settings.log_level)
    bind(tenant=settings.tenant)


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "cli"


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def parse_day(value: str | None, default: dt.date | None = None) -> dt.date:
    """`value` (YYYY-MM-DD) as a date; without one, `default` (there is no implicit today: see `day_or_today`)."""
    if value is None:
        if default is None:
            raise typer.BadParameter("a date (YYYY-MM-DD) is required")
        return default
    try:
        return parse_iso_day(value)  # exactly YYYY-MM-DD, 1990-01-01..2100-12-31 (kernel/dates.py)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def day_or_today(ctx: typer.Context, value: str | None) -> dt.date:
    """The date given on the command line, else today by the container's clock."""
    return parse_day(value) if value is not None else state(ctx).today()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def fail(message: str, code: int = EXIT_INVALID) -> typer.Exit:
    from rich.text import Text

    # soft_wrap: an error names a file or a value; hard line breaks would cut it where the terminal is narrow
    err_console.print(Text.assemble(("error: ", "bold red"), message), highlight=False, soft_wrap=True)
    return typer.Exit(code)
