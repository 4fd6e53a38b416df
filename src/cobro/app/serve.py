"""`cobro serve`: the dashboard and the JSON API on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from cobro.platform.cli.context import console, state
from cobro.platform.settings import Settings


def serve_app(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the dashboard until interrupted (also the last step of `cobro demo`)."""
    import uvicorn

    from cobro.app.http import create_app

    console.print(f"dashboard on http://{host}:{port}/  (JSON API under /api, OpenAPI at /api/openapi.json; "
                  "Ctrl+C stops)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


def register(root: typer.Typer) -> None:
    @root.command("serve")
    def serve(
        ctx: typer.Context,
        host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    ) -> None:
        """Serve the dashboard and the JSON API (uvicorn)."""
        serve_app(state(ctx).settings, host=host, port=port)
