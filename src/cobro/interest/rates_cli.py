"""`cobro rates add|import|list`: the operator's rate rows, in the rate book every computation reads.

Rows are written to `<table_id>_operator.csv` in the operator's rates directory (`COBRO_RATES_DIR`, the
`rates_dir` setting): the same folder the container's rate book (`container.rates`) merges with the shipped tables,
so letters, the cycle, the evidence pack, reports and `cobro interest` all see an added row.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from cobro.interest.domain.operator_rows import OperatorRow

rates_app = typer.Typer(help="Operator-supplied late-payment rates (docs/interest.md).", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _rates_dir(ctx: typer.Context) -> Path:
    from cobro.platform.cli.context import state

    folder = state(ctx).settings.rates_dir
    if folder is None:
        raise _fail("no operator rates directory: set COBRO_RATES_DIR to the folder the rate book reads "
                    "(the rates_dir setting); cobro rates add writes there")
    return Path(folder)


def _store(ctx: typer.Context, rows: list[OperatorRow]) -> None:
    from cobro.kernel.rates import RateTableError
    from cobro.platform.rates import store_operator_rows

    folder = _rates_dir(ctx)
    by_table: dict[str, list[Any]] = {}
    for r in rows:
        by_table.setdefault(r.table_id, []).append(r.row)
    try:
        paths = store_operator_rows(folder, by_table)
    except (RateTableError, OSError) as exc:
        raise _fail(f"{exc} (nothing written)") from exc
    for r in rows:
        typer.echo(f"{r.table_id}: {r.row.valid_from}..{r.row.valid_to} {r.row.rate} % ({r.row.source})")
    typer.echo(f"{len(rows)} row(s) stored in {', '.join(str(p) for p in paths)}")


@rates_app.command("add")
def add(
    ctx: typer.Context,
    *,
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", "-j", help="ES, EU, UK (GB), CL, CO, PE")],
    valid_from: Annotated[str, typer.Option("--from", help="First day the rate applies, YYYY-MM-DD")],
    valid_to: Annotated[str, typer.Option("--to", help="Last day the rate applies (inclusive), YYYY-MM-DD")],
    rate: Annotated[str, typer.Option(help="Percent a year as the source publishes it, e.g. 10.15")],
    source: Annotated[str, typer.Option(help="Where the rate is published (e.g. BOE-A-2026-12345)")],
    kind: Annotated[str, typer.Option(help="Rate series; default the jurisdiction's statutory one")] = "",
    status: Annotated[str, typer.Option(help="V checked against the source, K, or ?")] = "V",
) -> None:
    """Add (or correct) one rate row."""
    from cobro.interest.domain import InterestError
    from cobro.interest.domain.operator_rows import operator_row

    fields = {"jurisdiction": jurisdiction, "kind": kind, "valid_from": valid_from, "valid_to": valid_to,
              "rate": rate, "source": source, "status": status}
    try:
        row = operator_row(fields, where="cobro rates add", origin="cobro rates add")
    except InterestError as exc:
        raise _fail(str(exc)) from exc
    _store(ctx, [row])


@rates_app.command("import")
def import_rows(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV: jurisdiction,kind,valid_from,valid_to,rate,source[,status]")],
) -> None:
    """Add every row of a CSV file; one bad row and nothing is written."""
    from cobro.interest.domain import InterestError
    from cobro.interest.domain.operator_rows import parse_import

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"{file}: cannot read: {exc}") from exc
    try:
        rows = parse_import(text, file.name)
    except InterestError as exc:
        raise _fail(f"{exc} (nothing written)") from exc
    _store(ctx, rows)


@rates_app.command("list")
def list_rows(
    ctx: typer.Context,
    *,
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", "-j", help="Only this jurisdiction")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Every rate row the book holds, shipped and the operator's, with its source and the file it came from."""
    from cobro.interest.domain import RULES, InterestError, rule_for
    from cobro.kernel.rates import RateTableError
    from cobro.platform.cli.context import state
    from cobro.platform.rates import RateBook

    try:
        codes = [rule_for(jurisdiction).code] if jurisdiction else sorted(RULES)
        book = RateBook(state(ctx).settings.rates_dir)
        out: list[dict[str, str]] = []
        for code in codes:
            rule = RULES[code]
            if rule.mode == "flat":
                out.append({"jurisdiction": code, "table": "", "valid_from": "", "valid_to": "",
                            "rate": str(rule.flat_rate), "source": rule.name, "status": "V", "origin": "statute"})
                continue
            for r in book.table(rule.table_id).rows:
                out.append({"jurisdiction": code, "table": rule.table_id, "valid_from": r.valid_from.isoformat(),
                            "valid_to": r.valid_to.isoformat(), "rate": str(r.rate), "source": r.source,
                            "status": r.status, "origin": Path(r.origin).name})
    except (InterestError, RateTableError) as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
        return
    for d in out:
        span = f"{d['valid_from']}..{d['valid_to']}" if d["valid_from"] else "always"
        typer.echo(f"{d['jurisdiction']:3} {d['table'] or '-':26} {span:23} {d['rate']:>7} % "
                   f"[{d['status']}] {d['source']} ({d['origin']})")
    if not out:
        typer.echo("no rows")


def register(root: typer.Typer) -> None:
    root.add_typer(rates_app, name="rates")
