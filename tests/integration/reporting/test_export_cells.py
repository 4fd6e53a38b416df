"""Exports that cannot execute (issue 14, break 6): debtor text in `cobro report` CSV and XLSX, on both databases.

Customers whose codes and segments are spreadsheet formulas are exported by customer and by segment: every such
cell is text starting with a quote, and the amounts stay numbers (a negative net included).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.ledger.records import InvoiceRow
from cobro.platform.container import Container
from tests.integration.collections.collections_builder import Ledger

runner = CliRunner()
HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1", "-2+3", "\t=1"]
AS_OF = "2025-10-06"


def hostile_ledger(container: Container) -> None:
    """One customer per hostile string (as its code, and the next one's as its segment), each with an overdue
    invoice; the last also holds a credit note of EUR 500, so the tenant's net is zero."""
    book = Ledger(container)
    ids = [book.customer(text, segment=HOSTILE[(n + 1) % len(HOSTILE)]) for n, text in enumerate(HOSTILE)]
    for n, cid in enumerate(ids):
        book.invoice(cid, f"F-{n}", dt.date(2025, 9, 1), "100.00")
    with container.uow() as uow:
        uow.session.add(InvoiceRow(tenant_id=book.tenant, customer_id=ids[-1], number="CN-1", kind="credit_note",
                                   issue_date=dt.date(2025, 9, 2), due_date=dt.date(2025, 9, 2), currency="EUR",
                                   amount_minor=-50_000, open_minor=50_000, status="open", disputed=False))
        uow.commit()


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_ageing_csv_and_xlsx_quote_debtor_text_and_keep_numbers(container: Container, cli_env: dict[str, str],
                                                                tmp_path: Path) -> None:
    hostile_ledger(container)
    for by in ("customer", "segment"):
        rows = list(csv.reader(io.StringIO(cli("report", "ageing", "--as-of", AS_OF, "--by", by, "--format", "csv"),
                                           newline="")))
        header = rows[0]
        keys = [r[header.index("key")] for r in rows[1:] if r[header.index("key")] != "TOTAL"]
        assert sorted(keys) == sorted("'" + t for t in HOSTILE)
        total = next(r for r in rows if r[header.index("key")] == "TOTAL")
        assert total[header.index("net")] == "0.00" and total[header.index("total")] == "500.00"

        out = tmp_path / f"ageing-{by}.xlsx"
        cli("report", "ageing", "--as-of", AS_OF, "--by", by, "--format", "xlsx", "--out", str(out))
        ws = load_workbook(out).active
        assert ws is not None
        cells = list(ws.iter_rows(min_row=2))
        heads = [c.value for c in next(ws.iter_rows(max_row=1))]
        keys_x = [r[heads.index("key")] for r in cells if r[heads.index("key")].value != "TOTAL"]
        assert all(c.data_type == "s" for c in keys_x)
        assert sorted(c.value for c in keys_x) == sorted("'" + t for t in HOSTILE)
        assert not any(c.data_type == "f" for r in cells for c in r)
        total_x = next(r for r in cells if r[heads.index("key")].value == "TOTAL")
        assert total_x[heads.index("total")].data_type == "n" and total_x[heads.index("total")].value == 500


def test_a_negative_net_stays_a_number(container: Container, cli_env: dict[str, str], tmp_path: Path) -> None:
    book = Ledger(container)
    cid = book.customer("-2+3")
    book.invoice(cid, "F-1", dt.date(2025, 9, 1), "100.00")
    with container.uow() as uow:
        uow.session.add(InvoiceRow(tenant_id=book.tenant, customer_id=cid, number="CN-1", kind="credit_note",
                                   issue_date=dt.date(2025, 9, 2), due_date=dt.date(2025, 9, 2), currency="EUR",
                                   amount_minor=-50_000, open_minor=50_000, status="open", disputed=False))
        uow.commit()
    rows = list(csv.reader(io.StringIO(cli("report", "ageing", "--as-of", AS_OF, "--format", "csv"), newline="")))
    assert ["EUR", "net", "-400.00", ""] in rows
    out = tmp_path / "a.xlsx"
    cli("report", "ageing", "--as-of", AS_OF, "--format", "xlsx", "--out", str(out))
    ws = load_workbook(out).active
    assert ws is not None
    net = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "net")
    assert net[2].data_type == "n" and Decimal(str(net[2].value)) == Decimal("-400")
