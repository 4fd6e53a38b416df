"""`cobro statement parse FILE`: read any supported bank statement and show what cash application will see."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from cobro.cashapp.bank import ParsedStatement

app = typer.Typer(help="Bank statements: Norma 43, camt.052/053/054, MT940/MT942, pain.002 rejects.",
                  no_args_is_help=True)

EXIT_BAD_INPUT = 2


@app.callback()
def _statement() -> None:
    """Bank statements: Norma 43, camt.052/053/054, MT940/MT942, pain.002 rejects."""


@app.command("parse")
def parse(
    file: Annotated[Path, typer.Argument(help="Statement file (or a zip of statements).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the parse result as JSON.")] = False,
) -> None:
    """Parse a bank statement, autodetecting its format; exit code 2 when the file cannot be read."""
    from cobro.cashapp.bank import StatementParseError, parse_statement

    try:
        parsed = parse_statement(file)
    except StatementParseError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if as_json:
        typer.echo(json.dumps(parsed.to_json_dict(), indent=2, ensure_ascii=False))
        return
    _print_tables(parsed)


def _print_tables(parsed: ParsedStatement) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{parsed.format}[/bold]: {len(parsed.accounts)} account statement(s), "
                  f"{len(parsed.transactions)} movement(s)")
    for acc in parsed.accounts:
        balances = f"{_fmt(acc.opening_balance)} → {_fmt(acc.closing_balance)}"
        title = f"{acc.account or '(no account)'} {acc.currency}  {balances}"
        if acc.statement_id:
            title += f"  [{acc.statement_id}]"
        table = Table(title=escape(title), title_justify="left")
        for col, justify in (("booked", "left"), ("value", "left"), ("amount", "right"), ("reference", "left"),
                             ("counterparty", "left"), ("remittance", "left"), ("return", "left")):
            table.add_column(col, justify=justify)  # type: ignore[arg-type]
        for t in acc.transactions:
            party = " ".join(x for x in (t.counterparty_name, t.counterparty_account) if x)
            table.add_row(*(escape(v) for v in (_fmt(t.booking_date), _fmt(t.value_date), str(t.amount),
                                                  t.reference, party, t.remittance[:60], t.return_reason)))
        console.print(table)
    for warning in parsed.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False)


def _fmt(value: object) -> str:
    return "-" if value is None else str(value)
