"""`cobro comment add CUSTOMER [--invoice N] TEXT` and `cobro comment list CUSTOMER [--json]`."""

from __future__ import annotations

from typing import Annotated

import typer

from cobro.kernel.errors import CobroError
from cobro.platform.cli.context import console, fail, print_json, state

app = typer.Typer(help="Comments between finance and sales on a customer or an invoice (@mentions notify).",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="comment")


@app.command("add")
def add(ctx: typer.Context, customer: Annotated[str, typer.Argument(help="The customer's code.")],
        text: Annotated[str, typer.Argument(help='The comment; @ana, @ana@example.com or @"Ana García" mentions '
                                                 "a user, who gets an e-mail.")],
        invoice: Annotated[str, typer.Option("--invoice", help="The invoice number it is about.")] = "",
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Write a comment on a customer (or one of its invoices); it lands on the customer's timeline."""
    from cobro.comments import service

    container = state(ctx).container()
    try:
        with container.uow() as uow:
            made = service.add_comment(uow, customer=customer, invoice=invoice, text=text,
                                       today=container.clock.today())
            uow.commit()
    except CobroError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(made.as_json())
        return
    note = f"; {', '.join(made.notified)} notified" if made.notified else ""
    console.print(f"comment #{made.comment.id} on {made.comment.customer}{note}", markup=False, highlight=False)


@app.command("list")
def list_(ctx: typer.Context, customer: Annotated[str, typer.Argument(help="The customer's code.")],
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """A customer's comments, oldest first."""
    from cobro.comments import service

    try:
        with state(ctx).container().uow() as uow:
            found = service.list_comments(uow, customer=customer)
    except CobroError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json([c.as_json() for c in found])
        return
    if not found:
        console.print(f"No comments on {customer}.", markup=False, highlight=False)
    for c in found:  # text typed by people: printed as written, never as console markup
        about = f" (invoice {c.invoice})" if c.invoice else ""
        console.print(f"#{c.id} {c.day.isoformat()} {c.author}{about}:", markup=False, highlight=False)
        console.print(f"  {c.text}", markup=False, highlight=False)
