"""Structured logs (structlog): one line per event, JSON for a log collector or plain for a console.

`configure_logging` runs once at an entrypoint's start (`cobro serve`; a command when COBRO_LOG_FORMAT or
COBRO_LOG_LEVEL is set, platform/cli/context.py) and routes the standard library's loggers (cobro's own
`logging.getLogger("cobro...")`, uvicorn, alembic) through the same renderer, so every line carries the same
fields: `timestamp` (UTC), `level`, `logger`, `event`, a record's `extra` values, and whatever the context bound:
`request_id` (platform/http/observe.py), `tenant`, `job` (`bind(job=...)` in the worker).
`COBRO_LOG_FORMAT=json|console`, `COBRO_LOG_LEVEL` (default: INFO for the server, WARNING for commands).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

_HANDLER_NAME = "cobro"


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time of the line (test runners swap it), never a stale one."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def _drop_terminal_copies(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """uvicorn attaches a copy of its message with terminal colour codes (`color_message`): not for a log file."""
    event.pop("color_message", None)
    return event


def _processors() -> list[Any]:
    return [structlog.contextvars.merge_contextvars, structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name, structlog.processors.TimeStamper(fmt="iso", utc=True)]


def configure_logging(fmt: str = "console", level: str = "", *, default_level: str = "WARNING",
                      stream: TextIO | None = None) -> None:
    """Send every log line through structlog's renderer (`fmt`: json or console).  Idempotent: a second call
    replaces the handler the first one installed."""
    shared = _processors()
    structlog.configure(
        processors=[*shared, structlog.processors.StackInfoRenderer(),
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    renderer: Any = (structlog.processors.JSONRenderer() if fmt == "json"
                     else structlog.dev.ConsoleRenderer(colors=False))
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder(), _drop_terminal_copies],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, renderer])
    handler: logging.Handler = logging.StreamHandler(stream) if stream is not None else _CurrentStderr()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel((level or default_level).upper())


def get_logger(name: str = "cobro") -> Any:
    return structlog.stdlib.get_logger(name)


def bind(**values: object) -> None:
    """Add fields to every line logged from here on in this context (a request, a job run, a CLI command)."""
    structlog.contextvars.bind_contextvars(**values)


def unbind(*names: str) -> None:
    structlog.contextvars.unbind_contextvars(*names)
