"""`cobro report ageing|kpis|provision|cost`: receivables reports from the database, as of any date."""

from __future__ import annotations

import io
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cobro.kernel.cells import as_number, csv_writer, neutralise_workbook
from cobro.kernel.errors import CobroError
from cobro.platform.cli.context import console, day_or_today, fail, state

app = typer.Typer(help="Receivables reports: ageing, KPIs, IFRS 9 provision, cost of delinquency.",
                  no_args_is_help=True)

FORMATS = ("table", "csv", "json", "xlsx")
AsOf = Annotated[str | None, typer.Option("--as-of", help="Report date YYYY-MM-DD (default: today).")]
Format = Annotated[str, typer.Option("--format", help="table, csv, json or xlsx.")]
Out = Annotated[Path | None, typer.Option("--out", help="Write to this file (required for xlsx).")]

Sheet = tuple[str, list[str], list[list[Any]]]  # (title, header, rows)


def _run(ctx: typer.Context, fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    container = state(ctx).container()
    try:
        with container.uow() as uow:
            result: dict[str, Any] = fn(uow, *args, **kwargs).as_json()
            return result
    except (CobroError, ValueError) as exc:
        raise fail(str(exc)) from exc


# Columns of names, codes and labels: text however they look (a customer coded "+1" is not a number).  Every other
# column holds amounts, counts and rates as decimal strings, written as numbers (`as_number`) so a spreadsheet sums
# them; `csv_writer` and `neutralise_workbook` then keep any text from running as a formula.
_TEXT_COLUMNS = frozenset({"currency", "bucket", "key", "label", "KPI", "month_end", "from", "to", "customer",
                           "invoice"})


def _typed(header: list[str], row: list[Any]) -> list[Any]:
    return [v if h in _TEXT_COLUMNS else as_number(v) for h, v in zip(header, row, strict=False)] + row[len(header):]


def _emit(data: dict[str, Any], sheets: list[Sheet], fmt: str, out: Path | None) -> None:
    if fmt not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}")
    if fmt == "xlsx":
        if out is None:
            raise fail("--format xlsx needs --out FILE.xlsx")
        from openpyxl import Workbook

        wb = Workbook()
        wb.remove(wb.active)
        for title, header, rows in sheets:
            ws = wb.create_sheet(title[:31])
            ws.append(header)
            for row in rows:
                ws.append(_typed(header, row))
            for col in ws.iter_cols(min_row=2):
                for c in col:
                    if isinstance(c.value, Decimal):
                        c.number_format = "#,##0.00"
        neutralise_workbook(wb)  # debtors' names and codes must not run as formulas
        wb.save(out)
        console.print(f"wrote {out}")
        return
    if fmt == "json":
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv_writer(buf, lineterminator="\n")
        for title, header, rows in sheets:
            if len(sheets) > 1:
                writer.writerow([f"# {title}"])
            writer.writerow(header)
            writer.writerows(_typed(header, row) for row in rows)
        text = buf.getvalue()
    else:
        for title, header, rows in sheets:
            table = Table(title=title)
            for h in header:
                table.add_column(h, justify="left" if h in ("currency", "bucket", "key", "label") else "right")
            for row in rows:
                table.add_row(*("" if v is None else str(v) for v in row))
            console.print(table)
        return
    if out is not None:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")
    else:
        typer.echo(text, nl=False)


