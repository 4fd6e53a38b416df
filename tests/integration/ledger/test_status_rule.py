"""The status rule, in Python and in SQL, and what the open-as-of builder makes of the statuses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cobro.kernel.types import InvoiceStatus
from cobro.ledger.domain.status import FINAL_STATUSES, is_receivable, open_at, status_for
from cobro.ledger.repository import open_items
from cobro.ledger.repository import summary as ledger_summary
from cobro.ledger.service import imports
from cobro.platform.container import Container
from cobro.platform.tenants import resolve_tenant
from cobro.reporting import repository as report_repo
from cobro.reporting import service as reporting
from cobro.reporting.domain.aging import parse_bucket_spec

AS_OF = dt.date(2025, 6, 30)


def test_status_for() -> None:
    assert status_for(1) == "open" and status_for(0) == "paid" and status_for(-5) == "paid"
    assert status_for(100, "paid") == "open"  # a payment reversed: open again
    for final in FINAL_STATUSES:
        assert status_for(100, final) == final and status_for(0, final) == final
    assert is_receivable("invoice", "open") and is_receivable("invoice", "paid")
    assert not is_receivable("credit_note", "open") and not is_receivable("invoice", "written_off")
    allocations = [(dt.date(2025, 1, 10), 300), (dt.date(2025, 2, 1), 200)]
    assert [open_at(1000, allocations, dt.date(2025, d, 15)) for d in (1, 2)] == [700, 500]
    assert open_at(1000, allocations, dt.date(2025, 1, 9)) == 1000


def test_status_case_is_status_for() -> None:
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        for current in [s.value for s in InvoiceStatus]:
            for open_minor in (-1, 0, 1, 250):
                sql = f"SELECT {open_items.status_case(':o', ':s')}"
                assert conn.execute(text(sql), {"o": open_minor, "s": current}).scalar() == \
                    status_for(open_minor, current), (open_minor, current)


def test_a_written_off_invoice_is_open_nowhere(container: Container, tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("code,legal_name,country\nC1,Uno SL,ES\n", encoding="utf-8")
    (tmp_path / "i.csv").write_text("invoice_number,customer_code,issue_date,due_date,amount,currency\n"
                                    "F-1,C1,2025-01-10,2025-02-10,100.00,EUR\n"
                                    "F-2,C1,2025-01-10,2025-02-10,40.00,EUR\n", encoding="utf-8")
    with container.uow() as uow:
        for run, name in ((imports.import_customers, "c.csv"), (imports.import_invoices, "i.csv")):
            assert run(uow, tmp_path / name).ok
        uow.session.execute(text("UPDATE invoices SET status = 'written_off' WHERE number = 'F-2'"))
        uow.commit()
    with container.uow() as uow:
        s = uow.session
        tenant = resolve_tenant(s, "default").id
        for day in (None, AS_OF):
            assert ledger_summary.summary(s, tenant, day)["open_amount"] == {"EUR": "100.00"}
        for basis in ("due", "invoice"):  # the lean (no invoices join) and the joined scans
            report = reporting.ageing_report(uow, AS_OF, parse_bucket_spec(basis=basis)).as_json()
            assert report["currency"]["EUR"]["total"] == "100.00", basis
        assert reporting.kpi_report(uow, AS_OF).as_json()["currency"]["EUR"]["ar_end"] == "100.00"
        assert sum(x.open_minor for x in report_repo.open_invoices(s, tenant, AS_OF)) == 10000


@pytest.mark.parametrize("status", ["cancelled", "written_off"])
def test_refresh_keeps_a_final_status(container: Container, status: str, tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("code,legal_name,country\nC1,Uno SL,ES\n", encoding="utf-8")
    (tmp_path / "i.csv").write_text("invoice_number,customer_code,issue_date,due_date,amount,currency\n"
                                    "F-1,C1,2025-01-10,2025-02-10,100.00,EUR\n", encoding="utf-8")
    with container.uow() as uow:
        for run, name in ((imports.import_customers, "c.csv"), (imports.import_invoices, "i.csv")):
            assert run(uow, tmp_path / name).ok
        invoice_id = uow.session.execute(text("SELECT id FROM invoices WHERE number = 'F-1'")).scalar_one()
        uow.session.execute(text("UPDATE invoices SET status = :s WHERE id = :i"), {"s": status, "i": invoice_id})
        ledger_summary.refresh_invoice(uow.session, invoice_id)
        assert uow.session.execute(text("SELECT status FROM invoices WHERE id = :i"),
                                   {"i": invoice_id}).scalar_one() == status
