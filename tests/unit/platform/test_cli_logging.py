"""A command logs structured lines only when the environment asks (COBRO_LOG_FORMAT / COBRO_LOG_LEVEL), with its
tenant on each line; without them it leaves Python's logging as it was, so its output does not change."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from cobro.platform.cli.context import State


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if h.get_name() == "cobro"]:
        root.removeHandler(handler)
    root.setLevel(level)
    structlog.contextvars.clear_contextvars()


def cobro_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if h.get_name() == "cobro"]


def test_json_lines_with_the_tenant_when_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COBRO_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("COBRO_LOG_FORMAT", "json")
    monkeypatch.setenv("COBRO_TENANT", "acme")
    State().container().close()
    logging.getLogger("cobro.jobs").warning("worker pass failed", extra={"job": "cycle"})
    logging.getLogger("cobro.jobs").info("below the default level of a command")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert [(x["event"], x["level"], x["logger"], x["tenant"], x["job"]) for x in lines] == [
        ("worker pass failed", "warning", "cobro.jobs", "acme", "cycle")]


def test_nothing_configured_without_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COBRO_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.delenv("COBRO_LOG_FORMAT", raising=False)
    monkeypatch.delenv("COBRO_LOG_LEVEL", raising=False)
    State().container().close()
    assert cobro_handlers() == []
