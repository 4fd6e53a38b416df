"""Holds (customer or invoice, until a date), disputes (disputed items only) and payment plans."""

from __future__ import annotations

import datetime as dt

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.collections.domain.status import DisputeReason, DisputeStatus
from cobro.collections.repository.work import WORK, WorkRepository
from cobro.collections.schemas.work import DisputeRecord, HoldRecord, InvoiceRef, PaymentPlanRecord
from cobro.kernel.amounts import AmountError, parse_minor
from cobro.kernel.errors import InvalidInputError, InvalidTransitionError, NotFoundError
from cobro.kernel.money import MoneyError, format_minor
from cobro.ledger.service.lookup import CustomerRecord
from cobro.platform.uow import Uow
from cobro.webhooks import service as webhooks

REASON_CODES = tuple(r.value for r in DisputeReason)


def add_hold(uow: Uow, *, customer: str, reason: str, today: dt.date, until: dt.date | None = None,
             invoice: str = "", user: str = "") -> HoldRecord:
    if not reason.strip():
        raise InvalidInputError("reason: a hold needs a reason")
    if until is not None and until < today:
        raise InvalidInputError("until: a hold cannot end in the past")
    repo = uow.repo(WORK)
    cust = repo.customer(customer)
    invoice_id = None
    if invoice:
        inv = repo.invoices([invoice]).get(invoice)
        if inv is None or inv.customer_id != cust.id:
            raise InvalidInputError(f"invoice: {customer} has no invoice {invoice!r}")
        invoice_id = inv.id
    row = repo.add_hold(customer_id=cust.id, invoice_id=invoice_id, reason=reason, until=until, created_by=user)
    scope = f"invoice {invoice}" if invoice else "all items"
    repo.timeline(cust.id, day=today, kind="hold.added", ref=f"hold:{row.id}", actor=user,
                  summary=f"hold on {scope} until {until or 'released'}: {reason}")
    audit.record(uow, Change("hold", str(row.id), "add", None, row.as_json(), reason=reason), user=user)
    return row


def release_hold(uow: Uow, hold_id: int, *, today: dt.date, user: str = "") -> HoldRecord:
    repo = uow.repo(WORK)
    row = repo.find_hold(hold_id)
    if row is None:
        raise NotFoundError(f"no hold #{hold_id}")
    if row.released_on is not None:
        raise InvalidTransitionError(f"hold #{hold_id} was released on {row.released_on}")
    before = row.as_json()
    row = repo.release_hold(hold_id, on=today)
    audit.record(uow, Change("hold", str(row.id), "release", before, row.as_json()), user=user)
    repo.timeline(row.customer_id, day=today, kind="hold.released", ref=f"hold:{row.id}", actor=user,
                  summary=f"hold #{row.id} released")
    uow.flush()
    return row


def get_hold(uow: Uow, hold_id: int) -> HoldRecord:
    """One hold of the tenant (another tenant's id is not found)."""
    row = uow.repo(WORK).find_hold(hold_id)
    if row is None:
        raise NotFoundError(f"no hold #{hold_id}")
    return row


def list_holds(uow: Uow, *, today: dt.date, active_only: bool = True) -> list[HoldRecord]:
    return uow.repo(WORK).holds(active_on=today if active_only else None)


def open_dispute(uow: Uow, *, customer: str, invoices: list[str], reason_code: str, today: dt.date,
                 amount: str = "", owner: str = "", resolve_by: dt.date | None = None, note: str = "",
                 user: str = "") -> DisputeRecord:
    """Open a dispute; `user` is who records it (the timeline's actor), `owner` who must resolve it."""
    if reason_code not in REASON_CODES:
        raise InvalidInputError(f"reason_code: reason code must be one of {', '.join(REASON_CODES)}")
    if not invoices:
        raise InvalidInputError("invoices: a dispute names at least one invoice")
    repo = uow.repo(WORK)
    cust, found, currency = _own_invoices(repo, customer, invoices, "a dispute")
    minor = 0
    if amount:
        try:
            minor = parse_minor(str(amount), currency)  # the one grammar: no silent rounding, inside the bound
        except (MoneyError, AmountError) as exc:
            raise InvalidInputError(f"amount: {amount!r} is not an amount: {exc}") from exc
        if minor <= 0:
            raise InvalidInputError("amount: the disputed amount must be positive")
        open_total = sum(m for _, m in repo.open_instalments([inv.id for inv in found.values()]))
        if minor > open_total:
            raise InvalidInputError(f"amount: the disputed amount {format_minor(minor, currency)} {currency} is more than what is "
                                    f"still open on {', '.join(invoices)} ({format_minor(open_total, currency)} {currency})")
    row = repo.add_dispute(customer_id=cust.id, invoice_ids=sorted(i.id for i in found.values()),
                           reason_code=DisputeReason(reason_code), amount_minor=minor, currency=currency, owner=owner,
                           resolve_by=resolve_by, opened_on=today, note=note)
    repo.timeline(cust.id, day=today, kind="dispute.opened", ref=f"dispute:{row.id}", actor=user or owner,
                  summary=f"dispute ({reason_code}) on {', '.join(invoices)}"
                          + (f" for {format_minor(minor, currency)} {currency}" if minor else "")
                          + (f", resolve by {resolve_by}" if resolve_by else ""))
    audit.record(uow, Change("dispute", str(row.id), "open", None, row.as_json(), reason=note), user=user or owner)
    webhooks.emit(uow, "dispute.opened", entity=f"dispute:{row.id}", data=row.as_json())
    return row