@app.command("ageing")
def ageing(
    ctx: typer.Context,
    as_of: AsOf = None,
    buckets: Annotated[str, typer.Option("--buckets", help="Bucket edges in days.")] = "0,30,60,90,120",
    basis: Annotated[str, typer.Option("--basis", help="due (days past due) or invoice (days since invoice).")] = "due",
    by: Annotated[str | None, typer.Option("--by", help="Break down by customer or segment.")] = None,
    fmt: Format = "table",
    out: Out = None,
) -> None:
    """Open receivables by age bucket, per currency; credit notes and unapplied cash apart."""
    from cobro.reporting.domain.aging import parse_bucket_spec
    from cobro.reporting.service import ageing_report

    if by not in (None, "customer", "segment"):
        raise fail("--by must be customer or segment")
    try:
        spec = parse_bucket_spec(buckets, basis)  # type: ignore[arg-type]
    except CobroError as exc:
        raise fail(str(exc)) from exc
    data = _run(ctx, ageing_report, day_or_today(ctx, as_of), spec, by)
    labels = spec.labels
    basis_label = "days past due" if spec.basis == "due" else "days since invoice"
    title = f"Ageing as of {data['as_of']} ({basis_label})"
    if by is None:  # one row per bucket reads better than a wide row
        tall: list[list[Any]] = []
        for cur, entry in data["currency"].items():
            tall += [[cur, b["label"], b["amount"], b["count"]] for b in entry["buckets"]]
            tall += [[cur, "total", entry["total"], entry["count"]], [cur, "credit notes", entry["credit_notes"], ""],
                     [cur, "unapplied cash", entry["unapplied_cash"], ""], [cur, "net", entry["net"], ""]]
        _emit(data, [(title, ["currency", "bucket", "amount", "count"], tall)], fmt, out)
        return
    rows: list[list[Any]] = []
    for cur, entry in data["currency"].items():
        rows.append([cur, "TOTAL", *[b["amount"] for b in entry["buckets"]], entry["total"], entry["credit_notes"],
                     entry["unapplied_cash"], entry["net"]])
        for g in entry.get("groups", []):
            rows.append([cur, g["key"] or "-", *[b["amount"] for b in g["buckets"]], g["total"], "", "", ""])
    header = ["currency", "key", *labels, "total", "credit notes", "unapplied cash", "net"]
    _emit(data, [(title, header, rows)], fmt, out)


_KPI_ROWS = [
    ("dso", "DSO (standard)"), ("countback_dso", "DSO (countback)"), ("true_dso_oracle", "True DSO (Oracle)"),
    ("true_dso_amount_weighted", "True DSO (amount-weighted)"), ("bpdso", "Best possible DSO"),
    ("add", "Average days delinquent (DSO − BPDSO)"), ("add_direct", "Average days delinquent (direct)"),
    ("avg_days_beyond_terms", "Average days beyond terms"), ("avg_days_to_pay", "Average days to pay"),
    ("cei", "CEI %"), ("turnover", "Receivables turnover (annualised)"),
    ("avg_collection_period", "Average collection period"), ("percent_current", "% current"),
    ("percent_over_90", "% > 90 days past due"), ("sales", "Credit sales in window"), ("ar_begin", "AR begin"),
    ("ar_end", "AR end"), ("ar_current", "AR current"),
]


@app.command("kpis")
def kpis(
    ctx: typer.Context,
    as_of: AsOf = None,
    window_days: Annotated[int, typer.Option("--window-days", help="DSO/CEI window in days.")] = 90,
    trend: Annotated[int, typer.Option("--trend", help="Also compute the KPIs at the last N month-ends.")] = 0,
    fmt: Format = "table",
    out: Out = None,
) -> None:
    """DSO family, ADD, days beyond terms, days to pay, CEI, turnover, % current and % > 90."""
    from cobro.reporting.service import kpi_report

    data = _run(ctx, kpi_report, day_or_today(ctx, as_of), window_days, trend)
    sheets: list[Sheet] = []
    for cur, values in data["currency"].items():
        sheets.append((f"KPIs {cur} as of {data['as_of']} ({window_days}-day window)", ["KPI", cur],
                       [[label, values.get(key)] for key, label in _KPI_ROWS]))
    if data.get("trend"):
        keys = ["dso", "countback_dso", "bpdso", "add", "cei", "percent_current", "percent_over_90", "ar_end"]
        rows = [[t["month_end"], cur, *[v.get(k) for k in keys]]
                for t in data["trend"] for cur, v in t["currency"].items()]
        sheets.append(("Monthly trend", ["month_end", "currency", *keys], rows))
    if not sheets:
        sheets.append((f"KPIs as of {data['as_of']}", ["KPI", "value"], []))
    _emit(data, sheets, fmt, out)


