"""`cobro --help` and every command's `--help` load no heavy library (issue 17: CLI start <= 0.3 s).

A machine-independent check of what makes the CLI slow to start: entrypoint modules import SQLAlchemy, polars,
the PDF and spreadsheet libraries, the models ... inside the command functions, so printing help loads none of
them.  Timing is in bench/cli_start.py (a ratio against `python -c pass`), never here.  Each check runs in a fresh
interpreter, since this test process has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

# what costs import time (measured with `python -X importtime -c 'import cobro.app.cli'`: ~1.2 s before)
HEAVY = ("sqlalchemy", "alembic", "psycopg", "polars", "duckdb", "numpy", "sklearn", "lightgbm", "fpdf",
         "openpyxl", "matplotlib", "lxml", "jinja2", "httpx", "fastapi", "starlette", "uvicorn", "holidays",
         "pycountry", "schwifty", "PIL", "babel", "yaml", "pydantic_settings", "cobro.platform.container")

_PROBE = """
import json, sys
import typer.main
from cobro.app.cli import app

paths = {paths}
if paths is None:  # every command and group, depth first
    paths = []
    def walk(cmd, prefix):
        paths.append(prefix)
        for name, sub in sorted(getattr(cmd, "commands", {{}}).items()):
            walk(sub, prefix + [name])
    walk(typer.main.get_command(app), [])
outcome = {{}}
for path in paths:
    try:
        app(path + ["--help"], standalone_mode=False)
        outcome[" ".join(path)] = "ok"
    except SystemExit as exc:
        outcome[" ".join(path)] = f"exit {{exc.code}}"
heavy = {heavy}
print(json.dumps({{"outcome": outcome,
                  "loaded": sorted(m for m in heavy if m in sys.modules)}}))
"""


def _probe(paths: list[list[str]] | None) -> dict[str, object]:
    code = _PROBE.format(paths=repr(paths), heavy=repr(HEAVY))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    # help goes to stdout before the JSON line: the JSON is the last line
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_root_and_cycle_help_load_no_heavy_library() -> None:
    result = _probe([[], ["cycle", "run"]])
    assert result["outcome"] == {"": "ok", "cycle run": "ok"}
    assert result["loaded"] == []


def test_no_command_help_loads_a_heavy_library() -> None:
    result = _probe(None)
    outcome = result["outcome"]
    assert isinstance(outcome, dict)
    assert len(outcome) > 50 and {"backup", "restore", "cycle run", "import invoices", "serve"} <= set(outcome)
    assert [p for p, o in outcome.items() if o != "ok"] == []
    assert result["loaded"] == []
