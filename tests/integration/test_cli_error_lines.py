"""What the root command says instead of a traceback: a setting that does not validate is named as the operator sets
it (exit 2); a limit that failed to refuse an input earlier ends as one internal-error line (exit 1), even beside
the catch-all that turns a missing table into "run cobro init"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.cli.context import State


@pytest.mark.parametrize(("name", "value", "says"), [
    ("COBRO_RATE_LIMIT_LOGIN", "lots", "COBRO_RATE_LIMIT_LOGIN: 'lots' is not a rate such as 600/minute"),
    ("COBRO_LOG_FORMAT", "xml", "COBRO_LOG_FORMAT: Input should be 'json' or 'console'"),
])
def test_a_bad_setting_is_named_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                                                value: str, says: str) -> None:
    monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "customers", "list"])
    assert result.exit_code == 2, result.output
    assert f"error: invalid setting: {says}" in result.output and "Traceback" not in result.output


def test_memory_exhaustion_is_one_internal_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(self: State) -> None:
        raise MemoryError

    monkeypatch.setattr(State, "container", exhausted)
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "customers", "list"])
    assert result.exit_code == 1, result.output
    assert "error: internal: MemoryError" in result.output and "Traceback" not in result.output
