"""The dashboard: server-rendered pages and HTMX fragments (`pages`: overview, customers, worklist; `today`: the
collector's day and its actions; `approvals`: exceptions awaiting four eyes); `common` holds what they share."""

from __future__ import annotations

from fastapi import FastAPI

from cobro.workspace.web import approvals, pages, today
from cobro.workspace.web.common import render_error

__all__ = ["mount", "render_error"]


def mount(app: FastAPI) -> None:
    app.include_router(today.router)
    app.include_router(approvals.router)
    app.include_router(pages.router)
    pages.mount_static(app)
