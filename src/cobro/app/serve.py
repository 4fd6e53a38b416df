"""`cobro serve`: the dashboard and the JSON API on uvicorn."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from cobro.platform.cli.context import EXIT_INVALID, console, err_console, state

if TYPE_CHECKING:  # pydantic stays out of `cobro --help`
    from cobro.platform.settings import Settings

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
# secrets that ship in examples and tutorials: never acceptable outside a developer's machine
KNOWN_SECRETS = frozenset({"", "secret", "changeme", "change-me", "cobro", "default", "dev", "development", "test",
                           "password", "insecure"})
MIN_SECRET_LENGTH = 32


def refusals(settings: Settings, host: str, *, users: Callable[[], int]) -> list[str]:
    """Why `cobro serve` must not start with these settings on this address (empty: it may).

    On loopback in the local environment anything goes (tokens are then signed with a per-process key).  On any
    other address the server is reachable by others: it needs a configured secret key and at least one user.
    Outside `environment=local` a missing, known or short secret is refused even on loopback."""
    secret = settings.secret_key.get_secret_value()
    weak = secret.strip().lower() in KNOWN_SECRETS or len(secret) < MIN_SECRET_LENGTH
    found = []
    if host not in LOOPBACK and not secret:
        found.append(f"serving on {host} needs a secret key: set COBRO_SECRET_KEY (e.g. `python -c "
                     "'import secrets; print(secrets.token_urlsafe(48))'`)")
    elif weak and (settings.environment != "local" or host not in LOOPBACK):
        found.append(f"COBRO_SECRET_KEY is a default or too short (at least {MIN_SECRET_LENGTH} characters) "
                     f"for environment {settings.environment!r} on {host}")
    if host not in LOOPBACK and users() == 0:
        found.append(f"serving on {host} needs at least one user: `cobro user create --email ... --role admin "
                     "--password-stdin`")
    return found


def serve_app(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the dashboard until interrupted (also the last step of `cobro demo`)."""
    import uvicorn

    from cobro.app.http import create_app

    problems = refusals(settings, host, users=lambda: _user_count(settings))
    if problems:
        for problem in problems:
            err_console.print(f"error: {problem}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_INVALID)

    console.print(f"dashboard on http://{host}:{port}/  (JSON API under /api, OpenAPI at /api/v1/openapi.json; "
                  "Ctrl+C stops)")
    from cobro.platform.logs import configure_logging

    # uvicorn's own lines go through cobro's log configuration (JSON with COBRO_LOG_FORMAT=json); the access lines
    # come from cobro's middleware, with the request id
    configure_logging(settings.log_format, settings.log_level, default_level="INFO")
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False)


def register(root: typer.Typer) -> None:
    @root.command("serve")
    def serve(
        ctx: typer.Context,
        host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    ) -> None:
        """Serve the dashboard and the JSON API (uvicorn)."""
        serve_app(state(ctx).settings, host=host, port=port)


def _user_count(settings: Settings) -> int:
    from cobro.identity.service import user_count
    from cobro.platform.container import build

    container = build(settings)
    try:
        with container.uow() as uow:
            return user_count(uow)
    finally:
        container.close()


DEMO_USER = "demo@example.com"
# one login per role, so the demo shows what each sees; the collector takes the name of one of the demo's collectors
# (Today lists the work of the collector whose name the user carries)
DEMO_ROLES = (("admin", DEMO_USER, "Demo admin"), ("credit_manager", "credit@example.com", "Demo credit manager"),
              ("collector", "collector@example.com", ""), ("sales", "sales@example.com", "Demo sales"),
              ("auditor", "auditor@example.com", "Demo auditor"))


def demo_logins(settings: Settings) -> list[tuple[str, str, str, str]]:
    """A user per role in the demo's tenant, each with a fresh random password: (role, e-mail, name, password).
    Run again, it keeps the users and sets new passwords, so the ones printed last always work."""
    import secrets

    from cobro.identity import service
    from cobro.identity.domain import password_problems
    from cobro.kernel.errors import ConflictError
    from cobro.ledger.schemas.entities import CustomerQuery
    from cobro.ledger.service.entities import list_customers
    from cobro.platform.container import build

    def fresh(email: str) -> str:
        password = f"try-cobro-{secrets.token_urlsafe(12)}"
        while password_problems(password, email=email):  # the random part spelled the user's name: draw again
            password = f"try-cobro-{secrets.token_urlsafe(12)}"
        return password

    made = []
    container = build(settings)
    try:
        with container.uow() as uow:
            first = [c.collector for c in list_customers(uow, query=CustomerQuery(), after=None, limit=50)
                     if c.collector]
            for role, email, given in DEMO_ROLES:
                name = given or (first[0] if first else "Demo collector")
                password = fresh(email)
                try:
                    service.create_user(uow, email=email, password=password, display_name=name)
                except ConflictError:
                    service.set_password(uow, email=email, password=password)
                service.add_membership(uow, email=email, tenant=settings.tenant, role=role, default=True)
                made.append((role, email, name, password))
            uow.commit()
    finally:
        container.close()
    return made


def demo_login(settings: Settings) -> tuple[str, str]:
    """The demo's admin login (e-mail, password); the other roles' logins are made beside it."""
    _, email, _, password = demo_logins(settings)[0]
    return email, password


def serve_demo(settings: Settings) -> None:
    """How `cobro demo` ends: a login per role, printed, then the dashboard on loopback."""
    for role, email, name, password in demo_logins(settings):
        console.print(f"log in as {role:<15} {email:<24} password {password}  ({name})", highlight=False,
                      markup=False)
    serve_app(settings, host="127.0.0.1", port=8000)
