"""`cobro analyze FILE --out report.html|pdf|xlsx`: portfolio technical analysis of a raw ledger export.

No database: the file is read and validated with the import rules (`read_ledger_frame`), analysed with polars and
the domain formulas, and rendered.  `--out` may be given several times to write several formats in one run.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from cobro.kernel.errors import CobroError
from cobro.platform.cli.context import console, fail, parse_day, state


def register(root: typer.Typer) -> None:
    """Mount `cobro analyze` on the root app."""

    @root.command("analyze")
    def analyze(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="Ledger export (CSV or XLSX).", exists=True, dir_okay=False)],
        out: Annotated[list[Path], typer.Option("--out", help="report.html, report.pdf or report.xlsx (repeatable).")],
        mapping: Annotated[Path | None, typer.Option("--mapping", help="Column mapping YAML.")] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="Analysis date (default: latest invoice date).")] = None,
        lang: Annotated[str, typer.Option("--lang", help="es or en.")] = "es",
        jurisdiction: Annotated[str, typer.Option("--jurisdiction", help="Late-payment law: ES, EU, UK, ...")] = "ES",
        lgd: Annotated[str, typer.Option("--lgd", help="Loss given default for the provision, 0..1.")] = "0.9",
        currency: Annotated[str | None, typer.Option("--currency", help="Report currency (default: most open).")] = None,
        cost_of_funds: Annotated[str, typer.Option("--cost-of-funds", help="Annual rate, 0.06 = 6 %.")] = "0.06",
    ) -> None:
        """How much cash is blocked in receivables, how old, with whom, what it costs and what can be recovered."""
        from cobro.interest.domain import InterestError
        from cobro.ledger.imports.frame import read_ledger_frame
        from cobro.reporting.domain.costs import CostParameters
        from cobro.reporting.portfolio.analysis import Options
        from cobro.reporting.portfolio.analysis import analyze as run
        from cobro.reporting.portfolio.render import FORMATS, write_report

        if lang not in ("es", "en"):
            raise fail("--lang must be es or en")
        bad = [p for p in out if p.suffix.lower() not in FORMATS]
        if bad:
            raise fail(f"{bad[0].name}: --out must end in .html, .pdf or .xlsx")
        try:
            options = Options(as_of=parse_day(as_of) if as_of else None, jurisdiction=jurisdiction,
                              currency=currency.upper() if currency else None,
                              lgd=Decimal(lgd), cost=CostParameters(cost_of_funds=Decimal(cost_of_funds)))
        except (InvalidOperation, ValueError) as exc:
            raise fail(f"bad option: {exc}") from exc
        try:
            frame = read_ledger_frame(file, mapping)
            container = state(ctx).container()
            portfolio = run(frame, options, rates=container.rates, today=container.clock.today())
        except (CobroError, InterestError) as exc:
            raise fail(str(exc)) from exc
        for path in out:
            write_report(portfolio, path, lang, source=file.name)
            console.print(f"wrote {path} ({path.stat().st_size:,} bytes)")
        console.print(f"as of {portfolio.as_of}: {portfolio.open_count} open invoices, "
                      f"{portfolio.open_total} {portfolio.currency} open, {portfolio.overdue} overdue")
