"""The polars fast path and the row-by-row reader must agree on every row, value, hash and problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cobro.ledger.imports.fast_invoices import read_invoice_batches
from cobro.ledger.imports.mapping import load_mapping
from cobro.ledger.imports.records import InvoiceLine
from cobro.ledger.imports.rows import RowReader, read_invoices
from cobro.ledger.imports.tabular import open_table
from cobro.ledger.service.imports import _h40
from tests.conftest import IBM_CSV, IBM_MAPPING


def _slow(path: Path, mapping_path: Path | None) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    mapping = load_mapping(mapping_path, "invoices")
    reader = RowReader(open_table(path, mapping.options), mapping, "invoices")
    rows, problems = [], []
    for item in read_invoices(reader, str(mapping.defaults.get("terms", "net 30"))):
        if isinstance(item, InvoiceLine):
            rows.append((item.row, item.number, item.seq, item.customer_code, item.customer_name, item.issue_date,
                         item.due_date, item.currency, item.amount_minor, item.kind, item.disputed, item.corrects,
                         item.channel, item.terms, item.settled_date, item.segment, item.country, item.tax_id,
                         item.over_legal_cap, _h40(item)))
        else:
            problems.append((item.row, item.column, item.message, item.severity))
    return rows, problems


def _fast(path: Path, mapping_path: Path | None) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    mapping = load_mapping(mapping_path, "invoices")
    reader = RowReader(open_table(path, mapping.options), mapping, "invoices")
    rows, problems = [], []
    for tuples, probs in read_invoice_batches(reader, path, str(mapping.defaults.get("terms", "net 30"))):
        rows.extend(tuples.rows())
        problems.extend((p.row, p.column, p.message, p.severity) for p in probs)
    return rows, problems


MESSY = (
    "Factura;Cliente;Fecha;Vencimiento;Importe;Moneda;Tipo;Disputa;Condiciones;País;NIF\n"
    "F-1;C001;15/01/2025;25/03/2025;1.234,56;EUR;factura;no;;ES;B12345674\n"
    "F-2;C001;20/02/2025;;12.100,00;eur;;sí;net 60 pay days 10,25;ES;\n"
    "\n"
    "F-3;C002;31/02/2025;30/04/2025;diez;EURO;;;;ES;\n"
    "F-4;C002;01/03/2025;30/04/2025;-5,00;EUR;abono;quizá;thirty;ES;B12345675\n"
    "F-1;C003;01/03/2025;01/02/2025;10;EUR;;;;ES;\n"
    "F-5;C003;45717;;99,9;EUR;NC;x;eom 30;ES;\n"
    "F-6;C003;01/03/2025;;$ 1,234;USD;;;;ES;\n"  # an odd amount with too many decimals for its currency
    "F-7;C004;01/03/2025;;10;EUR;;;;Chile;\n"  # a country name, not a code: an error, not CH
    "F-8;C004;01/03/2025;;10;EUR;;;;cl;\n"  # a lower-case code is fine
)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-8-sig"])
def test_paths_agree_on_a_messy_spanish_file(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(MESSY.encode(encoding))
    slow, fast = _slow(path, None), _fast(path, None)
    assert fast[0] == slow[0]
    assert sorted(fast[1], key=str) == sorted(slow[1], key=str)
    assert [r[1] for r in slow[0]] == ["F-1", "F-2", "F-5", "F-8"]  # the clean rows
    assert [r[16] for r in slow[0] if r[1] == "F-8"] == ["CL"]
    assert any(p[:2] == (10, "País") and "Chile" in p[2] for p in slow[1])
    assert len(slow[1]) >= 9
    assert any("more decimals than USD" in p[2] for p in fast[1])


def test_paths_agree_on_the_ibm_file() -> None:
    if not IBM_CSV.exists():
        pytest.skip("shared IBM data not present")
    slow, fast = _slow(IBM_CSV, IBM_MAPPING), _fast(IBM_CSV, IBM_MAPPING)
    assert len(fast[0]) == 1930
    assert fast == slow


HOSTILE_CELLS = [
    "1,50", "55,94", "1 234,56", "1e30", "12abc34", "15%", "+34 600 123 456", "0x10", "\u0661\u0662\u0663",
    "1.234,5", "--5", "(5)", "5-", "-0", "0", "9223372036854775807", "92233720368547758070", "1000000000.01",
    "1000000000.00", "10.505", "10.500", "1,234", "1.500.000", "1.500", "1\u00a0234.56", "1\u202f234", "€ 12.50",
    "USD 10", "1,234.56", "1,234,567", ".5", "5.", "007", "1..5", "١٢٣", "99999999999999999999999",
]


@pytest.mark.parametrize("decimal", [".", ","])
@pytest.mark.parametrize("currency", ["EUR", "CLP", "KWD"])
def test_paths_refuse_exactly_the_same_hostile_amounts(tmp_path: Path, decimal: str, currency: str) -> None:
    path = tmp_path / "hostile.csv"
    rows = [f"H-{i};C001;2026-01-15;2026-02-15;{cell};{currency}" for i, cell in enumerate(HOSTILE_CELLS, 1)]
    path.write_text("Invoice;Customer;Date;Due;Amount;Currency\n" + "\n".join(rows) + "\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("kind: invoices\ncolumns:\n  invoice_number: Invoice\n  customer_code: Customer\n"
                       "  issue_date: Date\n  due_date: Due\n  amount: Amount\n  currency: Currency\n"
                       f"options:\n  decimal: \"{decimal}\"\n", encoding="utf-8")
    slow, fast = _slow(path, mapping), _fast(path, mapping)
    assert fast[0] == slow[0]
    assert sorted(fast[1], key=str) == sorted(slow[1], key=str)
    refused = {p[0] for p in slow[1] if p[1] == "Amount"}
    assert {5, 6, 7, 9, 10} <= refused  # 1e30 / 12abc34 / 15% / 0x10 / Arabic digits: never a number
    if decimal == ".":
        assert {2, 3} <= refused  # 1,50 and 55,94 under a declared "."
    assert all(isinstance(r[8], int) and abs(r[8]) <= 10**11 for r in slow[0])


CELL_CHARS = st.sampled_from([*"0123456789.,-+() '€$%eEx\u00a0\u202f\u0661", "EUR", "USD"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.lists(CELL_CHARS, min_size=1, max_size=14).map("".join), min_size=1, max_size=40),
       decimal=st.sampled_from([".", ",", "auto"]), currency=st.sampled_from(["EUR", "CLP", "KWD"]))
def test_paths_agree_on_generated_amounts(tmp_path: Path, cells: list[str], decimal: str, currency: str) -> None:
    """Random amount-like cells: the polars path accepts, reads and refuses exactly as the row reader."""
    path = tmp_path / "gen.csv"
    rows = [f'G-{i};C001;2026-01-15;2026-02-15;"{cell}";{currency}' for i, cell in enumerate(cells, 1)]
    path.write_text("Invoice;Customer;Date;Due;Amount;Currency\n" + "\n".join(rows) + "\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("kind: invoices\ncolumns:\n  invoice_number: Invoice\n  customer_code: Customer\n"
                       "  issue_date: Date\n  due_date: Due\n  amount: Amount\n  currency: Currency\n"
                       f"options:\n  decimal: \"{decimal}\"\n", encoding="utf-8")
    slow, fast = _slow(path, mapping), _fast(path, mapping)
    assert fast[0] == slow[0]
    assert sorted(fast[1], key=str) == sorted(slow[1], key=str)
