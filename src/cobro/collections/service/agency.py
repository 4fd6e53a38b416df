"""The agency handoff (issue 15, item 8): the export a collection agency or lawyer works from, the status updates
they report (one at a time from the CLI or the API, or a CSV file of them), and closing the case on the agency's
final report.  Settling a case on payment is `escalation.py`'s; this module only adds to it.

The export's interest runs to the handoff date (the day the mandate started: what the agency claims on top of the
principal), or to `as_of` for a case not handed off yet; it uses the rate book the caller passes (`container.rates`).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from decimal import Decimal

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.collections.domain.agency import (
    MAX_NOTE,
    MAX_REFERENCE,
    UPDATE_COLUMNS,
    AgencyStatus,
    check_text,
    closes_case,
    read_update_row,
)
from cobro.collections.domain.status import CaseStatus
from cobro.collections.repository.agency import AGENCY
from cobro.collections.repository.work import WORK
from cobro.collections.schemas.agency import (
    AgencyExport,
    AgencyUpdate,
    CaseDocument,
    Debtor,
    InterestLine,
    UpdateImport,
)
from cobro.collections.schemas.work import EscalationCase
from cobro.collections.service import escalation
from cobro.collections.service.law import debt_law
from cobro.interest.domain import InterestError, compute_late_interest, rule_for
from cobro.kernel.amounts import AmountError, parse_minor
from cobro.kernel.errors import InvalidInputError, InvalidTransitionError, Problem
from cobro.kernel.money import Money
from cobro.kernel.rates import RateSource
from cobro.ledger.service import lookup
from cobro.platform.uow import UnitOfWork, Uow

SOURCES = ("cli", "api", "import")
# an agency reports on a case it holds; a case still open may be reported on (the mandate was sent before the
# handoff was recorded); a closed or settled case takes no more reports
REPORTABLE = (CaseStatus.OPEN, CaseStatus.HANDED_OFF)


def agency_export(uow: UnitOfWork, case_id: int, *, as_of: dt.date, rates: RateSource) -> AgencyExport:
    """The case as the agency receives it: debtor, documents (the case's invoices and any that joined it, with what
    is open now), the interest to the handoff date, every demand made and the agency's updates so far."""
    case = escalation.get_case(uow, case_id)
    agency = uow.repo(AGENCY)
    cust = lookup.customer(uow.session, uow.tenant.id, case.customer)
    numbers = {i.invoice for i in case.items}
    numbers |= {i.invoice for i in lookup.open_invoice_items(uow.session, cust.id) if i.currency == case.currency}
    documents = tuple(agency.documents(cust.id, numbers, case.currency))
    handed_off_on = agency.handed_off_on(case.id)
    interest_to = handed_off_on or as_of
    return AgencyExport(
        case_id=case.id, status=str(case.status), agency=case.handed_off_to, handed_off_on=handed_off_on,
        interest_to=interest_to, as_of=as_of, currency=case.currency,
        debtor=Debtor(cust.code, cust.legal_name, cust.tax_id, cust.country), documents=documents,
        demands=tuple(agency.demands(cust.id)), interest=tuple(_interest(documents, case.currency, interest_to, rates,
                                                                         debt_law(uow, cust))),
        updates=tuple(agency.updates(case.id, case.currency)))


def _interest(documents: tuple[CaseDocument, ...], currency: str, until: dt.date,
              rates: RateSource, jurisdiction: str) -> list[InterestLine]:
    """Statutory late interest on each document's open amount from its due date to `until` under the law of the
    debt (`collections.service.law`); none when its fixed compensation is in another currency, and none past the
    last day the rate book covers."""
    rule = rule_for(jurisdiction)
    if rule.compensation_currency and rule.compensation_currency != currency:
        return []
    if rule.mode != "flat":
        table = rates.table(rule.table_id)
        until = min(until, max((row.valid_to for row in table.rows), default=dt.date.min))
    lines = []
    for doc in documents:
        if doc.open_minor <= 0 or doc.due_date >= until:
            continue
        principal = Money.from_minor(doc.open_minor, currency).amount
        try:
            result = compute_late_interest(jurisdiction, principal, currency, doc.due_date, until, rates=rates)
        except InterestError:
            continue
        rate = " / ".join(dict.fromkeys(f"{p.rate.normalize():f} %" for p in result.periods))
        lines.append(InterestLine(doc.invoice, result.days_late, rate, _minor(result.interest, currency),
                                  _minor(result.compensation, currency)))
    return lines


def _minor(value: Decimal, currency: str) -> int:
    return Money.of(value, currency).to_minor()


def record_update(uow: Uow, case_id: int, *, status: AgencyStatus, day: dt.date, today: dt.date, note: str = "",
                  recovered: str = "", reference: str = "", source: str = "cli", user: str = "") -> AgencyUpdate:
    """Store what the agency reports; a final report (recovered, uncollectable, returned) closes the case with the
    report as its note.  Refusals start with the field at fault."""
    case = escalation.get_case(uow, case_id)
    if case.status not in REPORTABLE:
        raise InvalidTransitionError(f"status: case #{case_id} is {case.status}; it takes no more agency reports")
    if day > today:
        raise InvalidInputError(f"date: {day.isoformat()} is in the future")
    if source not in SOURCES:
        raise InvalidInputError(f"source: one of {', '.join(SOURCES)}")
    try:
        note = check_text("note", note, MAX_NOTE)
        reference = check_text("reference", reference, MAX_REFERENCE)
        recovered_minor = parse_minor(recovered, case.currency) if recovered.strip() else 0
    except (ValueError, AmountError) as exc:
        message = str(exc)
        raise InvalidInputError(message if message.startswith(("note", "reference")) else
                                f"recovered: {message}") from None
    if recovered_minor < 0:
        raise InvalidInputError("recovered: must not be negative")
    return _store(uow, case, status=status, day=day, note=note, recovered_minor=recovered_minor,
                  reference=reference, source=source, user=user)


