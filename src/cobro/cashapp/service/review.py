"""The review queue and the tenant's own accounts: what people decide, and what the matcher learns from it.

Accepting a proposal (or naming the right customer and invoices instead) records the payment exactly as an
automatic match would, then teaches the matcher: the payer's account now identifies that customer, and the payer
name as the bank wrote it becomes an alias of the customer.  Rejecting without an alternative leaves the money
unapplied to any customer (a loan, a tax refund, a supplier's refund).
"""

from __future__ import annotations

import json
from decimal import Decimal

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy.orm import Session

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.cashapp.domain.matching import Item
from cobro.cashapp.records import StatementEntryRow
from cobro.cashapp.repository import matches as repo
from cobro.cashapp.schemas import BankAccount, Decision, EntryStatus, MatchSettings, ReviewEntry
from cobro.cashapp.service.application import apply_payment
from cobro.kernel.errors import ConflictError, InvalidInputError, NotFoundError
from cobro.kernel.money import Money
from cobro.ledger.service.customers import customer_profile
from cobro.platform.uow import UnitOfWork

OPEN_STATUSES = (EntryStatus.REVIEW.value, EntryStatus.UNMATCHED.value)


def review_entry(e: StatementEntryRow) -> ReviewEntry:
    return ReviewEntry(e.id, e.booking_date, Money.from_minor(e.amount_minor, e.currency), e.counterparty_name,
                       e.counterparty_account, e.remittance, EntryStatus(e.status), e.customer_id,
                       Decimal(e.confidence_permille) / 1000, e.reason, e.proposal)


def queue(uow: UnitOfWork, limit: int = 200) -> list[ReviewEntry]:
    """Entries waiting for a decision (below the threshold, or no payer found)."""
    return [review_entry(e) for e in repo.entries(uow.session, uow.tenant.id, OPEN_STATUSES, limit)]


def _entry(session: Session, tenant: int, entry_id: int) -> StatementEntryRow:
    entry = session.get(StatementEntryRow, entry_id)
    if entry is None or entry.tenant_id != tenant:
        raise NotFoundError(f"no statement entry {entry_id}")
    if entry.status not in OPEN_STATUSES:
        raise ConflictError(f"entry {entry_id} is {entry.status}, not waiting for review")
    return entry


def accept(uow: UnitOfWork, entry_id: int, *, customer_code: str | None = None,
           invoices: list[str] | None = None, _action: str = "accept") -> Decision:
    """Apply the proposal, or the given customer / invoices instead; learn the payer's account and name."""
    session, tenant = uow.session, uow.tenant.id
    entry = _entry(session, tenant, entry_id)
    before = _state(entry)
    proposal = json.loads(entry.proposal or "{}")
    customer_id = entry.customer_id
    if customer_code:
        customer_id = customer_profile(uow, customer_code).id
    if customer_id is None:
        raise InvalidInputError(f"entry {entry_id} has no proposed customer: give --customer")
    items_all = [i for i in repo.open_items(session, tenant) if i.customer_id == customer_id]
    if invoices:
        wanted = {n.strip() for n in invoices if n.strip()}
        items = [i for i in items_all if i.number in wanted and not i.interest]
        missing = wanted - {i.number for i in items}
        if missing:
            raise InvalidInputError(f"not open invoices of this customer: {', '.join(sorted(missing))}")
        designated, fee = True, 0
    elif customer_code and customer_id != entry.customer_id:
        items, designated, fee = [i for i in items_all if not i.interest], False, 0  # oldest first
    else:
        ids = set(proposal.get("items", []))
        items = [i for i in items_all if i.id in ids]
        designated, fee = bool(proposal.get("designated")), int(proposal.get("fee_minor", 0))
    interest = [i for i in items_all if i.interest and i.currency == entry.currency]
    items = sorted((i for i in items if i.currency == entry.currency), key=lambda i: (i.due_date, i.number))
    apply_payment(uow, entry, customer_id=customer_id, items=items, interest=interest,
                  designated=designated, fee_minor=fee, method="transfer")
    entry.status, entry.customer_id = EntryStatus.MATCHED.value, customer_id
    entry.reason = (entry.reason + "; accepted by a person").strip("; ")
    account, alias = _learn(session, tenant, entry, customer_id)
    session.flush()
    audit.record(uow, Change("bank_match", str(entry.id), _action, before, {
        **_state(entry), "invoices": [i.number for i in items],
        "learned_account": account, "learned_alias": alias},
        reason="applied as given instead of the proposal" if _action == "reject" else ""))
    return Decision(entry.id, EntryStatus.MATCHED, customer_id, tuple(i.number for i in items), account, alias)


