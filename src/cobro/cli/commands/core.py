"""Core commands: init, ledger summary, customers."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    @root.command("version")
    def version() -> None:
        """Print cobro's version."""
        from cobro import __version__

        typer.echo(__version__)
