"""Import use cases: customers, contacts, invoices and payments from CSV/XLSX.

Every import is atomic (any invalid row → nothing written, the caller rolls back) and idempotent (natural keys:
customer code, invoice number, payment reference).  The report lists every problem with file, row and column.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cobro.kernel.errors import Problem
from cobro.kernel.money import Money
from cobro.ledger.domain.headers import match_headers
from cobro.ledger.domain.payments import Payment, allocate
from cobro.ledger.imports.fast_invoices import h40_key, read_invoice_batches
from cobro.ledger.imports.mapping import Mapping, load_mapping, suggest_mapping
from cobro.ledger.imports.party_rows import read_contacts, read_customers
from cobro.ledger.imports.prefetch import prefetched
from cobro.ledger.imports.records import ContactLine, CustomerLine, FieldChange, InvoiceLine, PaymentLine
from cobro.ledger.imports.rows import RowReader, read_invoices, read_payments
from cobro.ledger.imports.tabular import cell_text, infer_decimal_separator, open_table
from cobro.ledger.repository import invoice_changes, invoice_import, parties
from cobro.ledger.repository import summary as ledger
from cobro.ledger.service import credit_notes
from cobro.platform.uow import UnitOfWork

Progress = Callable[[int, int], None]  # (bytes done, bytes total)
MAX_CHANGES = 1000  # field changes listed in a report; the counts cover every row


@dataclass
class ImportReport:
    kind: str
    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    extra: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    # how the file was read (encoding, delimiter, decimal, thousands) and which column fed each field
    format: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    changes: list[FieldChange] = field(default_factory=list)  # per updated record, each field's old and new value

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, object]:
        return {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "errors": [{"file": p.file, "row": p.row, "column": p.column, "message": p.message} for p in self.errors],
            "warnings": [{"file": p.file, "row": p.row, "column": p.column, "message": p.message}
                         for p in self.warnings],
            **({"details": self.extra} if self.extra else {}),
            "dry_run": self.dry_run,
            "file_format": {"file": self.file, **self.format},
            "columns": self.columns,
            "changes": [{"row": c.row, "key": c.key, "field": c.field, "old": c.old, "new": c.new}
                        for c in self.changes[:MAX_CHANGES]],
            **({"changes_not_shown": len(self.changes) - MAX_CHANGES} if len(self.changes) > MAX_CHANGES else {}),
        }


def _split(items: Iterator[object], report: ImportReport, limit: int = 1000) -> Iterator[object]:
    for item in items:
        if isinstance(item, Problem):
            target = report.errors if item.severity == "error" else report.warnings
            if len(target) < limit:
                target.append(item)
            elif item.severity == "error" and len(report.errors) == limit:
                report.errors.append(Problem("more errors not shown", item.file, None, "", "truncated"))
            continue
        yield item


def _reader(path: Path, mapping_path: Path | None, kind: str, uow: UnitOfWork, report: ImportReport,
            strict: bool = False) -> RowReader:
    """The file's rows, read within the unit of work's input limits; whole-file warnings go to `report`, and so
    do the columns that feed no field (errors under `strict`: nothing is written)."""
    mapping: Mapping = load_mapping(mapping_path, kind, uow.limits)
    if mapping.kind and mapping.kind != kind:
        from cobro.kernel.errors import InvalidInputError

        raise InvalidInputError(f"{mapping.source}: this mapping is for {mapping.kind}, not {kind}")
    reader = RowReader(open_table(path, mapping.options, uow.limits), mapping, kind)
    report.warnings.extend(reader.table.warnings)
    unused = reader.unused_columns("error" if strict else "warning")
    (report.errors if strict else report.warnings).extend(unused)
    report.columns = {f: reader.table.headers[i] for f, i in sorted(reader.columns.items(), key=lambda x: x[1])}
    report.format = reader.format()
    return reader


def inspect_file(uow: UnitOfWork, kind: str, path: Path, mapping_path: Path | None = None) -> str:
    """The mapping the importer infers for `path` (`--suggest-mapping`): a YAML mapping file, with the reason for
    each column, the gaps and ambiguities left to decide, and the file's encoding, delimiter and decimal separator
    (inferred from the first 2,000 rows, as the import does)."""
    mapping = load_mapping(mapping_path, kind, uow.limits)
    table = open_table(path, mapping.options, uow.limits)
    match = match_headers(kind, table.headers, mapping.columns, mapping.source or "the mapping")
    options = {"encoding": table.encoding, "delimiter": table.delimiter} if table.encoding != "xlsx" else {}
    money = next((match.columns[f] for f in ("amount", "credit_limit") if f in match.columns), None)
    if money is not None:
        samples = [cell_text(cells[money]) for _, cells in itertools.islice(table.rows, 2000)
                   if money < len(cells) and isinstance(cells[money], str)]
        decimal = infer_decimal_separator(samples)
        if decimal in (",", "."):
            options["decimal"] = decimal
    return suggest_mapping(kind, table.headers, match, options)


def import_customers(uow: UnitOfWork, path: Path, mapping_path: Path | None = None, *,
                     strict: bool = False) -> ImportReport:
    session, tenant = uow.session, uow.tenant.id
    report = ImportReport("customers", path.name)
    reader = _reader(path, mapping_path, "customers", uow, report, strict)
    # without a country column, a re-imported tax id is checked under the country the customer has
    stored = parties.countries(session, tenant) if "country" not in reader.columns else None
    lines = [x for x in _split(read_customers(reader, stored), report) if isinstance(x, CustomerLine)]
    report.format = reader.format()  # the decimal separator is known once the rows were read
    if report.errors:
        return report
    report.created, report.updated, report.unchanged, report.changes = parties.upsert_customers(session, tenant, lines)
    return report


def import_contacts(uow: UnitOfWork, path: Path, mapping_path: Path | None = None, *,
                    strict: bool = False) -> ImportReport:
    session, tenant = uow.session, uow.tenant.id
    report = ImportReport("contacts", path.name)
    lines = [x for x in _split(read_contacts(_reader(path, mapping_path, "contacts", uow, report, strict)), report)
             if isinstance(x, ContactLine)]
    ids = parties.customer_ids(session, tenant, {ln.customer_code for ln in lines})
    for ln in lines:
        if ln.customer_code not in ids:
            report.errors.append(Problem(f"unknown customer {ln.customer_code!r}; import customers first",
                                         path.name, ln.row, "customer_code", "unknown_customer"))
    if report.errors:
        return report
    report.created, report.updated, report.unchanged, report.changes = parties.upsert_contacts(
        session, tenant, lines, ids)
    return report


def _h40(line: InvoiceLine) -> int:
    """A 40-bit content hash of one row; sums of these stay inside BIGINT for millions of rows."""
    return h40_key(line.customer_code, line.customer_name, line.issue_date, line.due_date, line.currency,
                   line.amount_minor, line.kind, line.disputed, line.corrects, line.channel, line.terms,
                   line.settled_date, line.seq)


def _estimate_rows(reader: RowReader) -> int:
    """Rows in the file, estimated from its size and the first line's length (for the progress bar only)."""
    return max(1, reader.table.size_bytes // max(20, sum(len(h) + 1 for h in reader.table.headers)))


def _keep(reader: RowReader) -> invoice_changes.Keep:
    """What a re-import leaves as stored: the fields the file gives no value for (no column, no default; the due
    date when neither it nor the terms are given) and the empty text cells that do not clear (`empty_clears`)."""
    def given(fld: str) -> bool:
        return fld in reader.columns or fld in reader.mapping.defaults

    absent = {f for f in invoice_changes.OPTIONAL_HEAD_FIELDS if f != "due_date" and not given(f)}
    if not given("due_date") and not given("terms"):
        absent.add("due_date")
    blank = {f for f in invoice_changes.BLANK_KEEPING_FIELDS if given(f) and not reader.mapping.empty_clears(f)}
    return invoice_changes.Keep(frozenset(absent), frozenset(blank))


def import_invoices(uow: UnitOfWork, path: Path, mapping_path: Path | None = None,
                    progress: Progress | None = None, *, strict: bool = False) -> ImportReport:
    session, tenant = uow.session, uow.tenant.id
    report = ImportReport("invoices", path.name)
    reader = _reader(path, mapping_path, "invoices", uow, report, strict)
    total = reader.table.size_bytes
    tick = 0

    def on_row(_row: int) -> None:
        nonlocal tick
        tick += 1
        if progress is not None and tick % 5000 == 0 and reader.table.progress is not None:
            progress(int(reader.table.progress()), total)

    done_rows = 0

    def on_row_batch(n: int) -> None:
        nonlocal done_rows
        done_rows += n
        if progress is not None and reader.table.size_bytes:
            # the fast path reads in batches: estimate bytes from rows read so far
            progress(min(total, int(total * done_rows / max(done_rows + 1, _estimate_rows(reader)))), total)

    conn = session.connection()
    invoice_import.create_stage(conn)
    default_terms = str(reader.mapping.defaults.get("terms", "net 30"))
    if reader.table.encoding != "xlsx":
        # large CSVs: polars parses, each distinct value is validated once (same rules, same hashes)
        # the next batch is parsed and validated while this one is written
        batches = read_invoice_batches(reader, path, default_terms, on_row_batch, uow.limits)
        for frame, problems in prefetched(batches):
            list(_split(iter(problems), report))
            # valid rows are staged even after an error, so unknown customers are reported in the same pass
            invoice_import.stage_frame(conn, frame)
    else:
        lines = (
            (x, _h40(x)) for x in _split(read_invoices(reader, default_terms, on_row), report)
            if isinstance(x, InvoiceLine)
        )
        invoice_import.stage_rows(conn, lines)
    if progress is not None:
        progress(total, total)
    report.format = reader.format()
    if not reader.mapping.option("create_customers", False):
        for row, code in invoice_import.unknown_customers(conn, tenant):
            report.errors.append(Problem(f"unknown customer {code!r}; import customers first or set "
                                         "options.create_customers: true", path.name, row,
                                         reader.header_of.get("customer_code", "customer_code"), "unknown_customer"))
    if report.errors:
        report.errors.sort(key=lambda p: (p.row is None, p.row or 0))  # file order; a truncation note stays last
        return report
    for row, number in invoice_import.zero_amount_invoices(conn):
        # nothing to collect: the status rule stores it as paid (no reminder, no ageing); say so, as a warning,
        # rather than refuse the file (an ERP export carries zero invoices: free replacements, full discounts)
        report.warnings.append(Problem(f"invoice {number}: amount is 0: stored as settled, nothing to collect",
                                       path.name, row, reader.header_of.get("amount", "amount"), "zero_amount",
                                       "warning"))
    keep = _keep(reader)
    counts = invoice_import.merge(
        conn, tenant, path.name, create_customers=bool(reader.mapping.option("create_customers", False)),
        multi_instalment="instalment" in reader.columns or reader.split_instalments, keep=keep,
        changes=lambda c: report.changes.extend(invoice_changes.changed_fields(c, keep, MAX_CHANGES)))
    invoice_import.drop_stage(conn)
    report.warnings.extend(credit_notes.apply_credit_notes(uow, source=path.name).warnings)  # to what they name
    report.created, report.updated, report.unchanged = counts.created, counts.updated, counts.unchanged
    report.extra = {"customers_created": counts.customers_created, "settlements_recorded": counts.settled}
    return report


def import_payments(uow: UnitOfWork, path: Path, mapping_path: Path | None = None, *,
                    strict: bool = False) -> ImportReport:
    session, tenant = uow.session, uow.tenant.id
    report = ImportReport("payments", path.name)
    reader = _reader(path, mapping_path, "payments", uow, report, strict)
    lines = [x for x in _split(read_payments(reader), report) if isinstance(x, PaymentLine)]
    report.format = reader.format()
    ids = parties.customer_ids(session, tenant, {ln.customer_code for ln in lines})
    for ln in lines:
        if ln.customer_code not in ids:
            report.errors.append(Problem(f"unknown customer {ln.customer_code!r}", path.name, ln.row,
                                         "customer_code", "unknown_customer"))
    if report.errors:
        return report
    known = ledger.existing_payment_refs(session, tenant, [ln.reference for ln in lines])
    fresh = [ln for ln in lines if ln.reference not in known]
    report.unchanged = len(lines) - len(fresh)
    open_items = ledger.open_items_by_customer(session, tenant, {ids[ln.customer_code] for ln in fresh})
    # oldest payments first, so allocation order does not depend on the file's row order
    for ln in sorted(fresh, key=lambda p: (p.date, p.row)):
        cid = ids[ln.customer_code]
        amount = Money.from_minor(ln.amount_minor, ln.currency)
        items = open_items.get(cid, [])
        by_key = {(item.invoice_number, item.seq): iid for iid, item in items}
        payment = Payment(ln.reference, ln.customer_code, ln.date, amount,
                          tuple(n.strip() for n in ln.invoice_number.split(",") if n.strip()))
        allocations, unapplied = allocate(payment, [item for _, item in items])
        ledger.record_payment(session, tenant, customer_id=cid, reference=ln.reference, date=ln.date,
                              amount=amount, allocations=[(by_key[(a.invoice_number, a.seq)], a) for a in allocations],
                              unapplied=unapplied, method=ln.method, source=path.name)
        # keep the in-memory open items in step with what was just allocated
        paid = {(a.invoice_number, a.seq): a.amount for a in allocations}
        open_items[cid] = [
            (iid, type(item)(item.invoice_number, item.seq, item.due_date,
                             item.open_amount - paid.get((item.invoice_number, item.seq), Money.zero(item.open_amount.currency))))
            for iid, item in items
        ]
        report.created += 1
    return report