def reject(uow: UnitOfWork, entry_id: int, *, customer_code: str | None = None,
           invoices: list[str] | None = None) -> Decision:
    """Refuse the proposal.  With a customer (and invoices) the entry is applied to those instead."""
    session, tenant = uow.session, uow.tenant.id
    if customer_code or invoices:
        entry = _entry(session, tenant, entry_id)
        if not customer_code and entry.customer_id is None:
            raise InvalidInputError("give --customer with --invoices: the entry has no customer")
        return accept(uow, entry_id, customer_code=customer_code, invoices=invoices, _action="reject")
    entry = _entry(session, tenant, entry_id)
    before = _state(entry)
    entry.status = EntryStatus.REJECTED.value
    entry.reason = (entry.reason + "; rejected by a person: not a customer payment").strip("; ")
    session.flush()
    audit.record(uow, Change("bank_match", str(entry.id), "reject", before, _state(entry),
                             reason="not a customer payment"))
    return Decision(entry.id, EntryStatus.REJECTED)


def _state(entry: StatementEntryRow) -> dict[str, object]:
    """A statement entry as its audit entries show it."""
    return {"status": entry.status, "customer_id": entry.customer_id, "booking_date": entry.booking_date,
            "amount": Money.from_minor(entry.amount_minor, entry.currency).format_plain(), "currency": entry.currency,
            "counterparty": entry.counterparty_name}


def _learn(session: Session, tenant: int, entry: StatementEntryRow,
           customer_id: int) -> tuple[str | None, str | None]:
    """The payer's account and name, each when it was not yet known for this customer (None otherwise)."""
    account = alias = None
    if entry.counterparty_account and repo.learn_account(session, tenant, customer_id, entry.counterparty_account,
                                                         "manual"):
        account = entry.counterparty_account
    if entry.counterparty_name and repo.learn_alias(session, tenant, customer_id, entry.counterparty_name):
        alias = entry.counterparty_name
    return account, alias


def add_bank_account(uow: UnitOfWork, iban: str, *, alias: str = "", currency: str = "EUR",
                     name: str = "") -> tuple[BankAccount, bool]:
    """Register one of our own accounts (validated, compacted); True when it was not known yet."""
    try:
        valid = IBAN(iban)
    except (SchwiftyException, ValueError) as exc:
        raise InvalidInputError(f"{iban!r} is not a valid IBAN: {exc}") from exc
    row, created = repo.add_bank_account(uow.session, uow.tenant.id, str(valid.compact), alias=alias,
                                         currency=currency, name=name)
    return BankAccount(row.iban, row.alias, row.currency, row.name), created


def set_settings(uow: UnitOfWork, *, threshold: Decimal | None = None,
                 fee_max_minor: int | None = None) -> MatchSettings:
    """Change the tenant's threshold and fee tolerance (each when given); the settings as they now stand."""
    session = uow.session
    row = repo.settings(session, uow.tenant.id)
    if threshold is not None:
        if not Decimal(0) <= threshold <= Decimal(1):
            raise InvalidInputError("the threshold is a confidence between 0 and 1")
        row.threshold_permille = int(threshold * 1000)
    if fee_max_minor is not None:
        row.fee_max_minor = fee_max_minor
    session.flush()
    return MatchSettings(Decimal(row.threshold_permille) / 1000, row.fee_max_minor)


def item_numbers(items: list[Item]) -> list[str]:
    return [i.number for i in items]
