"""Statement intake from a folder as a continuous job (`cobro worker`, docs/jobs.md).

`COBRO_STATEMENT_INBOX` is a folder; a tenant's statements go in its sub-folder named by its code (files directly
in the inbox belong to the settings' tenant).  Each file is imported once, exactly as `cobro import statement FILE`
does (atomic: any error writes nothing), then moved to `done/` or to `failed/` with its problems written beside it
in `NAME.problems.txt`.  Hidden files and names ending in `.part` or `.tmp` are left alone, so a file copied in
under a temporary name and renamed when complete is never read half-written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from cobro.kernel.errors import CobroError, Problem

if TYPE_CHECKING:
    from cobro.platform.container import Container

PENDING_SUFFIXES = (".part", ".tmp", ".problems.txt")


def _folder(container: Container, tenant: str) -> Path | None:
    root = container.settings.statement_inbox
    if root is None or not root.is_dir():
        return None
    own = root / tenant
    if own.is_dir():
        return own
    return root if tenant == container.settings.tenant else None


def _waiting(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".") and not p.name.endswith(PENDING_SUFFIXES))


def _move(path: Path, into: Path) -> Path:
    into.mkdir(exist_ok=True)
    target, n = into / path.name, 1
    while target.exists():  # a file of the same name was filed before: keep both
        target, n = into / f"{path.stem}.{n}{path.suffix}", n + 1
    return path.replace(target)


def import_one(container: Container, tenant: str, path: Path, today: dt.date) -> list[Problem]:
    """Import `path` for `tenant` in one transaction; returns the errors (then nothing was written)."""
    from cobro.cashapp.service.application import import_statement

    try:
        with container.uow(tenant) as uow, uow.conflicts_as(
                "another import wrote the same records meanwhile; nothing was written: put the file back"):
            report = import_statement(uow, path, today=today)
            if report.errors:
                uow.rollback()
            else:
                uow.commit()
    except CobroError as exc:
        return [Problem(str(exc), path.name, code="refused")]
    return list(report.errors)


def statement_inbox(container: Container, tenant: str, *, as_of: dt.date, now: dt.datetime) -> str:
    folder = _folder(container, tenant)
    if folder is None:
        return "no inbox"
    done = failed = 0
    for path in _waiting(folder):
        errors = import_one(container, tenant, path, as_of)
        if errors:
            moved = _move(path, folder / "failed")
            moved.with_name(moved.name + ".problems.txt").write_text(
                "".join(f"{p}\n" for p in errors), encoding="utf-8")
            failed += 1
        else:
            _move(path, folder / "done")
            done += 1
    return f"statements imported {done}, failed {failed}"