@app.command("provision")
def provision(
    ctx: typer.Context,
    as_of: AsOf = None,
    lgd: Annotated[str, typer.Option("--lgd", help="Loss given default, 0..1.")] = "0.9",
    overlay: Annotated[str, typer.Option("--overlay", help="Forward-looking multiplier (1.10 = +10 %).")] = "1.0",
    months: Annotated[int, typer.Option("--months", help="Month-end snapshots to pool roll rates over.")] = 12,
    fmt: Format = "table",
    out: Out = None,
) -> None:
    """IFRS 9 provision matrix from roll rates over month-end ageing snapshots rebuilt from the ledger."""
    from cobro.reporting.service import provision_report

    try:
        lgd_d, overlay_d = Decimal(lgd), Decimal(overlay)
    except InvalidOperation as exc:
        raise fail("--lgd and --overlay must be decimal numbers") from exc
    data = _run(ctx, provision_report, day_or_today(ctx, as_of), lgd=lgd_d, overlay=overlay_d, months=months)
    rows: list[list[Any]] = []
    for cur, entry in data["currency"].items():
        for ln in entry["lines"]:
            rows.append([cur, ln["bucket"], ln["balance"], ln["chain"], ln["loss_rate"], ln["rate"], ln["ecl"]])
        rows.append([cur, "TOTAL", entry["total_balance"], "", "", entry.get("coverage"), entry["total_ecl"]])
    header = ["currency", "bucket", "balance", "chain to write-off %", "loss rate % (×LGD)", "rate % (overlay)",
              "ECL"]
    sheets: list[Sheet] = [(f"Provision matrix as of {data['as_of']} (LGD {lgd}, overlay ×{overlay})", header, rows)]
    roll = [[cur, r["from"], r["to"], r["rate"]] for cur, e in data["currency"].items() for r in e.get("roll_rates", [])]
    sheets.append((f"Roll rates over {len(data['snapshots'])} month-ends", ["currency", "from", "to", "rate %"], roll))
    _emit(data, sheets, fmt, out)


@app.command("cost")
def cost(
    ctx: typer.Context,
    as_of: AsOf = None,
    by: Annotated[str, typer.Option("--by", help="invoice or customer.")] = "customer",
    cost_of_funds: Annotated[str, typer.Option("--cost-of-funds", help="Annual rate, 0.06 = 6 %.")] = "0.06",
    hourly_cost: Annotated[str, typer.Option("--hourly-cost", help="Loaded cost of a collector hour.")] = "35",
    limit: Annotated[int, typer.Option("--limit", help="Rows shown in table/csv (0 = all).")] = 0,
    fmt: Format = "table",
    out: Out = None,
) -> None:
    """Cost of delinquency: nominal at risk, financing cost, staff cost and systemic charge."""
    from cobro.reporting.domain.costs import CostParameters
    from cobro.reporting.service import cost_report

    try:
        params = CostParameters(cost_of_funds=Decimal(cost_of_funds), hourly_cost=Decimal(hourly_cost))
    except (InvalidOperation, ValueError) as exc:
        raise fail(str(exc)) from exc
    data = _run(ctx, cost_report, day_or_today(ctx, as_of), by, params)
    cols = ["nominal_at_risk", "financing_cost", "staff_cost", "systemic_charge", "carrying_cost"]
    rows: list[list[Any]] = []
    for cur, entry in data["currency"].items():
        shown = entry["rows"][:limit] if limit else entry["rows"]
        rows += [[cur, r["key"], r["count"], *[r[c] for c in cols]] for r in shown]
        t = entry["total"]
        staff = str(Decimal(t["staff_cost_taken"]) + Decimal(t["staff_cost_planned"]))
        rows.append([cur, "TOTAL", t["count"], t["nominal_at_risk"], t["financing_cost"], staff,
                     t["systemic_charge"], t["carrying_cost"]])
    _emit(data, [(f"Cost of delinquency as of {data['as_of']} by {by}", ["currency", by, "invoices", *cols], rows)],
          fmt, out)
