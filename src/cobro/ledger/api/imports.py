"""`POST /api/v1/imports/{kind}`: upload a customers, contacts, invoices or payments file (CSV or XLSX, with an
optional YAML mapping) and get the report `cobro import KIND FILE --json` prints.

The import services read files, so the upload is spooled to a private temporary directory under its own (reduced)
name, which the problems then name.  The body limit (`COBRO_MAX_REQUEST_BYTES`) bounds the upload and the readers'
input limits (`COBRO_LIMIT_*`) bound what it may make them read.  Any error → the report with status 422 and
nothing written; a dry run reports and writes nothing either.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from enum import StrEnum
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, UploadFile, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from cobro.kernel.errors import InvalidInputError
from cobro.ledger.service import imports
from cobro.ledger.service.imports import ImportReport
from cobro.platform.http.auth import require
from cobro.platform.http.deps import WriteUowDep
from cobro.platform.http.problems import PROBLEMS
from cobro.platform.uow import UnitOfWork

router = APIRouter(prefix="/v1/imports", tags=["ledger"], responses=PROBLEMS)
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")


class ImportKind(StrEnum):
    CUSTOMERS = "customers"
    CONTACTS = "contacts"
    INVOICES = "invoices"
    PAYMENTS = "payments"


RUNNERS = {ImportKind.CUSTOMERS: imports.import_customers, ImportKind.CONTACTS: imports.import_contacts,
           ImportKind.INVOICES: imports.import_invoices, ImportKind.PAYMENTS: imports.import_payments}


class ImportProblem(BaseModel):
    file: str
    row: int | None = Field(description="1 is the header row")
    column: str
    message: str


class FieldChangeOut(BaseModel):
    row: int
    key: str
    field: str
    old: str
    new: str


class ImportReportOut(BaseModel):
    """The report `cobro import KIND FILE --json` prints."""

    created: int
    updated: int
    unchanged: int
    errors: list[ImportProblem] = Field(description="Any error: nothing was written")
    warnings: list[ImportProblem] = []
    details: dict[str, int] | None = None
    dry_run: bool = False
    file_format: dict[str, str] | None = Field(
        None, description="How the file was read: file, encoding, delimiter, decimal and thousands separators")
    columns: dict[str, str] = Field({}, description="The header each field was read from")
    changes: list[FieldChangeOut] = Field([], description="Per updated record, each field's old and new value")


def _safe_name(upload: UploadFile | None, default: str) -> str:
    """The uploaded file's own name, reduced to a base name of plain characters (the problems quote it)."""
    raw = FilePath((upload.filename if upload else "") or default).name
    return re.sub(r"[^\w.\- ]", "_", raw)[-120:].lstrip(".") or default


def _spool(upload: UploadFile, folder: FilePath, name: str) -> FilePath:
    target = folder / name
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out, length=1 << 20)
    return target


def _refused(exc: InvalidInputError, name: str) -> JSONResponse:
    """A file refused as a whole (a missing column, an unreadable file): the CLI's JSON shape, status 422."""
    problems = [{"file": p.file or name, "row": p.row, "column": p.column, "message": p.message}
                for p in exc.problems] or [{"file": name, "row": None, "column": "", "message": str(exc)}]
    body = {"created": 0, "updated": 0, "unchanged": 0, "errors": problems, "warnings": [], "dry_run": False}
    return JSONResponse(ImportReportOut.model_validate(body).model_dump(mode="json"),
                        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def _run(uow: UnitOfWork, kind: ImportKind, path: FilePath, mapping: FilePath | None, dry_run: bool) -> ImportReport:
    with uow.conflicts_as("another import is writing the same records; nothing was written by this one: "
                          "send it again to see what is left"):
        report = RUNNERS[kind](uow, path, mapping)
        report.dry_run = dry_run
        if report.errors or dry_run:
            uow.rollback()  # atomic: one error and nothing of the file is kept
        else:
            uow.flush()
    return report


@router.post("/{kind}", response_model=ImportReportOut, dependencies=[require("ledger.write")],
             summary="Import a file", status_code=status.HTTP_200_OK,
             responses={422: {"model": ImportReportOut, "description": "Problems in the file: nothing was written"},
                        409: {"description": "Another import is writing the same records"},
                        413: {"description": "The upload is above the request size limit"}})
def import_file(
    uow: WriteUowDep,
    kind: Annotated[ImportKind, Path(description="What the file holds")],
    file: Annotated[UploadFile, File(description="CSV (any delimiter, decimal comma or point) or XLSX")],
    mapping: Annotated[UploadFile | None, File(description="Optional YAML column mapping")] = None,
    dry_run: Annotated[bool, Form(description="Check and count, write nothing")] = False,
) -> ImportReportOut | JSONResponse:
    """Import customers, contacts, invoices or payments like `cobro import KIND FILE --json`: idempotent on the
    natural keys (customer code, invoice number, payment reference); the problems name file, row and column.

    `curl -H "Authorization: Bearer $TOKEN" -F file=@customers.csv -F dry_run=true .../api/v1/imports/customers`"""
    name = _safe_name(file, f"{kind.value}.csv")
    if not name.lower().endswith(SUFFIXES):
        raise InvalidInputError(f"file: {name!r} is not a .csv, .txt, .tsv or .xlsx file")
    with tempfile.TemporaryDirectory(prefix="cobro-import-") as folder:
        path = _spool(file, FilePath(folder), name)
        mapping_path = _spool(mapping, FilePath(folder), "mapping-" + _safe_name(mapping, "mapping.yaml")) \
            if mapping is not None and mapping.filename else None
        try:
            report = _run(uow, kind, path, mapping_path, dry_run)
        except InvalidInputError as exc:
            uow.rollback()
            return _refused(exc, name)
    out = ImportReportOut.model_validate(report.as_dict())
    if report.errors:
        return JSONResponse(out.model_dump(mode="json"), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    return out