def _store(uow: Uow, case: EscalationCase, *, status: AgencyStatus, day: dt.date, note: str, recovered_minor: int,
           reference: str, source: str, user: str) -> AgencyUpdate:
    agency = uow.repo(AGENCY)
    before = agency.updates(case.id, case.currency)
    update = agency.add_update(case_id=case.id, day=day, status=status, note=note, recovered_minor=recovered_minor,
                               currency=case.currency, reference=reference, source=source, by=user)
    amount = f", recovered {Money.from_minor(recovered_minor, case.currency)}" if recovered_minor else ""
    uow.repo(WORK).timeline(case.customer_id, day=day, kind="escalation.agency_update", ref=f"escalation:{case.id}",
                            actor=user, summary=f"case #{case.id}: agency reports {status}{amount}"
                            + (f": {note}" if note else ""))
    audit.record(uow, Change("escalation", str(case.id), "agency_update",
                             {"agency_status": str(before[-1].status) if before else None},
                             {"agency_status": str(status), "recovered": update.as_json()["recovered"],
                              "reference": reference, "source": source}, reason=note), user=user)
    if closes_case(status):
        escalation.close(uow, case.id, today=day, note=f"on the agency's report: {status}"
                         + (f" ({note})" if note else ""), user=user)
    return update


def import_updates(uow: Uow, *, name: str, text: str, today: dt.date, user: str = "") -> UpdateImport:
    """A CSV of agency updates (`case, date, status[, note, recovered, reference]`): every row is checked first,
    then all are recorded or none (the caller rolls back when the result has problems).  A row whose (case,
    reference) was recorded before is skipped, so the agency's file can be imported again."""
    csv.field_size_limit(uow.limits.csv_field_bytes)  # process-wide: each reader sets the one its limits name
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")),
                            delimiter=";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",")
                            else ",")
    header = [(h or "").strip().lower() for h in reader.fieldnames or ()]
    missing = [c for c in UPDATE_COLUMNS if c not in header]
    if missing:
        return UpdateImport(name, 0, 0, 0, problems=(Problem(
            f"{missing[0]}: missing column(s) {', '.join(missing)}; expected {', '.join(UPDATE_COLUMNS)} "
            "(and optionally note, recovered, reference)", file=name, row=1, column=missing[0]),))
    known = uow.repo(AGENCY).known_references()
    problems: list[Problem] = []
    good: list[tuple[EscalationCase, AgencyStatus, dt.date, str, int, str]] = []
    already = rows = 0
    cases: dict[int, EscalationCase | None] = {}
    try:
        raw_rows = list(reader)
    except csv.Error as exc:  # a NUL byte, a field past the csv module's limit: the file, not a traceback
        return UpdateImport(name, 0, 0, 0, problems=(Problem(
            f"file: not a readable CSV ({exc}) near line {reader.line_num}", file=name, row=reader.line_num,
            column="file"),))
    for n, raw in enumerate(raw_rows, start=2):
        rows += 1
        row = {(k or "").strip().lower(): (v or "") if isinstance(v, str) else "" for k, v in raw.items()}
        try:
            line = read_update_row(row, today=today)
        except ValueError as exc:
            column = str(exc).split(":", 1)[0]
            problems.append(Problem(str(exc), file=name, row=n, column=column))
            continue
        if line.reference and (line.case_id, line.reference) in known:
            already += 1
            continue
        if line.case_id not in cases:
            found = uow.repo(WORK).find_case(line.case_id)
            cases[line.case_id] = found
        case = cases[line.case_id]
        if case is None:
            problems.append(Problem(f"case: no escalation case #{line.case_id}", file=name, row=n, column="case"))
            continue
        if case.status not in REPORTABLE:
            problems.append(Problem(f"case: case #{case.id} is {case.status}; it takes no more agency reports",
                                    file=name, row=n, column="case"))
            continue
        try:
            minor = parse_minor(line.recovered, case.currency) if line.recovered else 0
        except AmountError as exc:
            problems.append(Problem(f"recovered: {exc}", file=name, row=n, column="recovered"))
            continue
        if line.reference:
            known.add((line.case_id, line.reference))
        good.append((case, line.status, line.day, line.note, minor, line.reference))
    if problems:
        return UpdateImport(name, rows, 0, already, problems=tuple(problems))
    closed: list[int] = []
    for case, status, day, note, minor, reference in sorted(good, key=lambda g: (g[2], g[0].id)):
        if case.id in closed:
            continue  # a later row for a case an earlier row closed: the case takes no more reports
        _store(uow, case, status=status, day=day, note=note, recovered_minor=minor, reference=reference,
               source="import", user=user)
        if closes_case(status):
            closed.append(case.id)
    return dataclasses.replace(UpdateImport(name, rows, len(good), already), closed=tuple(closed))


def updates(uow: Uow, case_id: int) -> list[AgencyUpdate]:
    case = escalation.get_case(uow, case_id)
    return uow.repo(AGENCY).updates(case.id, case.currency)
