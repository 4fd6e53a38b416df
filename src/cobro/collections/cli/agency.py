"""The agency handoff's commands, added to `cobro escalation`: export a case for the agency (CSV or JSON), write
the invoice copies, record the agency's status reports one by one or from their CSV file, and list them.

Registered from `app/cli.py` into the `escalation` group `collections_work` builds (`register(group)`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer

from cobro.collections.cli.common import (
    AsOfOpt,
    JsonOpt,
    UserOpt,
    print_problems,
    print_rows,
    run_service,
    today_of,
)
from cobro.kernel.cells import csv_writer
from cobro.kernel.errors import CobroError
from cobro.platform.cli.context import console, fail, parse_day, print_json, state

MAX_UPDATE_FILE = 10 * 2**20


def register(group: typer.Typer) -> None:
    group.command("export")(escalation_export)
    group.command("copies")(escalation_copies)
    group.command("update")(escalation_update)
    group.command("import-updates")(escalation_import_updates)
    group.command("updates")(escalation_updates)


def escalation_export(ctx: typer.Context, case_id: int,
                      out: Annotated[Path, typer.Option("--out", help="File to write.")],
                      fmt: Annotated[Literal["csv", "json"], typer.Option("--format", help="csv or json.")] = "json",
                      as_of: AsOfOpt = None) -> None:
    """Write the agency's file for a case: debtor, documents, amounts, interest to the handoff date, every demand
    made (date, channel, reference) and the agency's updates so far."""
    import io

    from cobro.collections.schemas.agency import CSV_HEADER
    from cobro.collections.service.agency import agency_export

    day = parse_day(as_of) if as_of else today_of(ctx)
    rates = state(ctx).container().rates
    export = run_service(ctx, lambda uow: agency_export(uow, case_id, as_of=day, rates=rates), commit=False)
    if fmt == "json":
        out.write_text(json.dumps(export.as_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        buffer = io.StringIO()
        writer = csv_writer(buffer)  # a debtor's name or a note never becomes a spreadsheet formula
        writer.writerow(CSV_HEADER)
        writer.writerows(export.csv_rows())
        out.write_text(buffer.getvalue(), encoding="utf-8")
    console.print(f"case #{case_id}: {len(export.documents)} document(s), {len(export.demands)} demand(s) "
                  f"written to {out}", markup=False, highlight=False)


def escalation_copies(ctx: typer.Context, case_id: int,
                      out: Annotated[Path, typer.Option("--out", help="Directory for the PDF copies.")],
                      as_of: AsOfOpt = None) -> None:
    """Write a PDF copy of each invoice of the case (with its e-invoice fiscal id when imported)."""
    from cobro.collections.service.agency import agency_export
    from cobro.collections.service.invoice_copy import invoice_copies

    day = parse_day(as_of) if as_of else today_of(ctx)
    rates = state(ctx).container().rates
    copies = run_service(ctx, lambda uow: invoice_copies(uow, agency_export(uow, case_id, as_of=day, rates=rates)),
                         commit=False)
    out.mkdir(parents=True, exist_ok=True)
    for copy in copies:
        (out / copy.filename).write_bytes(copy.content)
    console.print(f"case #{case_id}: {len(copies)} invoice cop(ies) written to {out}", markup=False, highlight=False)


def escalation_update(ctx: typer.Context, case_id: int,
                      status: Annotated[str, typer.Option("--status", help="received, in_progress, payment_plan, "
                                                          "legal_action, partially_recovered, recovered, "
                                                          "uncollectable or returned (the last three close the "
                                                          "case).")],
                      note: Annotated[str, typer.Option("--note")] = "",
                      recovered: Annotated[str, typer.Option("--recovered", help="Amount the agency collected.")] = "",
                      reference: Annotated[str, typer.Option("--reference", help="The agency's own reference.")] = "",
                      on: Annotated[str | None, typer.Option("--date", help="Day of the report (default today).")] = None,
                      user: UserOpt = "") -> None:
    """Record a status report from the agency holding a case."""
    from cobro.collections.domain.agency import closes_case, parse_status
    from cobro.collections.service.agency import record_update

    try:
        parsed = parse_status(status)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    today = today_of(ctx)
    day = parse_day(on, today) if on else today
    update = run_service(ctx, lambda uow: record_update(uow, case_id, status=parsed, day=day, today=today, note=note,
                                                        recovered=recovered, reference=reference, user=user))
    console.print(f"case #{case_id}: agency reports {update.status}"
                  + ("; case closed" if closes_case(update.status) else ""), markup=False, highlight=False)


def escalation_import_updates(ctx: typer.Context,
                              file: Annotated[Path, typer.Argument(help="CSV: case, date, status[, note, recovered, "
                                                                        "reference]")],
                              user: UserOpt = "", as_json: JsonOpt = False) -> None:
    """Import the agency's file of status updates (atomic; rows with a known reference are skipped)."""
    from cobro.collections.service.agency import import_updates

    try:
        if file.stat().st_size > MAX_UPDATE_FILE:  # an agency's update file is a few lines per case
            raise fail(f"{file}: larger than {MAX_UPDATE_FILE // 2**20} MiB; split it")
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"{file}: cannot read it as UTF-8 text ({exc.__class__.__name__})") from exc
    today = today_of(ctx)
    try:
        with state(ctx).container().uow() as uow:
            report = import_updates(uow, name=file.name, text=text, today=today, user=user)
            if report.ok:
                uow.commit()
            else:
                uow.rollback()
    except CobroError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(report.as_json())
    else:
        print_problems(report.problems)
        console.print(f"{report.file}: {report.rows} row(s), {report.recorded} recorded, {report.already} already "
                      f"recorded, {len(report.closed)} case(s) closed" + ("" if report.ok else "; nothing written"),
                      markup=False, highlight=False)
    if not report.ok:
        raise typer.Exit(2)


def escalation_updates(ctx: typer.Context, case_id: int, as_json: JsonOpt = False) -> None:
    """The agency's reports on a case, oldest first."""
    from cobro.collections.service.agency import updates

    rows = [u.as_json() for u in run_service(ctx, lambda uow: updates(uow, case_id), commit=False)]
    print_rows(rows, as_json, f"Agency updates of case #{case_id}", ["date", "status", "recovered", "reference",
                                                                     "source", "note"])
