"""`cobro tenant create|list|show|update`: the creditors on this installation and their profiles.

Bad input (an IBAN that fails its checksum, a tax id that is not one, an SVG with script) is reported per field,
naming the option, with exit code 2; nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.table import Table
from rich.text import Text

from cobro.kernel.errors import CobroError, InvalidInputError
from cobro.platform.cli.context import EXIT_INVALID, console, err_console, fail, print_json, state

if TYPE_CHECKING:  # type names only: `cobro --help` stays free of heavy imports
    from cobro.platform.uow import UnitOfWork
    from cobro.tenancy.schemas import ProfileChanges, TenantProfile

app = typer.Typer(help="Tenants (creditors) and their profiles: legal identity, bank details, sender, letterhead.",
                  no_args_is_help=True)

T = TypeVar("T")

OptText = str | None
LegalName = Annotated[OptText, typer.Option("--legal-name", help="Legal name, as on invoices.")]
TradeName = Annotated[OptText, typer.Option("--trade-name", help="Trade name customers know.")]
TaxId = Annotated[OptText, typer.Option("--tax-id", help="Tax id (checked for --country: NIF/CIF, RFC, EU VAT ...).")]
Address = Annotated[list[str] | None, typer.Option("--address", help="A street address line (repeat per line).")]
PostalCode = Annotated[OptText, typer.Option("--postal-code")]
City = Annotated[OptText, typer.Option("--city")]
Country = Annotated[OptText, typer.Option("--country", help="ISO 3166 country code (ES, PT, MX ...).")]
Iban = Annotated[OptText, typer.Option("--iban", help="The account customers pay into.")]
Bic = Annotated[OptText, typer.Option("--bic", help="The bank's BIC (found from the IBAN when omitted).")]
Reference = Annotated[OptText, typer.Option("--payment-reference",
                                         help="What a payment quotes: a format over {customer} and {invoice}.")]
Instructions = Annotated[OptText, typer.Option("--payment-instructions", help="How to pay, in your words.")]
SenderName = Annotated[OptText, typer.Option("--sender-name", help="Name on the From: of e-mails.")]
SenderEmail = Annotated[OptText, typer.Option("--sender-email", help="Address on the From: of e-mails.")]
ReplyTo = Annotated[OptText, typer.Option("--reply-to", help="Where customers' replies go.")]
Phone = Annotated[OptText, typer.Option("--phone")]
Website = Annotated[OptText, typer.Option("--website")]
Signature = Annotated[OptText, typer.Option("--signature", help="Signature block under letters and e-mails.")]
Language = Annotated[OptText, typer.Option("--language", help="Default language of documents (es, en).")]
TimeZone = Annotated[OptText, typer.Option("--time-zone", help="IANA time zone (Europe/Madrid).")]
Currency = Annotated[OptText, typer.Option("--currency", help="Base currency (ISO 4217).")]
LogoFile = Annotated[Path | None, typer.Option("--logo", help="PNG or SVG, at most 512 KiB.")]  # domain.MAX_LOGO_BYTES
NoLogo = Annotated[bool, typer.Option("--no-logo", help="Remove the logo.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="tenant")


@app.command("create")
def create(ctx: typer.Context, slug: str,
           name: Annotated[str, typer.Option("--name", help="Display name (also the legal name unless given).")],
           legal_name: LegalName = None, trade_name: TradeName = None, tax_id: TaxId = None,
           address: Address = None, postal_code: PostalCode = None, city: City = None, country: Country = None,
           iban: Iban = None, bic: Bic = None, payment_reference: Reference = None,
           payment_instructions: Instructions = None, sender_name: SenderName = None,
           sender_email: SenderEmail = None, reply_to: ReplyTo = None, phone: Phone = None, website: Website = None,
           signature: Signature = None, language: Language = None, time_zone: TimeZone = None,
           currency: Currency = None, logo: LogoFile = None, as_json: JsonOpt = False) -> None:
    """Create tenant SLUG with its profile."""
    from cobro.tenancy import service

    changes = _changes(locals(), logo, clear_logo=False)
    made = _in_directory(ctx, lambda uow: service.create_tenant(uow, code=slug, name=name, changes=changes),
                         commit=True)
    _print(made, as_json, f"tenant {made.code} created")


@app.command("update")
def update(ctx: typer.Context, slug: str,
           name: Annotated[str | None, typer.Option("--name", help="New display name.")] = None,
           legal_name: LegalName = None, trade_name: TradeName = None, tax_id: TaxId = None,
           address: Address = None, postal_code: PostalCode = None, city: City = None, country: Country = None,
           iban: Iban = None, bic: Bic = None, payment_reference: Reference = None,
           payment_instructions: Instructions = None, sender_name: SenderName = None,
           sender_email: SenderEmail = None, reply_to: ReplyTo = None, phone: Phone = None, website: Website = None,
           signature: Signature = None, language: Language = None, time_zone: TimeZone = None,
           currency: Currency = None, logo: LogoFile = None, no_logo: NoLogo = False, as_json: JsonOpt = False) -> None:
    """Change fields of tenant SLUG's profile (an empty value clears a field)."""
    from cobro.tenancy import service

    changes = _changes(locals(), logo, clear_logo=no_logo)
    made = _in_directory(ctx, lambda uow: service.update_profile(uow, code=slug, changes=changes, name=name),
                         commit=True)
    _print(made, as_json, f"tenant {made.code} updated")