def resolve_dispute(uow: Uow, dispute_id: int, *, resolution: str, today: dt.date, user: str = "") -> DisputeRecord:
    repo = uow.repo(WORK)
    row = repo.find_dispute(dispute_id)
    if row is None:
        raise NotFoundError(f"no dispute #{dispute_id}")
    if row.status != DisputeStatus.OPEN:
        raise InvalidTransitionError(f"dispute #{dispute_id} is already {row.status}")
    before = row.as_json()
    row = repo.resolve_dispute(dispute_id, on=today, resolution=resolution)
    audit.record(uow, Change("dispute", str(row.id), "resolve", before, row.as_json(), reason=resolution), user=user)
    webhooks.emit(uow, "dispute.resolved", entity=f"dispute:{row.id}", data={**row.as_json(), "resolution": resolution})
    repo.timeline(row.customer_id, day=today, kind="dispute.resolved", ref=f"dispute:{row.id}", actor=user,
                  summary=f"dispute #{row.id} resolved: {resolution}")
    uow.flush()
    return row


def get_dispute(uow: Uow, dispute_id: int) -> DisputeRecord:
    row = uow.repo(WORK).find_dispute(dispute_id)
    if row is None:
        raise NotFoundError(f"no dispute #{dispute_id}")
    return row


def list_disputes(uow: Uow, *, status: str = "open") -> list[DisputeRecord]:
    return uow.repo(WORK).disputes(status)


def add_plan(uow: Uow, *, customer: str, invoices: list[str], schedule: list[tuple[dt.date, str]], today: dt.date,
             user: str = "", note: str = "") -> PaymentPlanRecord:
    """A payment plan replaces the open instalments of `invoices` by `schedule`; its total must equal their
    open amount, so nothing is forgiven or added silently."""
    if not invoices or not schedule:
        raise InvalidInputError("instalments: a plan needs invoices and at least one instalment")
    repo = uow.repo(WORK)
    cust, found, currency = _own_invoices(repo, customer, invoices, "a plan")
    covered = repo.open_instalments([inv.id for inv in found.values()])
    if already := {i for i, _ in covered} & repo.covered_instalments(cust.id):
        raise InvalidInputError(f"invoices: {len(already)} instalment(s) are already in an active plan")
    open_total = sum(m for _, m in covered)
    try:
        parts = [(day, parse_minor(str(a), currency)) for day, a in schedule]
    except (MoneyError, AmountError) as exc:
        raise InvalidInputError(f"instalments: bad instalment amount: {exc}") from exc
    if sum(m for _, m in parts) != open_total:
        raise InvalidInputError(f"instalments: the plan's instalments add up to {format_minor(sum(m for _, m in parts), currency)} but "
                                f"the covered items are open for {format_minor(open_total, currency)} {currency}")
    plan = repo.add_plan(customer_id=cust.id, currency=currency, total_minor=open_total, covered=[i for i, _ in covered],
                         instalments=sorted(parts), agreed_on=today, created_by=user, note=note)
    repo.timeline(cust.id, day=today, kind="plan.agreed", ref=f"plan:{plan.id}", actor=user,
                  summary=f"payment plan for {', '.join(invoices)}: {len(parts)} instalment(s), "
                          f"{format_minor(open_total, currency)} {currency}")
    audit.record(uow, Change("payment_plan", str(plan.id), "agree", None, _plan_state(plan, invoices), reason=note),
                 user=user)
    return plan


def _plan_state(plan: PaymentPlanRecord, invoices: list[str]) -> dict[str, object]:
    return {"customer_id": plan.customer_id, "invoices": sorted(invoices), "currency": plan.currency,
            "total": format_minor(plan.total_minor, plan.currency), "status": plan.status,
            "instalments": [[day.isoformat(), format_minor(minor, plan.currency)] for day, minor in plan.instalments]}


def _own_invoices(repo: WorkRepository, customer: str, invoices: list[str],
                  what: str) -> tuple[CustomerRecord, dict[str, InvoiceRef], str]:
    """The customer's invoices by number, all in one currency (disputes and plans cover one currency)."""
    cust = repo.customer(customer)
    found = repo.invoices(invoices)
    missing = [n for n in invoices if n not in found or found[n].customer_id != cust.id]
    if missing:
        raise InvalidInputError(f"invoices: {customer} has no invoice(s) {', '.join(missing)}")
    currencies = {inv.currency for inv in found.values()}
    if len(currencies) != 1:
        raise InvalidInputError(f"invoices: {what} covers invoices in one currency")
    return cust, found, currencies.pop()
