"""CLI error messages are never hard-wrapped: a path or value they name stays whole on a narrow terminal."""

from __future__ import annotations

import io

import pytest
import typer
from rich.console import Console

from cobro.platform.cli import context


def test_an_error_naming_a_long_path_is_not_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr(context, "err_console", Console(file=out, width=30, color_system=None))
    path = "/tmp/pytest-of-root/pytest-111/test_unwritable_output_is_an_e0"
    exit_ = context.fail(f"{path}: not a file")
    assert isinstance(exit_, typer.Exit) and exit_.exit_code == context.EXIT_INVALID
    assert out.getvalue() == f"error: {path}: not a file\n"
