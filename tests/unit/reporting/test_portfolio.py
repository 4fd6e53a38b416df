"""`cobro analyze` and the portfolio analysis: database-free, on the IBM file and on small made-up ledgers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.ledger.imports.frame import LEDGER_SCHEMA, read_ledger_frame
from cobro.platform.rates import RateBook
from cobro.reporting.portfolio.analysis import Options, analyze
from cobro.reporting.portfolio.render import write_report
from cobro.reporting.portfolio.render.i18n import Fmt

REPO = Path(__file__).resolve().parents[3]
from tests.conftest import SHARED  # noqa: E402 - see conftest: COBRO_SHARED_DIR

DATA = SHARED / "data"
IBM_CSV = DATA / "ibm-ar" / "ibm-ar-until-2013-06-30.csv"
IBM_MAPPING = REPO / "examples" / "mappings" / "ibm-ar.yaml"
needs_ibm = pytest.mark.skipif(not IBM_CSV.exists(), reason="shared IBM data (../shared/data/ibm-ar) not present")
runner = CliRunner()
RATES = RateBook()  # the shipped tables, as the container builds them without COBRO_RATES_DIR
TODAY = dt.date(2026, 1, 15)  # the entrypoint's clock: used only for a file without invoice dates


def frame(rows: list[tuple[str, str, str, str, str, str | None]]) -> pl.DataFrame:
    """(number, customer, issued, due, amount, settled) → a ledger frame in EUR."""
    cols: dict[str, list[object]] = {k: [] for k in LEDGER_SCHEMA}
    for number, customer, issued, due, amount, settled in rows:
        values = {"invoice_number": number, "customer_code": customer, "customer_name": customer,
                  "issue_date": dt.date.fromisoformat(issued), "due_date": dt.date.fromisoformat(due),
                  "amount": Decimal(amount), "amount_minor": int(Decimal(amount) * 100), "currency": "EUR",
                  "kind": "invoice", "disputed": False,
                  "settled_date": dt.date.fromisoformat(settled) if settled else None,
                  "channel": "", "segment": "", "country": "ES", "terms": "net 30"}
        for k, column in cols.items():
            column.append(values[k])
    return pl.DataFrame(cols, schema=LEDGER_SCHEMA)


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


@needs_ibm
def test_analyze_ibm_writes_html_pdf_xlsx(tmp_path: Path) -> None:
    html, pdf, xlsx = tmp_path / "r.html", tmp_path / "r.pdf", tmp_path / "r.xlsx"
    result = runner.invoke(app, ["analyze", str(IBM_CSV), "--mapping", str(IBM_MAPPING), "--out", str(html),
                                 "--out", str(pdf), "--out", str(xlsx), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert all(p.stat().st_size > 0 for p in (html, pdf, xlsx))
    text = html.read_text(encoding="utf-8")
    assert '<canvas id="chart-ageing"' in text and '<canvas id="chart-pareto"' in text
    assert "Chart.js v4" in text and "cdn" not in text.lower()  # inlined, self-contained
    assert "Receivables portfolio analysis" in text
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and pdf_pages(data) >= 2
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Summary", "Ageing", "Concentration", "DSO", "Cost", "Interest", "Provision",
                             "Priorities"]
    assert wb["Ageing"]._images  # the matplotlib chart


@needs_ibm
def test_ibm_open_as_of_2013_03_31_and_spanish_labels(tmp_path: Path) -> None:
    f = read_ledger_frame(IBM_CSV, IBM_MAPPING)
    p = analyze(f, Options(as_of=dt.date(2013, 3, 31)), rates=RATES, today=TODAY)
    assert (p.open_total, p.open_count, p.currency) == (Decimal("5903.74"), 94, "USD")  # = the ledger's summary
    assert sum(b.amount for b in p.ageing) == p.open_total
    assert p.kpis["dso"] is not None and len(p.trend) == 12
    assert any("EUR" in n for n in p.notes)  # ES compensation is in EUR, the file in USD: said in the report
    assert all(x.reason == "" for x in p.interest) and p.interest_total()[0] > 0
    assert p.priorities and p.priorities[0].score >= p.priorities[-1].score
    default = analyze(f, rates=RATES, today=TODAY)
    assert default.as_of == dt.date(2013, 6, 30)  # the latest invoice date
    out = tmp_path / "r.xlsx"
    write_report(p, out, "es")
    assert load_workbook(out).sheetnames[0] == "Resumen"
    html = tmp_path / "r.html"
    write_report(p, html, "es")
    assert "5.903,74" in html.read_text(encoding="utf-8")


def test_small_ledger_buckets_interest_and_out_of_table_dates() -> None:
    f = frame([
        ("F1", "A", "2024-04-15", "2024-05-15", "12100.00", None),
        ("F2", "B", "2025-01-01", "2025-01-31", "100.00", "2025-02-10"),  # paid late: a claim remains
        ("F3", "B", "2025-01-10", "2025-02-09", "50.00", "2025-03-01"),  # settled after as-of: open then
    ])
    p = analyze(f, Options(as_of=dt.date(2025, 1, 20)), rates=RATES, today=TODAY)
    assert p.open_total == Decimal("12250.00") and p.open_count == 3
    assert [b.amount for b in p.ageing] == [Decimal("150.00"), 0, 0, 0, 0, Decimal("12100.00")]
    line = next(x for x in p.interest if x.invoice == "F1")
    assert line.interest == Decimal("1011.76") and line.compensation == Decimal(40)  # domain.md §1.9
    # a date past the rate table: shown as not computable with the reason, not a crash
    later = analyze(f, Options(as_of=dt.date(2031, 1, 1)), rates=RATES, today=TODAY)
    assert later.interest and all(x.interest is None for x in later.interest if x.status == "open")
    assert "ES rate for 2026-H2 not loaded: cobro rates add" in later.interest[-1].reason


def test_empty_ledger_gives_an_empty_report(tmp_path: Path) -> None:
    p = analyze(frame([]), rates=RATES, today=TODAY)
    assert p.as_of == TODAY  # no invoice dates: the caller's today
    assert p.empty and p.open_total == 0 and p.provision is None
    for name in ("e.html", "e.pdf", "e.xlsx"):
        write_report(p, tmp_path / name, "es")
        assert (tmp_path / name).stat().st_size > 0
    assert "la cartera está vacía" in (tmp_path / "e.html").read_text(encoding="utf-8")
    assert (tmp_path / "e.pdf").read_bytes().startswith(b"%PDF")


def test_cli_rejects_bad_output_and_jurisdiction(tmp_path: Path) -> None:
    src = tmp_path / "l.csv"
    src.write_text("number,customer,issue_date,due_date,amount,currency\nF1,A,2025-01-01,2025-01-31,10.00,EUR\n",
                   encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(src), "--out", str(tmp_path / "r.doc")])
    assert result.exit_code == 2
    result = runner.invoke(app, ["analyze", str(src), "--out", str(tmp_path / "r.html"), "--jurisdiction", "XX"])
    assert result.exit_code == 2 and "unknown jurisdiction" in result.output
    result = runner.invoke(app, ["analyze", str(src), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output


def test_spanish_money_format() -> None:
    assert Fmt("es", "EUR").money(Decimal("1234.56")) == "1.234,56\xa0€"
    assert Fmt("en", "EUR").money(Decimal("1234.56")) == "€1,234.56"
