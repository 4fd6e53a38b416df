"""`cobro interest`: statutory late-payment interest and compensation for one invoice."""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cobro.kernel.dates import parse_day

if TYPE_CHECKING:
    from cobro.kernel.rates import RateSource


def _parse_date(value: str, what: str) -> dt.date:
    try:
        return parse_day(value)  # YYYY-MM-DD within 1990-01-01..2100-12-31, like every --as-of
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from None


def _fmt(amount: Decimal, currency: str) -> str:
    from cobro.kernel.money import exponent

    return f"{amount:,.{exponent(currency)}f}"


def _rates(ctx: typer.Context, rates_dir: str | None) -> RateSource:
    """The container's rate book (shipped tables plus `Settings.rates_dir`), or a book for the directory given
    with `--rates-dir` when that is another one."""
    from cobro.platform.cli.context import state
    from cobro.platform.rates import RateBook

    container = state(ctx).container()
    if rates_dir is None or Path(rates_dir) == container.settings.rates_dir:
        return container.rates
    return RateBook(rates_dir)


def register(root: typer.Typer) -> None:
    from cobro.interest import rates_cli

    rates_cli.register(root)  # `cobro rates add|import|list`: the operator's rows of the same rate book

    @root.command("interest")
    def interest(
        ctx: typer.Context,
        *,
        jurisdiction: Annotated[str, typer.Option("--jurisdiction", "-j", help="ES, EU, UK (GB), CL, MX, CO, PE")],
        amount: Annotated[str, typer.Option(help="Invoice amount (principal), e.g. 12100.00")],
        currency: Annotated[str, typer.Option(help="ISO 4217 currency, e.g. EUR")],
        due: Annotated[str, typer.Option(help="Due date, YYYY-MM-DD")],
        paid: Annotated[str, typer.Option(help="Payment (or as-of) date, YYYY-MM-DD; interest includes this day")],
        payment: Annotated[list[str] | None, typer.Option(
            "--payment", help="Partial payment DATE:AMOUNT (repeatable); reduces the principal from the next day")] = None,
        agreed_rate: Annotated[str | None, typer.Option(help="Contractual rate, percent a year")] = None,
        day_count: Annotated[str, typer.Option(help="ACT/365F, ACT/360 or ACT/ACT")] = "ACT/365F",
        compensation: Annotated[str | None, typer.Option(help="Override the fixed compensation amount")] = None,
        rates_dir: Annotated[str | None, typer.Option(
            envvar="COBRO_RATES_DIR", help="Directory with extra rate rows (<table_id>*.csv)")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON (amounts as decimal strings)")] = False,
    ) -> None:
        """Statutory late-payment interest and fixed compensation (docs/analytics.md)."""
        from cobro.interest.domain import DayCount, InterestError, Payment, compute_late_interest
        from cobro.kernel.money import D, MoneyError, check_currency
        from cobro.kernel.rates import RateTableError

        try:
            cur = check_currency(currency)
            payments = []
            for raw in payment or []:
                date_part, sep, amount_part = raw.partition(":")
                if not sep:
                    raise ValueError(f"--payment must be DATE:AMOUNT, got {raw!r}")
                payments.append(Payment(_parse_date(date_part, "--payment"), D(amount_part)))
            if day_count not in ("ACT/365F", "ACT/360", "ACT/ACT"):
                raise ValueError(f"--day-count must be ACT/365F, ACT/360 or ACT/ACT, got {day_count!r}")
            dc: DayCount = day_count  # type: ignore[assignment]
            result = compute_late_interest(
                jurisdiction, D(amount), cur, _parse_date(due, "--due"), _parse_date(paid, "--paid"),
                payments=payments, agreed_rate=None if agreed_rate is None else D(agreed_rate), day_count=dc,
                rates=_rates(ctx, rates_dir), compensation=None if compensation is None else D(compensation),
            )
        except (InterestError, RateTableError, MoneyError, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc

        if as_json:
            from cobro.kernel.money import quantum

            q = quantum(cur)
            doc = {
                "jurisdiction": result.jurisdiction, "currency": result.currency,
                "principal": str(result.principal.quantize(q)), "balance": str(result.balance.quantize(q)),
                "due_date": result.due_date.isoformat(), "end_date": result.end_date.isoformat(),
                "days_late": result.days_late, "day_count": result.day_count,
                "interest": str(result.interest), "compensation": str(result.compensation),
                "claim": str(result.claim), "total": str(result.total.quantize(q)),
                "periods": [
                    {"start": p.start.isoformat(), "end": p.end.isoformat(), "days": p.days, "rate": str(p.rate),
                     "principal": str(p.principal), "interest": str(p.interest), "source": p.source,
                     "status": p.status}
                    for p in result.periods
                ],
                "notes": list(result.notes),
            }
            sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
            return

        from rich import box
        from rich.console import Console
        from rich.table import Table

        console = Console()
        table = Table(title=f"Late-payment interest ({result.jurisdiction}, {result.day_count})")
        table.box = box.SIMPLE_HEAD
        table.pad_edge = False
        for column in ("from", "to", "days", "rate %", "principal", "interest", "source"):
            is_text = column in ("from", "to", "source")
            table.add_column(column, justify="left" if is_text else "right", no_wrap=column != "source")
        for p in result.periods:
            source = p.source.split(": ", 1)[-1]
            table.add_row(p.start.isoformat(), p.end.isoformat(), str(p.days), f"{p.rate:.2f}",
                          _fmt(p.principal, cur), _fmt(p.interest, cur), f"{source} [{p.status or '-'}]")
        if result.periods:
            table.caption = ("rows rounded for display; total = exact sum rounded once"
                             + (f"; rates: {result.periods[0].source.split(': ', 1)[0]}"
                                if ": " in result.periods[0].source else ""))
        if result.periods:
            console.print(table)
        for note in result.notes:
            console.print(f"note: {note}")
        console.print(f"{result.days_late} days late, {result.jurisdiction} statutory interest + compensation:")
        console.print(f"[bold]{_fmt(result.interest, cur)} + {_fmt(result.compensation, cur)}[/bold] {cur} "
                      f"= {_fmt(result.claim, cur)} {cur}")
