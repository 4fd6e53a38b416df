"""Core commands: init, ledger summary, customers list/show, version; and the root --db/--tenant options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer
from rich.table import Table

from cobro.kernel.errors import CobroError
from cobro.kernel.money import Money
from cobro.platform.cli.compose import CustomerSection
from cobro.platform.cli.context import console, fail, parse_day, print_json, state


def register(root: typer.Typer, *, customer_sections: Sequence[CustomerSection] = ()) -> None:
    """Mount `version`, `init`, `ledger` and `customers` on `root`; `customers show` also prints what each of
    `customer_sections` adds (other features' views of one customer, given by `cobro.app.cli`)."""
    ledger_app = typer.Typer(help="The receivables ledger.", no_args_is_help=True)
    customers_app = typer.Typer(help="Customers (debtors).", no_args_is_help=True)
    root.add_typer(ledger_app, name="ledger")
    root.add_typer(customers_app, name="customers")

    @root.command("version")
    def version() -> None:
        """Print cobro's version."""
        from cobro import __version__

        typer.echo(__version__)

    @root.command("init")
    def init(ctx: typer.Context, tenant: Annotated[str | None, typer.Option(
            "--tenant", help="Also create this tenant (set its profile with `cobro tenant update`).")] = None) -> None:
        """Create or migrate the database to the latest schema."""
        from cobro.platform.container import migrate
        from cobro.tenancy.service import ensure_tenant

        st = state(ctx)
        container = st.container()
        migrate(container)
        console.print(f"database ready: {container.engine.url.render_as_string(hide_password=True)}")
        code = tenant or st.tenant
        if code:
            try:
                with container.uow(code) as uow:  # the tenant directory needs no existing tenant
                    created = ensure_tenant(uow, code=code)
                    uow.commit()
            except CobroError as exc:
                raise fail(str(exc)) from exc
            if created:
                console.print(f"tenant {code} created: set its profile with `cobro tenant update {code} "
                              "--legal-name ... --tax-id ... --iban ...`")

    ledger_app.command("summary")(ledger_summary)
    customers_app.command("list")(customers_list)

    @customers_app.command("show")
    def customers_show(
        ctx: typer.Context,
        code: str,
        as_of: Annotated[str | None, typer.Option(
            "--as-of", help="Count days past due and check credit as of this date (YYYY-MM-DD; default today).")] = None,
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """One customer: balance, open items, contacts and recent payments."""
        show_customer(ctx, code, as_of, as_json, customer_sections)


def ledger_summary(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Open as of this date (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Counts of customers and invoices, and the open amount per currency."""
    from cobro.ledger.service.summary import ledger_summary as summarize

    container = state(ctx).container()
    day = parse_day(as_of) if as_of else None
    try:
        with container.uow() as uow:
            data = summarize(uow, day)
    except CobroError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(data.model_dump())
        return
    table = Table(title=f"Ledger{' as of ' + str(day) if day else ''}", show_header=False)
    table.add_row("customers", str(data.customers))
    table.add_row("invoices", str(data.invoices))
    table.add_row("open invoices", str(data.open_invoices))
    for cur, amount in data.open_amount.items():
        table.add_row(f"open amount {cur}", f"{amount}")
    for cur, amount in data.unapplied_credit.items():
        table.add_row(f"credit notes + unapplied cash {cur}", f"{amount}")
    console.print(table)


def customers_list(
    ctx: typer.Context,
    search: Annotated[str, typer.Option("--search", help="Filter by code or name.")] = "",
    limit: Annotated[int, typer.Option("--limit")] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Customers with their open balance, largest first."""
    from cobro.ledger.service.summary import list_customers

    container = state(ctx).container()
    with container.uow() as uow:
        rows = list_customers(uow, limit=limit, search=search)
    if as_json:
        print_json([{"code": r.code, "legal_name": r.legal_name, "country": r.country, "segment": r.segment,
                     "open_items": r.open_items,
                     "balance": {c: Money.from_minor(v, c).format_plain() for c, v in r.balance_minor.items()}}
                    for r in rows])
        return
    table = Table(title="Customers")
    for col in ("code", "name", "country", "segment", "open items", "balance"):
        table.add_column(col, justify="right" if col in ("open items", "balance") else "left")
    for r in rows:
        balance = ", ".join(str(Money.from_minor(v, c)) for c, v in r.balance_minor.items()) or "0"
        table.add_row(r.code, r.legal_name, r.country, r.segment, str(r.open_items), balance)
    console.print(table)


def show_customer(ctx: typer.Context, code: str, as_of: str | None, as_json: bool,
                  sections: Sequence[CustomerSection]) -> None:
    from cobro.ledger.service.customers import customer_statement

    container = state(ctx).container()
    try:
        with container.uow() as uow:
            day = parse_day(as_of) if as_of else container.clock.today()
            data = customer_statement(uow, code, as_of=day).as_json()
            extra = [section(uow, code, day) for section in sections]
    except CobroError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json({**data, **{s.key: s.data for s in extra}})
        return
    c = data["customer"]
    console.print(f"[bold]{c['code']}[/] {c['legal_name']}  ({c['country']} {c['tax_id']})  segment {c['segment'] or '-'}"
                  f"  owner {c['account_owner'] or '-'}  collector {c['collector'] or '-'}  terms {c['terms']}")
    where = c["address"]
    postal = ", ".join(p for p in (where["street"], " ".join(x for x in (where["postal_code"], where["city"]) if x),
                                   where["region"]) if p)
    console.print(f"address: {postal or '-'}", highlight=False)
    console.print(f"credit limit: {c['credit_limit'] or '-'}   balance: {data['balance']}   "
                  f"unapplied credit: {data['unapplied'] or '-'}")
    for section in extra:
        for line in section.lines:
            console.print(line, highlight=False)
    items = Table(title="Open items")
    for col in ("invoice", "kind", "inst", "issued", "due", "days past due", "open", "disputed"):
        items.add_column(col)
    for it in data["open_items"]:
        items.add_row(it["invoice"], it["kind"], str(it["seq"]), it["issue_date"], it["due_date"],
                      str(it["days_past_due"]), f"{it['open']} {it['currency']}", "yes" if it["disputed"] else "")
    console.print(items)
    contacts = Table(title="Contacts")
    for col in ("name", "role", "email", "phone", "channel"):
        contacts.add_column(col)
    for ct in data["contacts"]:
        contacts.add_row(ct["name"], ct["role"], ct["email"], ct["phone"], ct["preferred_channel"])
    console.print(contacts)
