"""`cobro user …` and `cobro apikey …`: people and machines that may use the API and the dashboard.

Passwords come from standard input (`--password-stdin`) or a hidden prompt, never from an option (it would be
in the shell history and the process list).  An API key's secret is printed once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.table import Table

from cobro.kernel.errors import CobroError, InvalidInputError
from cobro.platform.cli.context import console, fail, print_json, state

if TYPE_CHECKING:  # type names only: `cobro --help` stays free of heavy imports
    from cobro.identity.schemas import User
    from cobro.platform.uow import UnitOfWork

T = TypeVar("T")

user_app = typer.Typer(help="Users: create, list, grant roles per tenant.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys for machines: create (secret shown once), list, revoke.",
                         no_args_is_help=True)

EmailOpt = Annotated[str, typer.Option("--email", help="The user's e-mail (their login).")]
RoleOpt = Annotated[str, typer.Option("--role", help="admin | credit_manager | collector | sales | auditor")]
TenantOpt = Annotated[str | None, typer.Option("--tenant", help="Tenant code (default: the global --tenant).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
StdinOpt = Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")]


def register(root: typer.Typer) -> None:
    root.add_typer(user_app, name="user")
    root.add_typer(apikey_app, name="apikey")


def _run(ctx: typer.Context, fn: Callable[[UnitOfWork], T], *, tenant: str | None = None,
         commit: bool = True) -> T:
    container = state(ctx).container()
    try:
        with container.uow(tenant) as uow:
            out = fn(uow)
            if commit:
                uow.commit()
            return out
    except InvalidInputError as exc:
        raise fail(str(exc)) from exc
    except CobroError as exc:
        raise fail(str(exc)) from exc


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("create")
def user_create(ctx: typer.Context, email: EmailOpt, role: RoleOpt, tenant: TenantOpt = None,
                name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
                password_stdin: StdinOpt = False) -> None:
    """Create a user with a role in a tenant (their default tenant)."""
    from cobro.identity import service

    password = _password(password_stdin)
    code = tenant or state(ctx).settings.tenant

    def create(uow: UnitOfWork) -> User:
        service.create_user(uow, email=email, password=password, display_name=name)
        return service.add_membership(uow, email=email, tenant=code, role=role, default=True)

    user = _run(ctx, create)
    console.print(f"user {user.email} created: {role} of tenant {code}", highlight=False)


@user_app.command("set-password")
def user_set_password(ctx: typer.Context, email: EmailOpt, password_stdin: StdinOpt = False) -> None:
    """Set a user's password (the password policy applies)."""
    from cobro.identity import service

    password = _password(password_stdin)
    user = _run(ctx, lambda uow: service.set_password(uow, email=email, password=password))
    console.print(f"password of {user.email} set", highlight=False)


@user_app.command("add-role")
def user_add_role(ctx: typer.Context, email: EmailOpt, role: RoleOpt, tenant: TenantOpt = None,
                  default: Annotated[bool, typer.Option("--default", help="Make this their default tenant.")] = False
                  ) -> None:
    """Give a user a role in a tenant (replacing the role they had there)."""
    from cobro.identity import service

    code = tenant or state(ctx).settings.tenant
    user = _run(ctx, lambda uow: service.add_membership(uow, email=email, tenant=code, role=role, default=default))
    console.print(f"{user.email} is {role} of tenant {code}", highlight=False)


@user_app.command("deactivate")
def user_deactivate(ctx: typer.Context, email: EmailOpt,
                    again: Annotated[bool, typer.Option("--reactivate", help="Let them log in again.")] = False
                    ) -> None:
    """Stop a user from logging in; their tokens and sessions are refused from the next request."""
    from cobro.identity import service

    user = _run(ctx, lambda uow: service.set_active(uow, email=email, active=again))
    console.print(f"{user.email} {'reactivated' if user.active else 'deactivated'}", highlight=False)


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Every user with their roles per tenant."""
    from cobro.identity import service

    users = _run(ctx, service.list_users, commit=False)
    if as_json:
        print_json([u.as_json() for u in users])
        return
    table = Table("email", "name", "active", "roles", "last login", title="Users")
    for u in users:
        roles = ", ".join(f"{m.tenant}:{m.role}{'*' if m.is_default else ''}" for m in u.memberships)
        table.add_row(u.email, u.display_name, "yes" if u.active else "no", roles,
                      u.last_login_at.isoformat(timespec="minutes") if u.last_login_at else "-")
    console.print(table)


@apikey_app.command("create")
def apikey_create(ctx: typer.Context, role: RoleOpt,
                  name: Annotated[str, typer.Option("--name", help="What the key is for, e.g. 'ERP sync'.")],
                  tenant: TenantOpt = None) -> None:
    """Create an API key for one tenant and role; the secret is printed once and cannot be shown again."""
    from cobro.identity import service

    st = state(ctx)
    issued = _run(ctx, lambda uow: service.create_api_key(uow, name=name, role=role, created_by=_who(ctx)),
                  tenant=tenant or st.settings.tenant)
    console.print(f"API key {issued.key.prefix} ({issued.key.role} of tenant {issued.key.tenant}) created; "
                  "store the secret now, it is not shown again:", highlight=False)
    sys.stdout.write(issued.secret + "\n")


@apikey_app.command("list")
def apikey_list(ctx: typer.Context, tenant: TenantOpt = None, as_json: JsonOpt = False) -> None:
    """The tenant's API keys (prefixes, never secrets)."""
    from cobro.identity import service

    keys = _run(ctx, service.list_api_keys, tenant=tenant or state(ctx).settings.tenant, commit=False)
    if as_json:
        print_json([k.as_json() for k in keys])
        return
    table = Table("prefix", "name", "role", "created by", "last used", "revoked", title="API keys")
    for k in keys:
        table.add_row(k.prefix, k.name, str(k.role), k.created_by,
                      k.last_used_at.isoformat(timespec="minutes") if k.last_used_at else "-",
                      k.revoked_at.isoformat(timespec="minutes") if k.revoked_at else "-")
    console.print(table)


@apikey_app.command("revoke")
def apikey_revoke(ctx: typer.Context, prefix: str, tenant: TenantOpt = None) -> None:
    """Revoke an API key by its prefix; requests with it are refused from now on."""
    from cobro.identity import service

    now = state(ctx).container().clock.now()
    key = _run(ctx, lambda uow: service.revoke_api_key(uow, prefix=prefix, now=now),
               tenant=tenant or state(ctx).settings.tenant)
    console.print(f"API key {key.prefix} ({key.name}) revoked", highlight=False)


def _who(ctx: typer.Context) -> str:
    actor = state(ctx).container().actor
    return actor.name if actor else ""
