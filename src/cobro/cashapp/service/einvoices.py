"""`cobro import einvoice FILE...`: e-invoices (Facturae, UBL/Peppol, CFDI + Pagos, Chile DTE) into the ledger.

- The buyer becomes the customer (code = its tax id as written, compacted; or a name slug when there is none).
  We are the seller: a document whose seller differs from the first seller seen is still imported, with a warning.
- Invoices get the document's payment schedule as instalments; credit notes are `kind="credit_note"` linked
  through `corrects` (a CFDI UUID is translated to the corrected invoice's number when it is known) and applied
  to that invoice by the ledger's rule (`cobro.ledger.service.credit_notes`): it is settled or reduced.
- CFDI with MetodoPago PUE is paid at issue: a payment `cfdi-pue:<uuid>` settles it.  Pagos complements record one
  payment per related document, `cfdi-pago:<uuid>:<n>`, allocated to the invoice they name by UUID.
- Natural keys: invoice number and payment reference, so importing the same files again changes nothing.
  All files of one call are one unit: any error, in any file, and the caller rolls everything back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from cobro.cashapp.einvoice import parse_einvoice
from cobro.cashapp.einvoice.records import EInvoiceDocument, Party
from cobro.cashapp.repository import einvoices as repo
from cobro.kernel.amounts import AmountError, check_amount
from cobro.kernel.errors import Problem
from cobro.kernel.money import Money, MoneyError
from cobro.ledger.domain.payments import OpenItem, Payment, allocate
from cobro.ledger.service import credit_notes
from cobro.ledger.service import payments as ledger
from cobro.ledger.service.imports import ImportReport
from cobro.platform.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class _Invoice:
    """A ledger invoice the import refers to (to allocate a payment to it)."""

    id: int
    number: str
    customer_id: int


@dataclass
class _Run:
    uow: UnitOfWork
    session: Session
    tenant: int
    report: ImportReport
    seller: Party | None = None
    customers: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def warn(self, doc: EInvoiceDocument, message: str, column: str = "") -> None:
        file = doc.source.split("#")[0]
        self.report.warnings.append(Problem(f"{doc.number or doc.uuid}: {message}", file, None, column,
                                            "einvoice", "warning"))

    def error(self, doc: EInvoiceDocument, message: str, column: str = "") -> None:
        self.report.errors.append(Problem(f"{doc.number or doc.uuid}: {message}", doc.source.split("#")[0], None,
                                          column, "invalid"))

    def bump(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1


def customer_code(party: Party) -> str:
    tax = re.sub(r"[^0-9A-Za-z&Ññ]", "", party.tax_id).upper()
    if tax:
        return tax[:64]
    slug = re.sub(r"[^0-9A-Z]+", "-", party.name.upper()).strip("-")
    return f"N-{slug}"[:64] if slug else "N-UNKNOWN"


def import_einvoices(uow: UnitOfWork, paths: list[Path]) -> ImportReport:
    """Import the documents of `paths` as one unit (see the module); errors leave the caller to roll back."""
    report = ImportReport("einvoices", ", ".join(p.name for p in paths)[:200])
    docs: list[EInvoiceDocument] = []
    for path in paths:
        parsed = parse_einvoice(path)
        report.errors.extend(parsed.problems)
        docs.extend(parsed.documents)
    run = _Run(uow, uow.session, uow.tenant.id, report)
    for doc in docs:
        for w in doc.warnings:
            run.warn(doc, w)
    if report.errors:
        return report
    # documents that create debts first, then the payments that settle them, whatever the file order
    for doc in [d for d in docs if d.kind != "payment"]:
        _check_seller(run, doc)
        _invoice(run, doc)
    # a credit note reduces the invoice it names before later payments are allocated to what is left
    applied = credit_notes.apply_credit_notes(uow, numbers=[d.number for d in docs if d.kind != "payment"])
    report.warnings.extend(applied.warnings)
    if applied.applied:
        run.counts["credit_notes_applied"] = len(applied.applied)
    for doc in [d for d in docs if d.kind == "payment" or d.payments]:
        _payments(run, doc)
    uow.flush()
    report.extra = dict(sorted(run.counts.items()))
    return report


def _check_seller(run: _Run, doc: EInvoiceDocument) -> None:
    if run.seller is None:
        run.seller = doc.seller
        return
    first = run.seller
    if (first.tax_id or first.name).replace(" ", "").upper() != (doc.seller.tax_id or doc.seller.name).replace(
            " ", "").upper():
        run.warn(doc, f"seller {doc.seller.name or doc.seller.tax_id!r} differs from the first seller seen "
                 f"({first.name or first.tax_id!r}); imported anyway")


def _customer(run: _Run, party: Party) -> int:
    code = customer_code(party)
    if code in run.customers:
        return run.customers[code]
    row = repo.customer_by_code(run.session, run.tenant, code)
    if row is None:
        cid = repo.add_customer(run.session, run.tenant, code=code, legal_name=party.name or code,
                                country=party.country, tax_id=party.tax_id)
        run.bump("customers_created")
    else:
        cid = int(row.id)
    run.customers[code] = cid
    return cid


def _money(run: _Run, doc: EInvoiceDocument, value: Decimal, column: str) -> Money | None:
    try:
        exact = Money.of(value, doc.currency)
        check_amount(exact.amount, exact.currency)  # the bound: no stored amount can overflow a report's sum
    except (MoneyError, AmountError) as exc:
        run.error(doc, str(exc), column)
        return None
    if exact.amount != value:
        run.warn(doc, f"{value} rounded to {exact.format_plain()} {doc.currency}", column)
    return exact


def _doc_key(doc: EInvoiceDocument) -> str:
    return doc.uuid.upper() if doc.uuid else f"number:{doc.number}"


def _invoice(run: _Run, doc: EInvoiceDocument) -> None:
    s = run.session
    kind = doc.kind
    if kind == "invoice" and doc.payable < 0:
        kind = "credit_note"  # an EN 16931 negative invoice is a credit in substance
        run.warn(doc, "negative invoice imported as a credit note")
    amount = _money(run, doc, abs(doc.payable), "payable")
    if amount is None:
        return
    if amount.to_minor() == 0 and not doc.paid_at_issue:
        run.warn(doc, "amount is 0: stored as settled, nothing to collect")
    if not doc.number:
        # an unstamped draft: give it a number derived from what it says, so a re-import finds it again
        digest = hashlib.sha1(f"{doc.seller.tax_id}|{doc.buyer.tax_id}|{doc.issue_date}|{doc.total}|{doc.currency}"
                              .encode(), usedforsecurity=False).hexdigest()[:10].upper()
        doc = replace(doc, number=f"NOID-{digest}")
        run.warn(doc, "document has neither a number nor a UUID: numbered from its content")
    existing = repo.invoice_by_number(s, run.tenant, doc.number)
    if existing is not None:
        known = repo.document_invoice_id(s, run.tenant, _doc_key(doc))
        if known != existing.id or existing.amount_minor != amount.to_minor():
            run.warn(doc, f"invoice number {doc.number} already exists from another document; kept the existing one")
        run.bump("unchanged")
        run.report.unchanged += 1
        return
    cid = _customer(run, doc.buyer)
    corrects = doc.corrects
    if corrects:
        target = repo.document_number(s, run.tenant, corrects.upper())
        corrects = target or corrects
    schedule = [(i.due_date, i.amount) for i in doc.instalments] or [(doc.issue_date, abs(doc.payable))]
    due = max(d for d, _ in schedule)
    minors = [m.to_minor() for m in (_money(run, doc, a, "instalments") for _, a in schedule) if m is not None]
    if sum(minors) != amount.to_minor():
        # the schedule and the total disagree (SUNAT detracción, rounding): the schedule keeps its dates, the
        # last instalment absorbs the difference so the ledger's total is the document's
        minors[-1] += amount.to_minor() - sum(minors)
    inv = _Invoice(repo.add_invoice(
        s, run.tenant, customer_id=cid, number=doc.number, kind=kind, issue_date=doc.issue_date, due_date=due,
        currency=amount.currency, amount_minor=amount.to_minor(), corrects=corrects, source=doc.source,
        schedule=[(day, minor) for (day, _), minor in zip(schedule, minors, strict=True)], doc_id=_doc_key(doc)),
        doc.number[:64], cid)
    run.report.created += 1
    run.bump("credit_notes" if kind == "credit_note" else "invoices")
    if doc.paid_at_issue and kind == "invoice":
        _pay(run, doc, cid=cid, inv=inv, amount=amount, reference=f"cfdi-pue:{_doc_key(doc)}", day=doc.issue_date,
             method="pue")


def _pay(run: _Run, doc: EInvoiceDocument, *, cid: int, inv: _Invoice | None, amount: Money, reference: str,
         day: dt.date, method: str) -> None:
    s = run.session
    if ledger.known_payment_refs(run.uow, [reference]):
        run.report.unchanged += 1
        return
    rows = [] if inv is None else repo.open_instalments(s, inv.id)
    items = [OpenItem(inv.number if inv else "", r.id, r.due_date, Money.from_minor(r.open_minor, r.currency))
             for r in rows]
    allocs, left = allocate(Payment(reference, "", day, amount, (inv.number,) if inv else ()), items)
    ledger.record_payment(run.uow, customer_id=cid, reference=reference, date=day,
                          amount=amount, allocations=[(a.seq, a) for a in allocs], unapplied=left, method=method,
                          source=doc.source)
    if left.is_positive():
        run.warn(doc, f"payment {reference} leaves {left.format_plain()} {left.currency} unapplied")
    run.bump("payments")


def _payments(run: _Run, doc: EInvoiceDocument) -> None:
    cid = _customer(run, doc.buyer)
    for n, applied in enumerate(doc.payments, 1):
        column = f"pago20:DoctoRelacionado[{n}]/@IdDocumento"
        try:
            amount = Money.of(applied.amount, applied.currency)
        except MoneyError as exc:
            run.warn(doc, f"payment to {applied.document_ref} skipped: {exc}", column)
            continue
        try:
            check_amount(amount.amount, amount.currency)  # the bound, as for every stored amount
        except AmountError as exc:
            run.error(doc, f"payment to {applied.document_ref}: {exc}", column)
            continue
        if amount.amount != applied.amount:
            run.warn(doc, f"{applied.amount} rounded to {amount.format_plain()} {applied.currency}", column)
        target = repo.document_invoice_id(run.session, run.tenant, applied.document_ref.upper())
        row = repo.invoice(run.session, target) if target is not None else None
        inv = None if row is None else _Invoice(int(row.id), row.number, int(row.customer_id))
        if inv is None:
            run.warn(doc, f"pays document {applied.document_ref}, which is not imported: kept as unapplied credit",
                     column)
        _pay(run, doc, cid=cid if inv is None else inv.customer_id, inv=inv, amount=amount,
             reference=f"cfdi-pago:{_doc_key(doc)}:{n}"[:120], day=applied.date, method="cfdi-pago")
