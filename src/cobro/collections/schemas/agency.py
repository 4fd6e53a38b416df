"""The agency handoff's values: the export a collection agency receives (debtor, documents, amounts, interest to the
handoff date, every demand made), the agency's status updates and the result of importing a file of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cobro.collections.domain.agency import AgencyStatus
from cobro.collections.schemas import Json, iso, plain
from cobro.kernel.errors import Problem

CSV_HEADER = ("record", "case", "date", "reference", "channel_or_status", "document", "recipient_or_note",
              "amount", "open", "currency")


@dataclass(frozen=True, slots=True)
class AgencyUpdate:
    id: int
    case_id: int
    day: dt.date
    status: AgencyStatus
    note: str
    recovered_minor: int
    currency: str
    reference: str
    source: str
    created_by: str

    def as_json(self) -> Json:
        return {"id": self.id, "case": self.case_id, "date": self.day.isoformat(), "status": self.status,
                "note": self.note, "recovered": plain(self.recovered_minor, self.currency),
                "currency": self.currency, "reference": self.reference, "source": self.source,
                "by": self.created_by}


@dataclass(frozen=True, slots=True)
class DemandLine:
    """One demand made on the debtor: a message delivered, an imported notice, or a call or meeting held."""

    day: dt.date
    channel: str
    document: str
    recipient: str
    reference: str

    def as_json(self) -> Json:
        return {"date": self.day.isoformat(), "channel": self.channel, "document": self.document,
                "recipient": self.recipient, "reference": self.reference}


@dataclass(frozen=True, slots=True)
class CaseDocument:
    """An invoice of the case: what it was for, what is still open, and its e-invoice fiscal id when imported."""

    invoice: str
    issue_date: dt.date
    due_date: dt.date
    amount_minor: int
    open_minor: int
    currency: str
    einvoice_id: str = ""

    def as_json(self) -> Json:
        return {"invoice": self.invoice, "issue_date": self.issue_date.isoformat(),
                "due_date": self.due_date.isoformat(), "amount": plain(self.amount_minor, self.currency),
                "open": plain(self.open_minor, self.currency), "currency": self.currency,
                "einvoice_id": self.einvoice_id}


@dataclass(frozen=True, slots=True)
class InterestLine:
    invoice: str
    days_late: int
    rate: str
    interest_minor: int
    compensation_minor: int


@dataclass(frozen=True, slots=True)
class Debtor:
    code: str
    legal_name: str
    tax_id: str
    country: str

    def as_json(self) -> Json:
        return {"code": self.code, "legal_name": self.legal_name, "tax_id": self.tax_id, "country": self.country}


@dataclass(frozen=True, slots=True)
class AgencyExport:
    """Everything the agency needs to act on a case, as of a day; interest runs to the handoff date."""

    case_id: int
    status: str
    agency: str
    handed_off_on: dt.date | None
    interest_to: dt.date
    as_of: dt.date
    currency: str
    debtor: Debtor
    documents: tuple[CaseDocument, ...]
    demands: tuple[DemandLine, ...]
    interest: tuple[InterestLine, ...]
    updates: tuple[AgencyUpdate, ...]

    @property
    def open_minor(self) -> int:
        return sum(d.open_minor for d in self.documents)

    @property
    def interest_minor(self) -> int:
        return sum(i.interest_minor for i in self.interest)

    @property
    def compensation_minor(self) -> int:
        return sum(i.compensation_minor for i in self.interest)

    def as_json(self) -> Json:
        cur = self.currency
        return {
            "case": self.case_id, "status": self.status, "agency": self.agency,
            "handed_off_on": iso(self.handed_off_on), "as_of": self.as_of.isoformat(),
            "interest_to": self.interest_to.isoformat(), "currency": cur, "debtor": self.debtor.as_json(),
            "documents": [d.as_json() for d in self.documents],
            "amounts": {"open": plain(self.open_minor, cur), "interest": plain(self.interest_minor, cur),
                        "compensation": plain(self.compensation_minor, cur),
                        "claim": plain(self.open_minor + self.interest_minor + self.compensation_minor, cur)},
            "interest": [{"invoice": i.invoice, "days_late": i.days_late, "rate": i.rate,
                          "interest": plain(i.interest_minor, cur),
                          "compensation": plain(i.compensation_minor, cur)} for i in self.interest],
            "demands": [d.as_json() for d in self.demands],
            "updates": [u.as_json() for u in self.updates],
        }

    def csv_rows(self) -> list[list[str]]:
        """One table for a spreadsheet: a `debtor` row, one row per document, per interest line, per demand and per
        update, and a `total` row (columns: `CSV_HEADER`; cells are neutralised by the writer)."""
        cur, case = self.currency, str(self.case_id)
        d = self.debtor
        rows = [["debtor", case, self.as_of.isoformat(), d.code, d.country, d.tax_id, d.legal_name, "", "", cur]]
        rows += [["document", case, doc.due_date.isoformat(), doc.invoice, "", doc.einvoice_id,
                  f"issued {doc.issue_date.isoformat()}", plain(doc.amount_minor, cur), plain(doc.open_minor, cur),
                  cur] for doc in self.documents]
        rows += [["interest", case, self.interest_to.isoformat(), i.invoice, i.rate, f"{i.days_late} days", "",
                  plain(i.interest_minor + i.compensation_minor, cur), "", cur] for i in self.interest]
        rows += [["demand", case, m.day.isoformat(), m.reference, m.channel, m.document, m.recipient, "", "", cur]
                 for m in self.demands]
        rows += [["update", case, u.day.isoformat(), u.reference, u.status, u.source, u.note,
                  plain(u.recovered_minor, cur), "", cur] for u in self.updates]
        total = self.open_minor + self.interest_minor + self.compensation_minor
        rows.append(["total", case, self.as_of.isoformat(), "", "", "", "", plain(total, cur),
                     plain(self.open_minor, cur), cur])
        return rows


@dataclass(frozen=True, slots=True)
class UpdateImport:
    """What `import_updates` did: rows read, updates recorded, rows skipped as already known (same reference),
    the cases it closed, and the problems (any problem: nothing was recorded)."""

    file: str
    rows: int
    recorded: int
    already: int
    closed: tuple[int, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> Json:
        return {"file": self.file, "rows": self.rows, "recorded": self.recorded, "already": self.already,
                "closed": list(self.closed), "problems": [p.as_dict() for p in self.problems]}


@dataclass(frozen=True, slots=True)
class InvoiceCopy:
    filename: str
    content: bytes
