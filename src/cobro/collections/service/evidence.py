"""The evidence pack for an external collection mandate: what was owed, every demand made, what was promised.

Built from the ledger and the collections records of one escalation case: the open invoices in the case's
currency, every message delivered (date, channel, document, recipient, Message-ID: proof of each extrajudicial
demand that interrupts limitation, Código Civil art. 1973), every call or meeting held, broken promises,
disputes, and the statutory late interest claimable per invoice when it can be computed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cobro.collections.repository import evidence as repo
from cobro.collections.repository.agency import AGENCY
from cobro.collections.repository.work import WORK
from cobro.collections.service.creditor import creditor_part
from cobro.collections.service.law import debt_law
from cobro.delivery.service.documents import (
    BrokenPromise,
    Demand,
    Dispute,
    InterestClaim,
    PdfDocument,
    evidence_pack_pdf,
    interest_claim,
)
from cobro.interest.domain import InterestError, compute_late_interest, rule_for
from cobro.interest.domain.law import tax_id_label
from cobro.kernel.errors import NotFoundError
from cobro.kernel.money import Money
from cobro.kernel.rates import RateSource
from cobro.ledger.service import lookup
from cobro.ledger.service.customers import customer_profile
from cobro.platform.uow import UnitOfWork
from cobro.tenancy.domain import LETTER_FIELDS
from cobro.tenancy.service import letterhead, require


def evidence_pack(uow: UnitOfWork, case_id: int, *, as_of: dt.date, rates: RateSource,
                  language: str = "es") -> PdfDocument:
    """The case's evidence pack as of `as_of`; the claimable interest uses `rates` (the container's rate book)."""
    session, tenant = uow.session, uow.tenant.id
    case = uow.repo(WORK).find_case(case_id)
    if case is None:
        raise NotFoundError(f"no escalation case {case_id}")
    cust = lookup.customer(session, tenant, case.customer)
    invoices = _open_items(session, cust.id, case.currency, as_of)
    # the pack goes to a collection agency or a lawyer: it must say who the creditor is, legally
    sender = letterhead(uow)
    require(sender, LETTER_FIELDS, "the evidence pack")
    creditor = creditor_part(sender)
    credit_stop = repo.credit_stopped(session, cust.id)
    law = debt_law(uow, cust)
    claims, note = _handoff_interest(uow, case.id, invoices, case.currency, as_of, language, rates, law)
    return evidence_pack_pdf(
        creditor=dataclasses.asdict(creditor), customer={"legal_name": cust.legal_name, "tax_id": cust.tax_id,
                                                         "code": cust.code, "tax_label": tax_id_label(cust.country),
                                                         "address": customer_profile(uow, cust.code).postal_lines()},
        invoices=invoices, demands=_demands(uow, cust.id), broken_promises=_broken(session, cust.id),
        disputes=_disputes(session, cust.id), interest=claims, interest_note=note, as_of=as_of,
        case_reference=f"#{case.id}", credit_stop=credit_stop, language=language,
        logo=sender.profile.logo.data if sender.profile.logo is not None else None,
        created=dt.datetime.combine(as_of, dt.time(0, 0), tzinfo=dt.UTC))


def _open_items(session: Session, customer_id: int, currency: str, as_of: dt.date) -> list[dict[str, Any]]:
    items = []
    for item in lookup.open_invoice_items(session, customer_id):
        if item.currency != currency:
            continue
        items.append({"invoice": item.invoice, "seq": item.seq, "issue_date": item.issue_date.isoformat(),
                      "due_date": item.due_date.isoformat(), "days_past_due": (as_of - item.due_date).days,
                      "open": Money.from_minor(item.open_minor, currency).format_plain(), "currency": currency})
    return items


def _demands(uow: UnitOfWork, customer_id: int) -> list[Demand]:
    """Every demand that reached the debtor (`repository.agency.demands`: messages delivered, notices imported from
    the system used before, calls and meetings held), the same list the agency export carries."""
    return [Demand(d.day, d.channel, d.document, d.recipient, d.reference)
            for d in uow.repo(AGENCY).demands(customer_id)]


def _handoff_interest(uow: UnitOfWork, case_id: int, items: list[dict[str, Any]], currency: str, as_of: dt.date,
                      language: str, rates: RateSource, law: str) -> tuple[list[InterestClaim], str]:
    """The interest claimable under `law`, computed to the day the case was handed off when it was (what the
    agency claims on top of the principal, the same figure as the agency export), else to `as_of`; the pack says
    which, and says which rate is not loaded when a period has none."""
    handed_off = uow.repo(AGENCY).handed_off_on(case_id)
    if handed_off is None or handed_off >= as_of:
        return _interest(items, currency, as_of, language, rates, law)
    note = (f"hasta la cesión, {handed_off:%d/%m/%Y}" if language.startswith("es")
            else f"to the handoff, {handed_off.isoformat()}")
    claims, missing = _interest(items, currency, handed_off, language, rates, law)
    return [dataclasses.replace(c, rate=f"{c.rate} ({note})" if "(" not in c.rate else c.rate)
            for c in claims], missing


def _broken(session: Session, customer_id: int) -> list[BrokenPromise]:
    return [BrokenPromise(p.due_on, Money.from_minor(p.amount_minor, p.currency).amount, p.currency, p.contact,
                          p.channel) for p in repo.broken_promises(session, customer_id)]


def _disputes(session: Session, customer_id: int) -> list[Dispute]:
    return [Dispute(d.opened_on, d.reason_code, Money.from_minor(d.amount_minor, d.currency).amount, d.currency,
                    d.status, ", ".join(numbers)) for d, numbers in repo.disputes(session, customer_id)]


def _interest(items: list[dict[str, Any]], currency: str, as_of: dt.date, language: str,
              rates: RateSource, jurisdiction: str) -> tuple[list[InterestClaim], str]:
    """Claimable statutory interest per overdue item under `jurisdiction`, and the message naming the period whose
    rate is not loaded when the book stops short of `as_of` ("" when it covers it)."""
    rule = rule_for(jurisdiction)
    if rule.compensation_currency and rule.compensation_currency != currency:
        return [], ""  # Ley 3/2004's EUR 40 or the UK's bands on a debt in another currency: not claimable as is
    # interest runs to the as-of date, or to the last day the rate book covers (said in the pack)
    until, missing = as_of, ""
    if rule.mode != "flat":
        table = rates.table(rule.table_id)
        if not table.rows or table.row_for(as_of) is None:
            missing = _not_loaded(jurisdiction, currency, as_of, rates)
            until = min(as_of, max((row.valid_to for row in table.rows), default=dt.date.min))
    claims = []
    for item in items:
        due = dt.date.fromisoformat(item["due_date"])
        if due >= until:
            continue
        try:
            result = compute_late_interest(jurisdiction, Decimal(item["open"]), currency, due, until, rates=rates)
        except InterestError:
            continue
        claim = interest_claim(item["invoice"], result)
        if until < as_of:
            note = f"hasta {until:%d/%m/%Y}" if language.startswith("es") else f"to {until.isoformat()}"
            claim = dataclasses.replace(claim, rate=f"{claim.rate} ({note})")
        claims.append(claim)
    return claims, missing


def _not_loaded(jurisdiction: str, currency: str, day: dt.date, rates: RateSource) -> str:
    """The interest feature's own message for the period of `day` ("ES rate for 2026-H2 not loaded: cobro rates
    add ..."), got by asking it for that one day."""
    try:
        compute_late_interest(jurisdiction, Decimal(1), currency, day - dt.timedelta(days=1), day, rates=rates,
                              compensation=Decimal(0))
    except InterestError as exc:
        return str(exc)
    return ""
