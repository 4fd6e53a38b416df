"""`cobro backup --out FILE` and `cobro restore FILE`: the whole database, every tenant, in one file.

SQLite is copied with its online backup API (safe while the server and the worker write); PostgreSQL with
`pg_dump --format=custom` and `pg_restore`.  docs/operations.md says how to schedule and test them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cobro.platform.cli.context import console, fail, print_json, state


def register(root: typer.Typer) -> None:
    root.command("backup")(backup)
    root.command("restore")(restore)


def backup(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The backup file to write (replaced if it exists).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")] = False,
) -> None:
    """Write a consistent backup of the database (SQLite: a database file; PostgreSQL: a pg_dump archive)."""
    from cobro.platform.db import backup as backups

    settings = state(ctx).settings
    try:
        done = backups.backup(settings.database_url, out)
    except backups.BackupError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(done.as_json())
    else:
        console.print(f"backup written to {done.path} ({done.format.value}, {done.bytes} bytes)", highlight=False,
                      markup=False)


def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file written by `cobro backup`.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite a database that already has tables.")] = False,
) -> None:
    """Replace the database with a backup; then `cobro init` brings an older backup's schema up to date."""
    from cobro.platform.db import backup as backups

    settings = state(ctx).settings
    try:
        kind = backups.restore(settings.database_url, file, force=force)
    except backups.BackupError as exc:
        raise fail(str(exc)) from exc
    console.print(f"restored {file} ({kind.value}); run `cobro init` if the backup comes from an older version",
                  highlight=False, markup=False)
