"""The `cobro` command: a root Typer app that mounts one sub-app per feature.

Each feature's CLI module exposes `app` (a Typer) or `register(root)`; this file only mounts them, so adding a
feature touches one line here.  A group that several features fill (`cobro import`) is composed here: each
feature registers its sub-commands into the group it is given, so no feature's CLI imports another's.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from cobro.reporting.cli import analyze
from cobro.audit import cli as audit
from cobro.cashapp.cli import cashapp
from cobro.comments import cli as comments
from cobro.collections.cli import policy as collections_policy
from cobro.collections.cli import suspensions as collections_suspensions
from cobro.collections.cli import work as collections_work
from cobro.collections.cli import onboarding as collections_onboarding
from cobro.collections.cli import contacts as collections_contacts
from cobro.collections.cli import agency as collections_agency
from cobro.collections.cli import performance as collections_performance
from cobro.ledger.cli import core, imports
from cobro.collections.cli import credit
from cobro.demo import cli as demo
from cobro.interest import cli as interest
from cobro.jobs import cli as jobs
from cobro.app import jobs as app_jobs
from cobro.delivery import cli as outbox
from cobro.forecasting import cli as predict
from cobro.identity import cli as identity
from cobro.reporting.cli import reports
from cobro.risk import cli as risk
from cobro.app import serve
from cobro.app import ops
from cobro.solvency.cli import financials
from cobro.solvency.cli import solvency
from cobro.webhooks import cli as webhooks
from cobro.cashapp.cli import statement
from cobro.tenancy import cli as tenancy
from cobro.kernel.errors import CobroError
from cobro.platform.cli.context import EXIT_INVALID, state

EXIT_INTERNAL = 1


class _CobroGroup(TyperGroup):
    """The root group: a file a command cannot read or write (a missing directory, a directory given as a file,
    no permission) is the user's input, so it is reported as `error: PATH: reason` with exit 2, not a traceback."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if exc.filename is None or isinstance(exc, (ConnectionError, TimeoutError)):
                raise
            typer.echo(f"error: {exc.filename}: {exc.strerror or exc}", err=True)
            raise typer.Exit(EXIT_INVALID) from exc
        except CobroError as exc:
            # a failure the user can act on (an unknown tenant, a conflict) that a command did not report itself
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_INVALID) from exc
        except (MemoryError, RecursionError) as exc:
            # a limit that should have refused the input earlier did not: say so in one line, exit 1 (internal)
            logging.getLogger("cobro").error("internal error: %s", type(exc).__name__)
            typer.echo(f"error: internal: {type(exc).__name__}: the input needs more memory or nesting than this "
                       "process has; the command stopped", err=True)
            raise typer.Exit(EXIT_INTERNAL) from None
        except Exception as exc:  # after MemoryError/RecursionError, which are Exceptions too
            message = missing_schema_message(exc) or settings_message(exc)
            if message is None:
                raise
            typer.echo(f"error: {message}", err=True)
            raise typer.Exit(EXIT_INVALID) from None


def missing_schema_message(exc: BaseException) -> str | None:
    """A database `cobro init` never ran on, or one older than this cobro: what to run, not a traceback."""
    missing = missing_schema(exc)
    if missing is None:
        return None
    return (f"the database has no {missing} table: it is not initialised or not up to date; run `cobro init` "
            "(it creates or migrates it)")


def settings_message(exc: BaseException) -> str | None:
    """A setting from the environment that does not validate, named as the operator sets it (COBRO_…). Matched
    on pydantic's error type by name so that this module imports no pydantic at start."""
    if type(exc).__name__ != "ValidationError" or getattr(exc, "title", "") != "Settings":
        return None
    parts = []
    for error in exc.errors():  # type: ignore[attr-defined]
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        name = f"COBRO_{str(error['loc'][0]).upper()}" if error.get("loc") else "settings"
        parts.append(text if text.startswith(name) else f"{name}: {text}")
    return "invalid setting: " + "; ".join(parts)


def missing_schema(exc: BaseException) -> str | None:
    """The table a database error says is missing (SQLite `no such table: x`, PostgreSQL `relation "x" does not
    exist`), else None. Matched on the driver's message so that this module imports no SQLAlchemy."""
    seen: BaseException | None = exc
    while seen is not None:
        text = str(seen)
        for marker in ("no such table: ", 'relation "'):
            if (type(seen).__module__.split(".")[0] in {"sqlalchemy", "sqlite3", "psycopg"} and marker in text
                    and (marker.startswith("no such") or "does not exist" in text)):
                name = text.split(marker, 1)[1]
                return name.split('"', 1)[0] if marker.startswith("relation") else name.split()[0].strip("\"'")
        seen = seen.__cause__ or seen.__context__
    return None


app = typer.Typer(
    name="cobro",
    cls=_CobroGroup,
    help="cobro: B2B receivables and collections.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


# `cobro import`: the ledger's files, then bank statements and e-invoices, then debtors' accounts (help order)
import_app = typer.Typer(help="Import customers, contacts, invoices and payments from CSV or XLSX.",
                         no_args_is_help=True)
imports.register(import_app)
cashapp.register_imports(import_app)
financials.register(import_app)
collections_onboarding.register(import_app)


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default: $COBRO_DATABASE_URL or sqlite:///cobro.db).")] = None,
    tenant: Annotated[str | None, typer.Option("--tenant", help="Tenant code (default: $COBRO_TENANT or 'default').")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Who acts, recorded as the actor (default: the OS user); the local CLI acts as an admin.")] = None,
) -> None:
    """cobro: B2B receivables and collections."""
    st = state(ctx)
    st.db, st.tenant, st.user = db, tenant, user


core.register(app, customer_sections=[credit.customer_credit, predict.customer_predictions])

# --- feature registrations (one line each; keep alphabetical) ---------------------------------------
analyze.register(app)
audit.register(app)
cashapp.register(app)
collections_policy.register(app)
collections_suspensions.register(app)
collections_work.register(app)
comments.register(app)
collections_agency.register(collections_work.escalation_app)
collections_performance.register(app)
collections_performance.register_reports(reports.app)
credit.register(app)
demo.register(app, serve=serve.serve_demo)
app.add_typer(import_app, name="import")
identity.register(app)
interest.register(app)
jobs.register(app, registry=app_jobs.registry)
ops.register(app)
outbox.register(app)
app.add_typer(predict.app, name="predict")
app.add_typer(reports.app, name="report")
collections_contacts.register_report(reports.app)
risk.register(app)
serve.register(app)
app.add_typer(solvency.app, name="solvency")
app.add_typer(statement.app, name="statement")
webhooks.register(app)
tenancy.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
