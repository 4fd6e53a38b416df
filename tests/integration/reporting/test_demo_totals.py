"""The demo prints one open total per currency: its ledger summary step and its portfolio step agree.

The portfolio step used to analyse a frame of whole invoices with a settlement date only, so an invoice paid in
part counted at its full amount there and at its open rest in the summary (on the default demo the summary said
2,324,677.60 EUR and the portfolio step 2,396,279.60).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from sqlalchemy import text

from cobro.demo import repository as demo_writer
from cobro.demo.generator import DemoSpec
from cobro.demo.story import reports_step, summary_step
from cobro.platform.container import Container

AS_OF = dt.date(2026, 6, 30)


def test_summary_and_portfolio_steps_print_the_same_eur_total(container: Container, tmp_path: Path) -> None:
    with container.engine.begin() as conn:
        demo_writer.write_demo(conn, tenant_code="default", spec=DemoSpec(debtors=30, invoices=600, seed=11,
                                                                          as_of=AS_OF))
    with container.engine.connect() as conn:  # the case that used to differ: invoices open and paid in part
        part_paid = conn.execute(text(
            "SELECT COUNT(*) FROM instalments WHERE paid_minor > 0 AND open_minor > 0 AND currency = 'EUR'")).scalar()
    assert part_paid
    console = Console(record=True, width=200)
    summary_step(container, tmp_path, AS_OF, console)
    reports_step(container, tmp_path, AS_OF, console)
    printed = console.export_text()
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    match = re.search(r"^open ([\d,.]+) EUR in \d+ invoices, ([\d,.]+) overdue", printed, re.MULTILINE)
    assert match, printed
    assert match.group(1).replace(",", "") == summary["open_amount"]["EUR"]
    assert re.search(rf"open EUR\s*│\s*{re.escape(summary['open_amount']['EUR'])}\s", printed)
    ageing = json.loads((tmp_path / "report_ageing.json").read_text(encoding="utf-8"))["currency"]["EUR"]
    assert ageing["total"] == summary["open_amount"]["EUR"]
    overdue = sum(Decimal(b["amount"]) for b in ageing["buckets"] if b["from"] is not None)
    assert Decimal(match.group(2).replace(",", "")) == overdue
