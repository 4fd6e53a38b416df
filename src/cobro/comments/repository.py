"""All SQL of comments: the customer and invoice a comment names, the comments of a customer, and the customer's
timeline entry for each comment (the timeline is collections' table: one database, one timeline)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.collections.records import TimelineEventRow
from cobro.comments.records import CommentRow
from cobro.comments.schemas import Comment
from cobro.ledger.records import CustomerRow, InvoiceRow
from cobro.platform.uow import RepositoryKey


class CommentRepository(Protocol):
    def customer(self, code: str) -> tuple[int, str] | None:
        """(id, legal name) of the customer with this code."""
        ...

    def invoice(self, customer_id: int, number: str) -> int | None: ...

    def add(self, *, customer_id: int, invoice_id: int | None, author: str, text: str, mentions: tuple[str, ...],
            day: dt.date) -> int: ...

    def comments(self, customer_id: int) -> list[Comment]: ...

    def timeline(self, customer_id: int, *, day: dt.date, summary: str, ref: str, actor: str) -> None: ...


class SqlCommentRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def customer(self, code: str) -> tuple[int, str] | None:
        row = self.session.execute(select(CustomerRow.id, CustomerRow.legal_name).where(
            CustomerRow.tenant_id == self.tenant, CustomerRow.code == code)).first()
        return None if row is None else (int(row[0]), str(row[1]))

    def invoice(self, customer_id: int, number: str) -> int | None:
        return self.session.scalar(select(InvoiceRow.id).where(
            InvoiceRow.tenant_id == self.tenant, InvoiceRow.customer_id == customer_id, InvoiceRow.number == number))

    def add(self, *, customer_id: int, invoice_id: int | None, author: str, text: str, mentions: tuple[str, ...],
            day: dt.date) -> int:
        row = CommentRow(tenant_id=self.tenant, customer_id=customer_id, invoice_id=invoice_id, author=author,
                         text=text, mentions=",".join(mentions), day=day)
        self.session.add(row)
        self.session.flush()
        return int(row.id)

    def comments(self, customer_id: int) -> list[Comment]:
        rows = self.session.execute(
            select(CommentRow, CustomerRow.code, InvoiceRow.number)
            .join(CustomerRow, CustomerRow.id == CommentRow.customer_id)
            .outerjoin(InvoiceRow, InvoiceRow.id == CommentRow.invoice_id)
            .where(CommentRow.tenant_id == self.tenant, CommentRow.customer_id == customer_id)
            .order_by(CommentRow.id))
        return [Comment(c.id, str(code), str(number or ""), c.author, c.text,
                        tuple(m for m in c.mentions.split(",") if m), c.day) for c, code, number in rows]

    def timeline(self, customer_id: int, *, day: dt.date, summary: str, ref: str, actor: str) -> None:
        self.session.add(TimelineEventRow(tenant_id=self.tenant, customer_id=customer_id, day=day,
                                          kind="comment.added", ref=ref, summary=summary, actor=actor[:120]))
        self.session.flush()


COMMENTS: RepositoryKey[CommentRepository] = RepositoryKey("comments", SqlCommentRepository)
