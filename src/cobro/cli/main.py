"""The `cobro` command: a root Typer app that mounts one sub-app per feature.

Each feature module in `cobro.cli.commands` exposes `app` (a Typer) or `register(root)`; this file only
mounts them, so adding a feature touches one line here.
"""

from __future__ import annotations

import typer

from cobro.cli.commands import core

app = typer.Typer(
    name="cobro",
    help="cobro: B2B receivables and collections.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)



@app.callback()
def _root() -> None:
    """cobro: B2B receivables and collections."""


core.register(app)

# --- feature registrations (one line each; keep alphabetical) ---------------------------------------


def main() -> None:
    app()


if __name__ == "__main__":
    main()
