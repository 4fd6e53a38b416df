"""The ledger's read use cases on a fake unit of work: netting, signs and the JSON of a customer statement."""

from __future__ import annotations

import datetime as dt

import pytest

from cobro.kernel.errors import NotFoundError
from cobro.kernel.money import Money
from cobro.kernel.types import DocumentKind
from cobro.ledger.repository.store import LEDGER
from cobro.ledger.schemas.statement import (
    CustomerProfile,
    LedgerItem,
    StatementContact,
    StatementPayment,
)
from cobro.ledger.service.customers import customer_statement
from cobro.ledger.service.summary import ledger_summary
from tests.fakes import FakeUnitOfWork, InMemoryLedgerRepository

D = dt.date.fromisoformat
ACME = CustomerProfile(7, "C1", "Acme SL", "ES", "B12345678", "retail", "Ana", "Luis", "net 30", "es",
                       Money.of("5000", "EUR"))


def ledger() -> InMemoryLedgerRepository:
    return InMemoryLedgerRepository(
        customers=[ACME],
        items_of={7: [LedgerItem("F-1", DocumentKind.INVOICE, 1, D("2025-01-01"), D("2025-01-31"), 100_050, "EUR",
                                 False),
                      LedgerItem("F-1", DocumentKind.INVOICE, 2, D("2025-01-01"), D("2025-03-02"), 50_000, "EUR",
                                 True),
                      LedgerItem("AB-1", DocumentKind.CREDIT_NOTE, 1, D("2025-02-01"), D("2025-02-01"), 20_000,
                                 "EUR", False),
                      LedgerItem("U-9", DocumentKind.INVOICE, 1, D("2025-02-10"), D("2025-03-12"), 1_000, "USD",
                                 False)]},
        unapplied_of={7: {"EUR": 5_025}},
        contacts_of={7: [StatementContact("Eva", "billing", "eva@acme.es", "+34 600", "email")]},
        payments_of={7: [StatementPayment("P-1", D("2025-02-20"), Money.of("300", "EUR")),
                         StatementPayment("P-2", D("2025-04-01"), Money.of("10", "EUR"))]},
    )


def test_statement_nets_credit_notes_and_unapplied_cash_into_the_balance() -> None:
    uow = FakeUnitOfWork({LEDGER: ledger()})
    st = customer_statement(uow, "C1", as_of=D("2025-03-01"))
    # 1000.50 + 500.00 − 200.00 (credit note) − 50.25 (unapplied cash)
    assert st.balance == {"EUR": Money.of("1250.25", "EUR"), "USD": Money.of("10.00", "USD")}
    assert st.unapplied == {"EUR": Money.of("50.25", "EUR")}
    note = next(i for i in st.open_items if i.kind == DocumentKind.CREDIT_NOTE)
    assert note.open == Money.of("-200", "EUR") and note.days_past_due == 0  # owed to the customer: never late
    assert [i.days_past_due for i in st.open_items if i.kind == DocumentKind.INVOICE] == [29, -1, -11]
    assert [p.reference for p in st.payments] == ["P-1"]  # received by the as-of day only
    assert uow.flushes == 0 and not uow.committed  # a read: nothing flushed, nothing committed


def test_statement_json_is_the_shape_the_cli_and_api_print() -> None:
    st = customer_statement(FakeUnitOfWork({LEDGER: ledger()}), "C1", as_of=D("2025-03-01")).as_json()
    assert st["customer"] == {"code": "C1", "legal_name": "Acme SL", "country": "ES", "tax_id": "B12345678",
                              "segment": "retail", "account_owner": "Ana", "collector": "Luis", "terms": "net 30",
                              "language": "es", "credit_limit": "5000.00 EUR",
                              "address": {"street": "", "postal_code": "", "city": "", "region": "", "country": "ES"}}
    assert st["balance"] == {"EUR": "1250.25", "USD": "10.00"}
    assert st["open_items"][2] == {"invoice": "AB-1", "kind": "credit_note", "seq": 1, "issue_date": "2025-02-01",
                                   "due_date": "2025-02-01", "days_past_due": 0, "open": "-200.00",
                                   "currency": "EUR", "disputed": False}
    assert st["payments"] == [{"reference": "P-1", "date": "2025-02-20", "amount": "300.00", "currency": "EUR"}]
    assert st["contacts"] == [{"name": "Eva", "role": "billing", "email": "eva@acme.es", "phone": "+34 600",
                               "preferred_channel": "email"}]


def test_unknown_customer_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="NOPE"):
        customer_statement(FakeUnitOfWork({LEDGER: ledger()}), "NOPE", as_of=D("2025-03-01"))


def test_summary_is_validated_into_the_typed_summary() -> None:
    counts: dict[str, object] = {"customers": 2, "invoices": 3, "open_invoices": 1, "open_amount": {"EUR": "12.50"},
                                 "unapplied_credit": {}}
    summary = ledger_summary(FakeUnitOfWork({LEDGER: InMemoryLedgerRepository(counts=counts)}), None)
    assert (summary.customers, summary.open_invoices, summary.open_amount) == (2, 1, {"EUR": "12.50"})
    with pytest.raises(ValueError, match="open_amount"):  # not an exact decimal: refused, not passed on
        ledger_summary(FakeUnitOfWork({LEDGER: InMemoryLedgerRepository(
            counts={**counts, "open_amount": {"EUR": "12,5"}})}), None)


def test_payments_recorded_for_other_features_go_through_the_ledger_repository() -> None:
    from cobro.ledger.domain.payments import Allocation
    from cobro.ledger.service.payments import known_payment_refs, record_payment

    repo = InMemoryLedgerRepository(customers=[ACME])
    uow = FakeUnitOfWork({LEDGER: repo})
    alloc = [(11, Allocation("F-1", 1, Money.of("100", "EUR")))]
    pid = record_payment(uow, customer_id=7, reference="stmt:abc", date=D("2025-03-01"), amount=Money.of("120", "EUR"),
                         allocations=alloc, unapplied=Money.of("20", "EUR"), method="transfer", source="s.xml")
    assert repo.allocated[pid] == alloc and [p.reference for p in repo.recorded] == ["stmt:abc"]
    assert known_payment_refs(uow, ["stmt:abc", "stmt:new"]) == {"stmt:abc"}
    assert not uow.committed
