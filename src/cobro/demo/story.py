"""The guided `cobro demo`: an ordered list of steps, each showing one capability on the demo ledger.

How to add a step
-----------------
1. Write a function ``(container, out_dir, as_of, console) -> None``.  It reads what it needs through the
   features' services (never their records or repositories), prints a short Rich section to `console`, and may write files
   (JSON, CSV, PDF ...) into `out_dir`.  Import heavy modules inside the function so `cobro --help` stays
   fast, and never commit half-done work: use ``with container.uow() as uow: ...; uow.commit()``.
2. Append ``DemoStep("name", "Title shown in the demo", your_function)`` to `STEPS` below.  The list order
   is the story order; init and generate always run first (see `story`).

A step that raises is reported and the story goes on; `run_story` returns the names of failed steps.

This module orchestrates (it calls the features' services); the pure generation lives in
`cobro.demo.generator` and `cobro.demo.parties`, which never import `cobro.db`.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cobro.demo.collections_story import collections_step
from cobro.demo.creditor import profile_step
from cobro.demo.financials_story import financials_step
from cobro.demo.generator import DemoSpec
from cobro.demo.predictions_story import predictions_step
from cobro.demo.risk_story import risk_step

if TYPE_CHECKING:
    from cobro.demo.repository import DemoCounts
    from cobro.platform.container import Container

Step = Callable[["Container", Path, dt.date, Console], None]


@dataclass(frozen=True, slots=True)
class DemoStep:
    name: str
    title: str
    run: Step


@dataclass(frozen=True, slots=True)
class DemoSize:
    debtors: int = 200
    invoices: int = 4000
    seed: int = 7


def generate_into(container: Container, spec: DemoSpec, console: Console | None) -> tuple[DemoCounts, float]:
    """Write the demo ledger in one transaction, with Rich progress bars when `console` is given.

    Returns the counts and the elapsed seconds.
    """
    from cobro.demo.repository import write_demo

    started = time.perf_counter()
    if console is None:
        with container.engine.begin() as conn:
            counts = write_demo(conn, tenant_code=container.settings.tenant, spec=spec)
        return counts, time.perf_counter() - started
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        parties = progress.add_task("debtors", total=spec.debtors)
        documents = progress.add_task("invoices", total=spec.invoices)

        def on_progress(stage: str, n: int) -> None:
            progress.update(parties if stage == "customers" else documents, completed=n)

        with container.engine.begin() as conn:
            counts = write_demo(conn, tenant_code=container.settings.tenant, spec=spec, on_progress=on_progress)
    return counts, time.perf_counter() - started


def init_step(container: Container, out_dir: Path, as_of: dt.date, console: Console) -> None:
    """Create the schema (Alembic migrations) and the default tenant."""
    from cobro.platform.container import migrate

    migrate(container)
    console.print(f"database ready: {container.engine.url.render_as_string(hide_password=True)}")


def generate_step(container: Container, out_dir: Path, as_of: dt.date, console: Console, *,
                  size: DemoSize) -> None:
    """Generate the demo ledger: debtors, contacts, 18 months of invoices and the payments made so far."""
    spec = DemoSpec(debtors=size.debtors, invoices=size.invoices, seed=size.seed, as_of=as_of)
    counts, seconds = generate_into(container, spec, console)
    table = Table(title=f"Demo ledger (seed {size.seed}, as of {as_of})", show_header=False)
    for key, value in counts.as_dict().items():
        if key != "behaviours":
            table.add_row(key.replace("_", " "), str(value))
    table.add_row("payer behaviours", ", ".join(f"{b} {n}" for b, n in sorted(counts.behaviours.items())))
    table.add_row("rows per second", f"{counts.rows / max(seconds, 1e-9):,.0f}")
    console.print(table)
    (out_dir / "generated.json").write_text(json.dumps(counts.as_dict(), indent=2) + "\n", encoding="utf-8")


def summary_step(container: Container, out_dir: Path, as_of: dt.date, console: Console) -> None:
    """The ledger summary: customers, invoices, open invoices and open amount per currency."""
    from cobro.ledger.service.summary import ledger_summary

    with container.uow() as uow:
        data = ledger_summary(uow, as_of).model_dump()
    table = Table(title=f"Ledger as of {as_of}", show_header=False)
    for key in ("customers", "invoices", "open_invoices"):
        table.add_row(key.replace("_", " "), str(data[key]))
    for label, key in (("open", "open_amount"), ("credit notes + unapplied cash", "unapplied_credit")):
        for cur, amount in dict(data[key]).items():
            table.add_row(f"{label} {cur}", str(amount))
    console.print(table)
    (out_dir / "summary.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def top_customers_step(container: Container, out_dir: Path, as_of: dt.date, console: Console) -> None:
    """The ten customers with the largest open balance, with the payer behaviour the generator gave them."""
    from cobro.demo.parties import EUR_RATE
    from cobro.kernel.money import Money, exponent
    from cobro.ledger.service.summary import list_customers

    with container.uow() as uow:
        rows = list_customers(uow, limit=10**9)

    def eur(balance: dict[str, int]) -> float:  # rough, for ranking across currencies only
        return sum(float(v) / float(10 ** exponent(c)) / EUR_RATE.get(c, 1.0) for c, v in balance.items())

    rows.sort(key=lambda r: -eur(r.balance_minor))
    table = Table(title="Top customers by open balance")
    for col in ("code", "name", "country", "behaviour", "open items", "balance", "~EUR"):
        table.add_column(col, justify="right" if col in ("open items", "balance", "~EUR") else "left")
    out = []
    for r in rows[:10]:
        balance, n = r.balance_minor, r.open_items
        text = ", ".join(str(Money.from_minor(v, c)) for c, v in balance.items()) or "0"
        table.add_row(r.code, r.legal_name, r.country, r.behaviour, str(n), text, f"{eur(balance):,.0f}")
        out.append({"code": r.code, "legal_name": r.legal_name, "behaviour": r.behaviour, "open_items": n,
                    "balance": {c: Money.from_minor(v, c).format_plain() for c, v in balance.items()}})
    console.print(table)
    (out_dir / "top_customers.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n",
                                                encoding="utf-8")


def reports_step(container: Container, out_dir: Path, as_of: dt.date, console: Console) -> None:
    """Ageing, KPIs and IFRS 9 provision as JSON, and the portfolio analysis as HTML, PDF and XLSX."""
    from cobro.reporting import service as reporting
    from cobro.reporting.domain.aging import parse_bucket_spec
    from cobro.reporting.portfolio.analysis import Options, analyze
    from cobro.reporting.portfolio.render import write_report

    with container.uow() as uow:
        reports = {
            "ageing": reporting.ageing_report(uow, as_of, parse_bucket_spec()).as_json(),
            "kpis": reporting.kpi_report(uow, as_of, 90, trend_months=12).as_json(),
            "provision": reporting.provision_report(uow, as_of).as_json(),
        }
        frame = reporting.ledger_frame(uow)
    for name, data in reports.items():
        (out_dir / f"report_{name}.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                                                     encoding="utf-8")
    portfolio = analyze(frame, Options(as_of=as_of), rates=container.rates, today=as_of)
    for suffix in ("html", "pdf", "xlsx"):
        write_report(portfolio, out_dir / f"portfolio.{suffix}", "es", source="demo")
    console.print(f"open {portfolio.open_total:,} {portfolio.currency} in {portfolio.open_count} invoices, "
                  f"{portfolio.overdue:,} overdue; DSO {portfolio.kpis.get('dso') or 0:.1f} days")
    console.print(f"wrote report_ageing/kpis/provision.json and portfolio.html/.pdf/.xlsx in {out_dir}")


# The capability steps, in story order.  Append yours here (see the module docstring).
STEPS: list[DemoStep] = [
    DemoStep("summary", "Ledger summary", summary_step),
    DemoStep("top-customers", "Top customers", top_customers_step),
    DemoStep("reports", "Receivables reports and portfolio analysis", reports_step),
    DemoStep("risk", "Payment-date model, cash forecast, risk, classification and recommendations", risk_step),
    DemoStep("financials", "Debtors' accounts, bankruptcy model and solvency in the risk score", financials_step),
    DemoStep("collections", "Collections cycle for four simulated weeks, delivered to local sinks", collections_step),
    DemoStep("predictions", "Stored payment-date predictions of every open instalment", predictions_step),
]


def story(size: DemoSize) -> list[DemoStep]:
    """The full story: init and generate first, then every registered capability step."""
    return [
        DemoStep("init", "Create the database", init_step),
        DemoStep("generate", "Generate the demo ledger", partial(generate_step, size=size)),
        DemoStep("profile", "The creditor's profile: legal identity, bank details, sender", profile_step),
        *STEPS,
    ]


def run_story(container: Container, out_dir: Path, as_of: dt.date, console: Console, *,
              size: DemoSize) -> list[str]:
    """Run every step; return the names of the steps that failed (the story goes on after a failure)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []
    steps = story(size)
    for number, step in enumerate(steps, start=1):
        console.rule(f"[bold]{number}/{len(steps)} {step.title}")
        try:
            step.run(container, out_dir, as_of, console)
        except Exception as exc:  # one broken capability must not end the demo
            console.print(f"[red]step {step.name!r} failed:[/] {exc}")
            failed.append(step.name)
            if step.name in ("init", "generate"):
                break  # nothing after these can work without a ledger
    return failed
