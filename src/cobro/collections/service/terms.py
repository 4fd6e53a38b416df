"""Terms communication: the letter that states payment terms, late interest and the consequences of late payment.

Queued in the outbox (template `terms_letter`) in the caller's transaction, like any dunning message, so it is
delivered exactly like one and lands on the customer's timeline.  Sending the same terms to the same customer
twice on one day queues one message (the idempotency key carries the terms and the date).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cobro.collections.domain.policy import STATUTORY_COMPENSATION
from cobro.collections.repository.work import WORK
from cobro.collections.service.creditor import creditor_part, needs
from cobro.collections.service.law import debt_law
from cobro.collections.service.policy import PolicyBook, policy_book
from cobro.delivery.schemas import (
    CustomerPart,
    InterestPart,
    MessageContext,
    OutboxMessage,
    QueuedMessage,
    TermsPart,
)
from cobro.delivery.service.outbox import enqueue_one
from cobro.interest.domain import InterestError, statutory_rate_on
from cobro.kernel.errors import InvalidInputError
from cobro.kernel.money import Money
from cobro.kernel.rates import RateSource, RateTableError
from cobro.kernel.terms import PaymentTerms, TermsError
from cobro.ledger.service import lookup
from cobro.ledger.service.customers import customer_profile
from cobro.ledger.service.lookup import CustomerRecord
from cobro.platform.uow import UnitOfWork
from cobro.tenancy.service import letterhead, require

_ROLES = ("administration", "finance", "management", "other")
_CHANNELS = {"email": "email", "letter": "letter"}


def _statutory_rate(jurisdiction: str, day: dt.date, rates: RateSource) -> Decimal | None:
    """Today's statutory late-payment rate under the law of the customer's debts, when the rate book has it."""
    try:
        return statutory_rate_on(jurisdiction, day, rates)
    except (RateTableError, InterestError):
        return None


def _terms_view(cust: CustomerRecord) -> TermsPart:
    days = None
    try:
        terms = PaymentTerms.parse(cust.terms)
        if terms.kind == "net" and not terms.pay_days:
            days = terms.days
    except TermsError:
        pass
    return TermsPart(description=cust.terms, days=days, credit_limit=cust.credit_limit)


def _compensation(book: PolicyBook, cust: CustomerRecord, law: str) -> Money | None:
    """The fixed recovery costs per overdue invoice the customer's policy claims (`late_payment.compensation`),
    in the customer's currency: that of its credit limit, else the first the policy names.  A tenant without a
    policy claims the statutory amount from Spanish customers, as before policies existed."""
    if law not in ("ES", "EU"):  # the per-invoice sum is Ley 3/2004's and the Directive's
        return None
    chosen = book.for_customer(cust.id, cust.segment)
    if chosen is not None:
        table = chosen[2].compensation
    else:
        table = STATUTORY_COMPENSATION if cust.country in ("ES", "") else ()
    if not table:
        return None
    currency = cust.credit_limit_currency or table[0][0]
    minor = dict(table).get(currency)
    return None if minor is None else Money.from_minor(minor, currency)


def send_terms_letter(uow: UnitOfWork, customer: str, *, today: dt.date, rates: RateSource, channel: str = "email",
                      user: str = "") -> QueuedMessage:
    """Queue the terms letter for `customer` (by e-mail to its first contact with an address, or as a PDF);
    the statutory rate it states comes from `rates` (the container's rate book)."""
    if channel not in _CHANNELS:
        raise InvalidInputError(f"channel must be one of {', '.join(_CHANNELS)}, not {channel!r}")
    tenant = uow.tenant.id
    cust = lookup.customer(uow.session, tenant, customer)
    contacts = lookup.contacts(uow.session, cust.id)
    ranked = sorted(contacts, key=lambda c: _ROLES.index(c.role) if c.role in _ROLES else len(_ROLES))
    who = next((c for c in ranked if c.email), None) if channel == "email" else (ranked[0] if ranked else None)
    # a terms letter is the creditor's letterhead and says how to pay: refuse it, naming the field, if the
    # profile cannot carry it (by e-mail too: it is the document customers keep)
    sender = letterhead(uow)
    require(sender, needs(_CHANNELS[channel], "terms_letter"), "the terms letter")
    book = policy_book(uow)
    law = debt_law(uow, cust, book)
    rate = _statutory_rate(law, today, rates)
    compensation = _compensation(book, cust, law)
    context = MessageContext(
        customer=CustomerPart(cust.code, cust.legal_name, cust.tax_id, country=cust.country,
                              address=tuple(customer_profile(uow, cust.code).postal_lines())),
        creditor=creditor_part(sender), interest_reference=law,
        as_of=today, terms=_terms_view(cust), interest=InterestPart(rate=rate) if rate is not None else None,
        compensation=compensation, state_interest=True, state_compensation=compensation is not None)
    missing = channel == "email" and who is None
    queued = enqueue_one(uow.session, tenant, OutboxMessage(
        channel=_CHANNELS[channel], template="terms_letter", idempotency_key=_key(cust, channel, today),
        context=context, recipient=(who.email if who is not None and channel == "email" else ""),
        recipient_name=who.name if who is not None else cust.legal_name,
        language=(who.language if who is not None and who.language else cust.language)
        or sender.profile.language or "es", tone="friendly",
        skip_reason="no contact with an e-mail address" if missing else ""))
    if queued.created:
        uow.repo(WORK).timeline(cust.id, day=today, kind="terms.sent", ref=f"outbox:{queued.id}", actor=user,
                                summary=f"terms letter ({channel}) queued: {cust.terms}"
                                + (f"; statutory interest {rate} %" if rate is not None else ""))
    return queued


def _key(cust: CustomerRecord, channel: str, today: dt.date) -> str:
    return f"terms:{cust.code}:{cust.terms}:{channel}:{today.isoformat()}"
