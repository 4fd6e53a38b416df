"""A tiny ledger builder for collections tests: direct ORM inserts through one session, keyword defaults."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.collections.service.policy import apply_policy
from cobro.kernel.money import Money
from cobro.ledger.domain.payments import Allocation
from cobro.ledger.records import ContactRow, CustomerRow, InstalmentRow, InvoiceRow, TenantRow
from cobro.ledger.repository import summary as ledger
from cobro.platform.container import Container
from cobro.tenancy.schemas import ProfileChanges
from cobro.tenancy.service import update_profile

CREDITOR = ProfileChanges(legal_name="Suministros Cobro SL", tax_id="B58818501", country="ES",
                          address_lines=("Calle Mayor 1",), postal_code="28013", city="Madrid",
                          iban="ES9121000418450200051332", sender_email="cobros@suministros.example")
POLICY = Path(__file__).resolve().parents[3] / "examples" / "policies" / "standard.yaml"


class Ledger:
    def __init__(self, container: Container) -> None:
        self.container = container
        with container.uow() as uow:
            self.tenant = int(uow.session.scalar(select(TenantRow.id).where(TenantRow.code == "default")))
            # the creditor's profile its letters and messages carry (they are refused or skipped without one)
            update_profile(uow, code="default", changes=CREDITOR)
            uow.commit()

    def policy(self, text: str | None = None, **kw: str) -> None:
        with self.container.uow() as uow:
            apply_policy(uow, text or POLICY.read_text(), user="test", **kw)
            uow.commit()

    def customer(self, code: str, *, contacts: tuple[tuple[str, str, str, str], ...] = (
            ("Ana Admin", "administration", "ana@example.com", "+34600000001"),),
            collector: str = "carla", segment: str = "") -> int:
        with self.container.uow() as uow:
            s: Session = uow.session
            row = CustomerRow(tenant_id=self.tenant, code=code, legal_name=f"{code} S.L.", country="ES",
                              tax_id="B12345678", segment=segment, account_owner="", collector=collector,
                              credit_limit_currency="", language="es", terms="net 30", behaviour="", row_hash="")
            s.add(row)
            s.flush()
            for name, role, email, phone in contacts:
                s.add(ContactRow(tenant_id=self.tenant, customer_id=row.id, name=name, role=role, email=email,
                                 phone=phone, preferred_channel="email", language="es", row_hash=""))
            uow.commit()
            return int(row.id)

    def invoice(self, customer_id: int, number: str, due: dt.date, amount: str = "1000.00", *,
                currency: str = "EUR", disputed: bool = False) -> int:
        minor = Money.of(amount, currency).to_minor()
        with self.container.uow() as uow:
            s = uow.session
            inv = InvoiceRow(tenant_id=self.tenant, customer_id=customer_id, number=number, kind="invoice",
                             issue_date=due - dt.timedelta(days=30), due_date=due, currency=currency,
                             amount_minor=minor, open_minor=minor, status="open", disputed=disputed)
            s.add(inv)
            s.flush()
            s.add(InstalmentRow(tenant_id=self.tenant, invoice_id=inv.id, customer_id=customer_id, seq=1,
                                due_date=due, currency=currency, amount_minor=minor, paid_minor=0, open_minor=minor))
            uow.commit()
            return int(inv.id)

    def pay(self, customer_id: int, number: str, amount: str, on: dt.date, currency: str = "EUR") -> None:
        with self.container.uow() as uow:
            s = uow.session
            inst = s.scalar(select(InstalmentRow).join(InvoiceRow, InvoiceRow.id == InstalmentRow.invoice_id)
                            .where(InvoiceRow.number == number))
            assert inst is not None
            money = Money.of(amount, currency)
            ledger.record_payment(s, self.tenant, customer_id=customer_id, reference=f"pay-{number}-{on}",
                                  date=on, amount=money, allocations=[(inst.id, Allocation(number, 1, money))],
                                  unapplied=Money.of("0", currency), method="transfer", source="test")
            uow.commit()
