"""Comments: write one on a customer (or one of its invoices), with the @mentions resolved against the tenant's
active users; each mentioned user gets one e-mail through the outbox.  The comment is audited and put on the
customer's timeline.  List a customer's comments, oldest first."""

from __future__ import annotations

import datetime as dt

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.comments.domain import Person, clean_text, resolve_mentions
from cobro.comments.repository import COMMENTS
from cobro.comments.schemas import Comment, NewComment
from cobro.delivery.schemas import CreditorPart, CustomerPart, MessageContext, OutboxMessage
from cobro.delivery.service.outbox import enqueue_one
from cobro.identity import service as identity
from cobro.kernel.errors import InvalidInputError, NotFoundError
from cobro.platform.uow import UnitOfWork, Uow

TEMPLATE = "comment_mention"
SUMMARY_CHARS = 200  # the timeline shows the start of a comment; `cobro comment list` shows all of it


def people(uow: Uow) -> list[Person]:
    """The tenant's active users, who may be mentioned."""
    return [Person(u.email, u.display_name) for u in identity.list_users(uow)
            if u.active and any(m.tenant == uow.tenant.code for m in u.memberships)]


def add_comment(uow: Uow, *, customer: str, text: str, today: dt.date, invoice: str = "",
                author: str = "") -> NewComment:
    """Write a comment; refusals start with the field at fault (customer:, invoice:, text:, author:)."""
    repo = uow.repo(COMMENTS)
    found = repo.customer(customer)
    if found is None:
        raise NotFoundError(f"customer: no customer with code {customer!r}")
    customer_id, legal_name = found
    invoice_id = None
    if invoice.strip():
        invoice_id = repo.invoice(customer_id, invoice.strip())
        if invoice_id is None:
            raise NotFoundError(f"invoice: customer {customer} has no invoice {invoice.strip()!r}")
    who = (uow.actor.name if uow.actor is not None else "") or author.strip()
    if not who:
        raise InvalidInputError("author: say who writes the comment (--user)")
    try:
        body = clean_text(text)
        mentioned = resolve_mentions(body, people(uow))
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    emails = tuple(p.email for p in mentioned)
    comment_id = repo.add(customer_id=customer_id, invoice_id=invoice_id, author=who, text=body, mentions=emails,
                          day=today)
    on = f" on invoice {invoice.strip()}" if invoice_id is not None else ""
    start = body if len(body) <= SUMMARY_CHARS else body[:SUMMARY_CHARS - 1] + "…"
    repo.timeline(customer_id, day=today, ref=f"comment:{comment_id}", actor=who,
                  summary=f"comment{on} by {who}: {start}")
    audit.record(uow, Change("comment", str(comment_id), "create", None,
                             {"customer": customer, "invoice": invoice.strip() or None, "mentions": list(emails)}),
                 user=who)
    comment = Comment(comment_id, customer, invoice.strip() if invoice_id is not None else "", who, body, emails,
                      today)
    notified = tuple(p.email for p in mentioned if p.email.casefold() != who.casefold())
    if isinstance(uow, UnitOfWork):  # the outbox is SQL; an in-memory unit of work in unit tests has none
        for person in mentioned:
            if person.email in notified:
                _notify(uow, person, comment, legal_name=legal_name)
    uow.flush()
    return NewComment(comment, notified)


def _notify(uow: UnitOfWork, person: Person, comment: Comment, *, legal_name: str) -> None:
    where = f"{comment.customer} {legal_name}" + (f", invoice {comment.invoice}" if comment.invoice else "")
    context = MessageContext(customer=CustomerPart(comment.customer, legal_name),
                             creditor=CreditorPart(uow.tenant.name), as_of=comment.day, step=TEMPLATE,
                             notes=(comment.author, where, comment.text))
    enqueue_one(uow, uow.tenant.id, OutboxMessage(
        channel="email", template=TEMPLATE, idempotency_key=f"comment:{comment.id}:{person.email.casefold()}",
        context=context, recipient=person.email, recipient_name=person.name, language="en"))


def list_comments(uow: Uow, *, customer: str) -> list[Comment]:
    repo = uow.repo(COMMENTS)
    found = repo.customer(customer)
    if found is None:
        raise NotFoundError(f"customer: no customer with code {customer!r}")
    return repo.comments(found[0])