@app.command("show")
def show(ctx: typer.Context, slug: str, as_json: JsonOpt = False) -> None:
    """Tenant SLUG's profile."""
    from cobro.tenancy import service

    _print(_in_directory(ctx, lambda uow: service.show_tenant(uow, code=slug)), as_json, "")


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Every tenant of this installation."""
    from cobro.tenancy import service

    found = _in_directory(ctx, service.list_tenants)
    if as_json:
        print_json(found.as_json())
        return
    table = Table(title="Tenants")
    for col in ("code", "name", "legal name", "tax id", "iban", "sender"):
        table.add_column(col)
    for t in found.tenants:
        p = t.profile
        table.add_row(*(Text(v) for v in (t.code, t.name, p.legal_name, p.tax_id, p.iban, p.sender_email)))
    console.print(table)


def _changes(params: dict[str, object], logo: Path | None, *, clear_logo: bool) -> ProfileChanges:
    """The profile options given on the command line (None: not given) and the logo file, read and sniffed."""
    from cobro.tenancy.domain import TEXT_FIELDS, sniff_logo
    from cobro.tenancy.schemas import ProfileChanges

    given = {f: params.get(f) for f in TEXT_FIELDS}
    lines = params.get("address")
    data = _read_logo(logo) if logo is not None else None
    return ProfileChanges(address_lines=tuple(lines) if isinstance(lines, list) else None,
                          logo=sniff_logo(data) if data is not None else None, clear_logo=clear_logo,
                          **given)  # type: ignore[arg-type]


def _read_logo(path: Path) -> bytes:
    """The logo's bytes; a file too big is refused from its size, before it is read."""
    from cobro.tenancy.domain import MAX_LOGO_BYTES

    if not path.is_file():
        raise fail(f"--logo: {path}: not a file")
    if path.stat().st_size > MAX_LOGO_BYTES:
        raise fail(f"--logo: {path}: {path.stat().st_size // 1024} KiB; at most {MAX_LOGO_BYTES // 1024} KiB")
    return path.read_bytes()


def _in_directory(ctx: typer.Context, run: Callable[[UnitOfWork], T], *, commit: bool = False) -> T:
    """Run one use case on the tenant directory (its repository is not tenant-scoped, so the chosen tenant need
    not exist yet: `cobro --tenant new tenant create new`).  Any error: nothing written, exit 2."""
    container = state(ctx).container()
    try:
        with container.uow() as uow:
            result = run(uow)
            if commit:
                uow.commit()
            return result
    except InvalidInputError as exc:
        _report(exc)
        raise typer.Exit(EXIT_INVALID) from exc
    except CobroError as exc:
        raise fail(str(exc)) from exc


def _report(exc: InvalidInputError) -> None:
    """One line per problem, naming the option; the summary when the error carries no problems."""
    from cobro.tenancy.domain import option

    if not exc.problems:
        err_console.print(Text(f"error: {exc}"), highlight=False, soft_wrap=True)
    for p in exc.problems:
        message = p.message.removeprefix(f"{p.column}: ")
        where = {"code": "SLUG", "name": "--name", "": ""}.get(p.column) if p.column in ("code", "name", "") \
            else option(p.column)
        # Text: the message quotes the user's value, which must never be read as console markup
        err_console.print(Text(f"error: {where}: {message}" if where else f"error: {message}"), highlight=False,
                          soft_wrap=True)
    err_console.print("nothing was written", highlight=False)


def _print(made: TenantProfile, as_json: bool, done: str) -> None:
    if as_json:
        print_json(made.as_json())
        return
    if done:
        console.print(Text(done))
    table = Table(title=f"Tenant {made.code}", show_header=False)
    table.add_row("name", Text(made.name))
    for field, value in made.as_json().items():
        if field in ("code", "name"):
            continue
        shown = "\n".join(value) if isinstance(value, list) else value
        if isinstance(value, dict):
            shown = f"{value['media_type']}, {value['bytes']} bytes"
        table.add_row(field, Text("" if shown is None else str(shown)))  # Text: a value is never markup
    console.print(table)
