"""The late-payment law of a customer's debts, the one rule every letter, terms letter, evidence pack and agency
export follows (`cobro.interest.domain.law.debt_jurisdiction`): the customer's policy's `late_payment.
governing_law` when it names one, else the debtor's country's law, else the policy's `interest_reference`."""

from __future__ import annotations

from cobro.collections.service.policy import PolicyBook, policy_book
from cobro.interest.domain.law import debt_jurisdiction
from cobro.ledger.service.lookup import CustomerRecord
from cobro.platform.uow import UnitOfWork


def debt_law(uow: UnitOfWork, cust: CustomerRecord, book: PolicyBook | None = None) -> str:
    """ES, EU, UK, CL, MX, CO or PE for `cust`'s debts (a tenant without policies: the debtor's country, else ES)."""
    chosen = (book or policy_book(uow)).for_customer(cust.id, cust.segment)
    policy = chosen[2] if chosen is not None else None
    return debt_jurisdiction(cust.country, governing_law=policy.governing_law if policy is not None else "",
                             fallback=policy.interest_reference if policy is not None else "ES")
