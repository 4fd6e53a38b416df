"""`cobro demo` (the guided story on a fresh SQLite file) and `cobro demo generate` (a demo ledger in the
configured database)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cobro.kernel.errors import CobroError
from cobro.platform.cli.context import console, day_or_today, fail, print_json, state

if TYPE_CHECKING:  # pydantic stays out of `cobro --help`
    from cobro.platform.settings import Settings

DEFAULT_DEMO_DB = "cobro-demo.db"

DebtorsOpt = Annotated[int, typer.Option("--debtors", min=1, help="Number of customers (debtors).")]
InvoicesOpt = Annotated[int, typer.Option("--invoices", min=0, help="Number of documents (invoices + credit notes).")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same ledger.")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Last day of the history (YYYY-MM-DD; default today).")]

# how the story ends: serving the dashboard; the app that mounts `cobro demo` gives it (`cobro serve`'s function),
# because the web application knows every feature and a feature never imports the app
Serve = Callable[["Settings"], None]


def register(root: typer.Typer, *, serve: Serve) -> None:
    """Mount `cobro demo` and `cobro demo generate` on `root`; the story ends with `serve(settings)`."""
    app = typer.Typer(help="The demo ledger and the guided demo (`cobro demo` runs the whole story).",
                      invoke_without_command=True)

    @app.callback()
    def demo(
        ctx: typer.Context,
        *,
        no_serve: Annotated[bool, typer.Option("--no-serve", help="Do not serve the dashboard at the end.")] = False,
        out: Annotated[Path, typer.Option("--out", help="Directory for the demo's output files.")] = Path("cobro-demo"),
        db: Annotated[str | None, typer.Option("--db", help=f"Database URL (default: sqlite:///{DEFAULT_DEMO_DB}, "
                                                            "recreated on each run).")] = None,
        debtors: DebtorsOpt = 200,
        invoices: InvoicesOpt = 4000,
        seed: SeedOpt = 7,
        as_of: AsOfOpt = None,
    ) -> None:
        """Run the whole story on SQLite: init, generate, then every capability that exists so far."""
        if ctx.invoked_subcommand is not None:
            return
        settings = run_demo(ctx, out=out, db=db, debtors=debtors, invoices=invoices, seed=seed, as_of=as_of)
        if not no_serve:
            serve(settings)  # prints the URL first

    app.command("generate")(generate)
    root.add_typer(app, name="demo")


def run_demo(ctx: typer.Context, *, out: Path, db: str | None, debtors: int, invoices: int, seed: int,
             as_of: str | None) -> Settings:
    """The story on the demo database; returns the settings to serve it with (exit 1 if a step failed)."""
    from cobro.demo.story import DemoSize, run_story

    st = state(ctx)
    st.db = db or st.db
    if st.db is None:
        # the demo owns this file: start from scratch every run so the story is reproducible
        for suffix in ("", "-wal", "-shm"):
            Path(DEFAULT_DEMO_DB + suffix).unlink(missing_ok=True)
        st.db = f"sqlite:///{DEFAULT_DEMO_DB}"
    container = st.container()
    try:
        failed = run_story(container, out, day_or_today(ctx, as_of), console,
                           size=DemoSize(debtors=debtors, invoices=invoices, seed=seed))
    finally:
        container.close()
    console.rule()
    console.print(f"demo output written to {out.resolve()}")
    if failed:
        raise fail(f"demo steps failed: {', '.join(failed)}", code=1)
    return st.settings


def generate(
    ctx: typer.Context,
    *,
    debtors: DebtorsOpt = 200,
    invoices: InvoicesOpt = 4000,
    seed: SeedOpt = 7,
    as_of: AsOfOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Write a realistic B2B demo ledger into the configured database (after `cobro init`)."""
    from cobro.demo.generator import DemoSpec
    from cobro.demo.story import generate_into

    container = state(ctx).container()
    day = day_or_today(ctx, as_of)
    spec = DemoSpec(debtors=debtors, invoices=invoices, seed=seed, as_of=day)
    try:
        counts, seconds = generate_into(container, spec, None if as_json else console)
    except CobroError as exc:
        raise fail(str(exc)) from exc
    data = {**counts.as_dict(), "seed": seed, "as_of": day.isoformat(), "seconds": round(seconds, 3),
            "rows_per_second": round(counts.rows / max(seconds, 1e-9))}
    if as_json:
        print_json(data)
        return
    console.print(f"{counts.customers} debtors, {counts.invoices} invoices ({counts.open_invoices} open), "
                  f"{counts.credit_notes} credit notes, {counts.payments} payments in {seconds:.1f} s "
                  f"({data['rows_per_second']:,} rows/s)")
