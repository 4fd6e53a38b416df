"""/api/v1 for cash application: upload a bank statement or e-invoices (the report `cobro import statement|einvoice
--json` prints; dry runs write nothing), the entries waiting for review with the matcher's proposal, and the
decision on each (accept, or reject and apply elsewhere).

The import services read files, so an upload is spooled to a private temporary directory under its own reduced
name, which the problems then name.  Any error → the report with status 422 and nothing written."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Body, File, Form, Path, Query, UploadFile, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from cobro.cashapp.schemas import ReviewEntry, StatementSummary
from cobro.cashapp.service import application, einvoices, review, statements
from cobro.kernel.errors import InvalidInputError
from cobro.ledger.service.imports import ImportReport
from cobro.platform.http.auth import require
from cobro.platform.http.deps import UowDep, WriteUowDep
from cobro.platform.http.paging import Page, check_limit, decode_cursor, encode_cursor
from cobro.platform.http.problems import PROBLEMS
from cobro.platform.uow import UnitOfWork

router = APIRouter(prefix="/v1", tags=["cashapp"], responses=PROBLEMS)
EntryId = Annotated[int, Path(ge=1, le=2**53)]
QUEUE_MAX = 10_000  # entries waiting for review that one listing walks


class ImportProblem(BaseModel):
    file: str
    row: int | None
    column: str
    message: str


class CashImportReport(BaseModel):
    """The report `cobro import statement|einvoice --json` prints."""

    created: int
    updated: int
    unchanged: int
    errors: list[ImportProblem] = Field(description="Any error: nothing was written")
    warnings: list[ImportProblem] = []
    details: dict[str, int] | None = None
    dry_run: bool = False


UPLOAD_RESPONSES: dict[int | str, dict[str, object]] = {
    422: {"model": CashImportReport, "description": "Problems in the file: nothing was written"},
    409: {"description": "Another import is writing the same records"},
    413: {"description": "The upload is above the request size limit"}}


class ReviewOut(BaseModel):
    id: int
    date: str
    amount: str
    currency: str
    payer: str
    account: str
    remittance: str
    status: str
    customer_id: int | None
    confidence: str
    reason: str
    proposal: str = Field(description="the matcher's proposal, as stored (JSON text)")

    @classmethod
    def of(cls, e: ReviewEntry) -> ReviewOut:
        return cls.model_validate(e.as_json())


class StatementOut(BaseModel):
    id: int
    filename: str
    format: str
    entries: int
    imported_at: dt.datetime | None

    @classmethod
    def of(cls, s: StatementSummary) -> StatementOut:
        return cls(id=s.id, filename=s.filename, format=s.format, entries=s.entries, imported_at=s.imported_at)


class DecisionIn(BaseModel):
    customer: str | None = Field(None, max_length=64, description="the customer who really paid")
    invoices: list[str] | None = Field(None, max_length=500, description="the invoices it pays")

    model_config = {"json_schema_extra": {"examples": [{}, {"customer": "C001", "invoices": ["F-001"]}]}}


class DecisionOut(BaseModel):
    entry: int
    status: str | None = None
    customer_id: int | None = None
    invoices: list[str] = []
    learned_account: str | None = None
    learned_alias: str | None = None


def _safe_name(upload: UploadFile, default: str) -> str:
    raw = FilePath(upload.filename or default).name
    return re.sub(r"[^\w.\- ]", "_", raw)[-120:].lstrip(".") or default


def _import(uow: UnitOfWork, uploads: list[UploadFile], default: str, dry_run: bool,
            run: Callable[[list[FilePath]], ImportReport]) -> CashImportReport | JSONResponse:
    with tempfile.TemporaryDirectory(prefix="cobro-cash-") as folder:
        paths = []
        for n, upload in enumerate(uploads):
            target = FilePath(folder) / f"{n}" / _safe_name(upload, default)
            target.parent.mkdir()
            with target.open("wb") as spooled:
                shutil.copyfileobj(upload.file, spooled, length=1 << 20)
            paths.append(target)
        with uow.conflicts_as("another import is writing the same records; nothing was written by this one: "
                              "send it again to see what is left"):
            report = run(paths)
            report.dry_run = dry_run
            if report.errors or dry_run:
                uow.rollback()  # atomic: one error and nothing of the file is kept
            else:
                uow.flush()
    out = CashImportReport.model_validate(report.as_dict())
    if report.errors:
        return JSONResponse(out.model_dump(mode="json"), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    return out


@router.post("/statements", response_model=CashImportReport, dependencies=[require("ledger.write")],
             summary="Import a bank statement", responses=UPLOAD_RESPONSES)
def import_statement(uow: WriteUowDep,
                     file: Annotated[UploadFile, File(description="Norma 43, camt.052/053/054, MT940/942, "
                                                                  "pain.002, or a zip of them")],
                     account: Annotated[str | None, Form(max_length=40, description="our IBAN this file is for")]
                     = None,
                     dry_run: Annotated[bool, Form(description="check and count, write nothing")] = False,
                     ) -> CashImportReport | JSONResponse:
    """Apply credits to invoices (by the matcher), reverse returns, queue the doubtful for review; entries seen
    before are recognised one by one (idempotent).

    `curl -H "Authorization: Bearer $TOKEN" -F file=@statement.xml -F dry_run=true .../api/v1/statements`"""
    return _import(uow, [file], "statement.txt", dry_run,
                   lambda paths: application.import_statement(uow, paths[0], account=account or None))


@router.post("/einvoices", response_model=CashImportReport, dependencies=[require("ledger.write")],
             summary="Import e-invoices", responses=UPLOAD_RESPONSES)
def import_einvoices(uow: WriteUowDep,
                     files: Annotated[list[UploadFile], File(description="Facturae, UBL/Peppol, CFDI with Pagos, "
                                                                         "Chile DTE (XML)")],
                     dry_run: Annotated[bool, Form(description="check and count, write nothing")] = False,
                     ) -> CashImportReport | JSONResponse:
    """Customers, invoices, credit notes and payments from e-invoice documents (`cobro import einvoice`)."""
    if not files or len(files) > 100:
        raise InvalidInputError("files: send 1 to 100 e-invoice files")
    return _import(uow, files, "einvoice.xml", dry_run, lambda paths: einvoices.import_einvoices(uow, paths))


Limit = Annotated[int, Query(ge=1, le=500, description="page size (1..500)")]
Cursor = Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page")]


def _after(cursor: str | None) -> int:
    key = decode_cursor(cursor)
    if key is not None and (len(key) != 1 or not isinstance(key[0], int)):
        raise InvalidInputError("cursor: not a cursor of this listing")
    return int(key[0]) if key else 0


@router.get("/statements", response_model=Page[StatementOut], dependencies=[require("ledger.read")],
            summary="Imported bank statements")
def list_statements(uow: UowDep, limit: Limit = 50, cursor: Cursor = None) -> Page[StatementOut]:
    """Statements by id (oldest first), with their format and number of entries."""
    check_limit(limit)
    rows = statements.statements(uow, after_id=_after(cursor), limit=limit + 1)
    shown = rows[:limit]
    return Page[StatementOut](items=[StatementOut.of(s) for s in shown],
                              next_cursor=encode_cursor([shown[-1].id]) if len(rows) > limit else None)


@router.get("/statements/{statement_id}/lines", response_model=Page[ReviewOut],
            dependencies=[require("ledger.read")], summary="A statement's lines")
def statement_lines(uow: UowDep, statement_id: Annotated[int, Path(ge=1, le=2**53)], limit: Limit = 50,
                    cursor: Cursor = None) -> Page[ReviewOut]:
    """Its entries by id, each with its status (matched, applied, review, unmatched, rejected …)."""
    check_limit(limit)
    rows = statements.lines(uow, statement_id, after_id=_after(cursor), limit=limit + 1)
    shown = rows[:limit]
    return Page[ReviewOut](items=[ReviewOut.of(e) for e in shown],
                           next_cursor=encode_cursor([shown[-1].id]) if len(rows) > limit else None)


@router.get("/matches", response_model=Page[ReviewOut], dependencies=[require("ledger.read")],
            summary="Entries waiting for review")
def matches(uow: UowDep, limit: Annotated[int, Query(ge=1, le=500, description="page size (1..500)")] = 50,
            cursor: Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page")]
            = None) -> Page[ReviewOut]:
    """Statement entries below the auto-apply threshold or without a payer, with the matcher's proposal."""
    check_limit(limit)
    key = decode_cursor(cursor)
    if key is not None and (len(key) != 1 or not isinstance(key[0], int)):
        raise InvalidInputError("cursor: not a cursor of this listing")
    after = int(key[0]) if key else 0
    waiting = sorted((e for e in review.queue(uow, QUEUE_MAX) if e.id > after), key=lambda e: e.id)
    shown = waiting[:limit]
    return Page[ReviewOut](items=[ReviewOut.of(e) for e in shown],
                           next_cursor=encode_cursor([shown[-1].id]) if len(waiting) > limit else None)


@router.post("/matches/{entry_id}/accept", response_model=DecisionOut, dependencies=[require("ledger.write")],
             summary="Accept a proposed match")
def accept(uow: WriteUowDep, entry_id: EntryId,
           body: Annotated[DecisionIn, Body(default_factory=DecisionIn)]) -> DecisionOut:
    """Apply the proposal, or the given customer/invoices; the matcher learns the payer's account and name.
    An entry decided already answers 409."""
    done = review.accept(uow, entry_id, customer_code=body.customer, invoices=body.invoices)
    return DecisionOut.model_validate(done.as_json())


@router.post("/matches/{entry_id}/reject", response_model=DecisionOut, dependencies=[require("ledger.write")],
             summary="Reject a proposed match")
def reject(uow: WriteUowDep, entry_id: EntryId,
           body: Annotated[DecisionIn, Body(default_factory=DecisionIn)]) -> DecisionOut:
    """Refuse the proposal; with customer/invoices apply the payment to those instead (and learn from it)."""
    done = review.reject(uow, entry_id, customer_code=body.customer, invoices=body.invoices)
    return DecisionOut.model_validate(done.as_json())
