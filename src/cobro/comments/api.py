"""/api/v1/customers/{code}/comments: read a customer's comments (`ledger.read`: auditors read them too) and write
one (`comment.write`: sales, collectors, credit managers).  The author is the authenticated caller, never a name
from the body."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from cobro.comments import service
from cobro.comments.domain import MAX_TEXT
from cobro.comments.schemas import Comment
from cobro.platform.http.auth import require
from cobro.platform.http.deps import ContainerDep, UowDep, WriteUowDep
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/v1/customers", tags=["comments"], responses=PROBLEMS)
Code = Annotated[str, Path(min_length=1, max_length=64)]


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"text": "@ana can we hold the next delivery until F-2291 is paid?", "invoice": "F-2291"}]})
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    invoice: Annotated[str, Field(max_length=64)] = ""


class CommentOut(BaseModel):
    id: int
    customer: str
    invoice: str | None
    author: str
    text: str
    mentions: list[str]
    date: dt.date
    notified: list[str] = Field(default_factory=list, description="who was sent an e-mail (on create)")

    @classmethod
    def of(cls, c: Comment, notified: tuple[str, ...] = ()) -> CommentOut:
        return cls.model_validate({**c.as_json(), "notified": list(notified)})


@router.get("/{code}/comments", response_model=list[CommentOut], dependencies=[require("ledger.read")],
            summary="A customer's comments")
def list_comments(uow: UowDep, code: Code) -> list[CommentOut]:
    return [CommentOut.of(c) for c in service.list_comments(uow, customer=code)]


@router.post("/{code}/comments", response_model=CommentOut, status_code=201,
             dependencies=[require("comment.write")], summary="Comment on a customer or one of its invoices")
def add_comment(uow: WriteUowDep, container: ContainerDep, code: Code, body: CommentIn,
                response: Response) -> CommentOut:
    """@mentions of the tenant's users (e-mail, `@"Display Name"` or one word) send each an e-mail; a mention that
    matches nobody or several users is refused (422, starting with `text`)."""
    made = service.add_comment(uow, customer=code, invoice=body.invoice, text=body.text,
                               today=container.clock.today())
    response.headers["Location"] = f"/api/v1/customers/{code}/comments"
    return CommentOut.of(made.comment, made.notified)
