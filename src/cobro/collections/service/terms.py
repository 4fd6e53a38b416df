"""Terms communication: the letter that states payment terms, late interest and the consequences of late payment.

Queued in the outbox (template `terms_letter`) in the caller's transaction, like any dunning message, so it is
delivered exactly like one and lands on the customer's timeline.  Sending the same terms to the same customer
twice on one day queues one message (the idempotency key carries the terms and the date).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from cobro.collections.records import OutboxMessageRow
from cobro.collections.repository import evidence as repo
from cobro.collections.repository import work
from cobro.collections.repository.cycle import tenant_name
from cobro.kernel.errors import InvalidInputError
from cobro.kernel.money import Money
from cobro.kernel.rates import RateSource, RateTableError
from cobro.kernel.terms import PaymentTerms, TermsError
from cobro.ledger.records import CustomerRow
from cobro.ledger.repository import parties

_ROLES = ("administration", "finance", "management", "other")
_CHANNELS = {"email": "email", "letter": "letter"}


def _statutory_rate(country: str, day: dt.date, rates: RateSource) -> str | None:
    """Today's Spanish statutory late-payment rate, when the rate book has it (ES customers only)."""
    if country not in ("ES", ""):
        return None
    try:
        row = rates.table("es_ley_3_2004").row_for(day)
    except RateTableError:
        return None
    return None if row is None else str(row.rate)


def _terms_view(cust: CustomerRow) -> dict[str, Any]:
    view: dict[str, Any] = {"description": cust.terms}
    try:
        terms = PaymentTerms.parse(cust.terms)
        if terms.kind == "net" and not terms.pay_days:
            view["days"] = terms.days
    except TermsError:
        pass
    if cust.credit_limit_minor is not None and cust.credit_limit_currency:
        limit = Money.from_minor(cust.credit_limit_minor, cust.credit_limit_currency)
        view["credit_limit"] = {"amount": limit.format_plain(), "currency": limit.currency}
    return view


def send_terms_letter(session: Session, tenant_code: str, customer: str, *, today: dt.date, rates: RateSource,
                      channel: str = "email", user: str = "") -> OutboxMessageRow:
    """Queue the terms letter for `customer` (by e-mail to its first contact with an address, or as a PDF);
    the statutory rate it states comes from `rates` (the container's rate book)."""
    if channel not in _CHANNELS:
        raise InvalidInputError(f"channel must be one of {', '.join(_CHANNELS)}, not {channel!r}")
    tenant = parties.tenant_id(session, tenant_code)
    cust = parties.get_customer(session, tenant, customer)
    existing = repo.outbox_by_key(session, tenant, _key(cust, channel, today))
    if existing is not None:
        return existing
    contacts = parties.contacts_of(session, cust.id)
    ranked = sorted(contacts, key=lambda c: _ROLES.index(c.role) if c.role in _ROLES else len(_ROLES))
    who = next((c for c in ranked if c.email), None) if channel == "email" else (ranked[0] if ranked else None)
    creditor = tenant_name(session, tenant) or tenant_code
    rate = _statutory_rate(cust.country, today, rates)
    context: dict[str, Any] = {
        "customer": {"code": cust.code, "legal_name": cust.legal_name, "tax_id": cust.tax_id},
        "terms": _terms_view(cust), "items": [], "as_of": today.isoformat(),
        "interest": {"rate": rate} if rate is not None else None,
        "compensation": {"amount": "40.00", "currency": "EUR"} if cust.country in ("ES", "") else None,
        "state_interest": True, "state_compensation": cust.country in ("ES", ""),
        "creditor": {"name": creditor, "tax_id": "", "address": "", "iban": ""},
    }
    missing = channel == "email" and who is None
    row = work.add(session, OutboxMessageRow(
        tenant_id=tenant, action_id=None, channel=_CHANNELS[channel],
        recipient=(who.email if who is not None and channel == "email" else ""),
        recipient_name=who.name if who is not None else cust.legal_name,
        language=(who.language if who is not None and who.language else cust.language) or "es",
        template="terms_letter", tone="friendly", context_json=json.dumps(context, ensure_ascii=False),
        idempotency_key=_key(cust, channel, today), status="skipped" if missing else "pending", attempts=0,
        last_error="no contact with an e-mail address" if missing else "", message_id=""))
    work.timeline(session, tenant, cust.id, day=today, kind="terms.sent", ref=f"outbox:{row.id}", actor=user,
                  summary=f"terms letter ({channel}) queued: {cust.terms}"
                          + (f"; statutory interest {rate} %" if rate is not None else ""))
    return row


def _key(cust: CustomerRow, channel: str, today: dt.date) -> str:
    return f"terms:{cust.code}:{cust.terms}:{channel}:{today.isoformat()}"
