"""A small imported ledger shared by the API, web and browser tests, with the figures it must produce.

As of 2025-06-30: EUR open 4,400.50 of which 4,000.50 overdue; USD 1,200.00, not due.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cobro.ledger.service import imports
from cobro.platform.container import Container
from cobro.platform.tenants import resolve_tenant

AS_OF = dt.date(2025, 6, 30)

CUSTOMERS = (
    "code,legal_name,country,tax_id,segment,collector,terms\n"
    "C001,Construcciones Peña SL,ES,B12345674,construction,Ana Ruiz,net 30\n"
    "C002,Distribuidora Núñez SA,ES,A58818501,wholesale,Luis Gil,net 30\n"
    "C003,Acme Imports LLC,US,,wholesale,Ana Ruiz,net 30\n"
)
CONTACTS = (
    "customer_code,name,role,email,phone\n"
    "C001,María Peña,finance,maria@pena.example,+34 600 000 001\n"
)
INVOICES = (
    "invoice_number,customer_code,issue_date,due_date,amount,currency\n"
    "F-001,C001,2025-03-01,2025-03-31,1000.00,EUR\n"
    "F-002,C001,2025-05-01,2025-05-31,2500.50,EUR\n"
    "F-003,C001,2025-06-15,2025-07-15,400.00,EUR\n"
    "F-004,C002,2025-04-01,2025-05-01,800.00,EUR\n"
    "F-005,C003,2025-06-01,2025-07-01,1200.00,USD\n"
)
PAYMENTS = (
    "reference,customer_code,date,amount,currency,invoice_number\n"
    "P-1,C002,2025-06-10,300.00,EUR,F-004\n"
)


def seed(container: Container, workdir: Path, *, tenant: str = "default") -> None:
    """Import the four files through the import services, in one committed transaction."""
    files = {}
    for name, text in (("customers", CUSTOMERS), ("contacts", CONTACTS), ("invoices", INVOICES),
                       ("payments", PAYMENTS)):
        files[name] = workdir / f"{name}.csv"
        files[name].write_text(text, encoding="utf-8")
    with container.uow(tenant) as uow:
        resolve_tenant(uow.session, tenant, create=True)  # before uow.tenant resolves it
        for name, run in (("customers", imports.import_customers), ("contacts", imports.import_contacts),
                          ("invoices", imports.import_invoices), ("payments", imports.import_payments)):
            report = run(uow, files[name])
            assert report.ok, (name, report.as_dict())
        resolve_tenant(uow.session, "other", create=True)  # a second, empty tenant
        uow.commit()
