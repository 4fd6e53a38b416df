"""Credit notes applied to the invoice they correct (issue 13, item 5); flush, never commit.

A credit note that names the document it corrects (`corrects`: CSV column, Facturae `Corrective`, UBL
`BillingReference`, CFDI egreso `CfdiRelacionado`, Peru nota de crédito, Chile DTE 61 `Referencia`) reduces that
invoice: fully, or as far as the invoice is still open, earliest instalment first.  The invoice is then settled (or
smaller) from the credit note's issue date on, so it is no longer overdue and the collections policy does not chase
it; what the invoice could not take stays with the customer as credit, as does a credit note that names nothing.

The reference is resolved tolerantly among the customer's invoices (`cobro.ledger.domain.corrections`); a
reference that fits two invoices, names another customer's invoice, one in another currency, or none at all
leaves the credit note as credit, with a warning naming the credit note, its reference and why.

Every import that writes credit notes calls `apply_credit_notes` once, after its documents are written (the CSV
invoice import with its file name, the e-invoice import with the documents it read).  A credit note of an earlier
import still waiting for its invoice is tried again when an invoice of its customer arrives.  Applied once: the
application is the payment `credit-note:<number>`, and a credit note that has one is not pending any more.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from cobro.kernel.errors import Problem
from cobro.ledger.domain.corrections import Match, ReferenceIndex, Resolution, apply_credit
from cobro.ledger.domain.payments import OpenItem
from cobro.ledger.repository.corrections import CORRECTIONS, Application
from cobro.ledger.schemas.corrections import (
    CandidateInvoice,
    CreditApplication,
    CreditNotesApplied,
    PendingCreditNote,
)
from cobro.platform.uow import Uow

EXAMPLES = 5  # tolerant readings are summed up per kind with this many examples, not one warning each


def apply_credit_notes(uow: Uow, *, numbers: Collection[str] | None = None,
                       source: str | None = None) -> CreditNotesApplied:
    """Apply the pending credit notes numbered `numbers` (or written from the file `source`, or all) to the
    invoices they name; the applications and a warning for each credit note that stays credit."""
    repo = uow.repo(CORRECTIONS)
    notes = repo.pending(numbers=numbers, source=source)
    earlier = _waiting(uow, {n.id for n in notes}, numbers=numbers, source=source)
    notes = sorted([*notes, *earlier], key=lambda n: n.id)
    if not notes:
        return CreditNotesApplied((), ())
    waited = {n.id for n in earlier}
    candidates = repo.candidates({n.customer_id for n in notes})
    indexes = {cid: ReferenceIndex(c.number for c in invoices) for cid, invoices in candidates.items()}
    by_number = {(cid, c.number): c for cid, invoices in candidates.items() for c in invoices}
    found = [(note, indexes[note.customer_id].resolve(note.corrects)) for note in notes]
    targets = {note.id: by_number[(note.customer_id, r.number)] for note, r in found if r.found}
    items = repo.open_items({t.id for t in targets.values()})
    applied: list[CreditApplication] = []
    writes: list[Application] = []
    warnings: list[Problem] = []
    tolerant: dict[tuple[str, Match], list[tuple[str, str, str]]] = {}  # (file, rule) → (note, reference, invoice)
    unresolved: list[tuple[PendingCreditNote, Resolution]] = []
    for note, resolution in found:
        target = targets.get(note.id)
        if target is None:
            if note.id not in waited:  # an earlier import warned about it already
                unresolved.append((note, resolution))
            continue
        if resolution.match != Match.EXACT:
            tolerant.setdefault((_file(note), resolution.match), []).append(
                (note.number, note.corrects, target.number))
        outcome = _apply(note, target, resolution, items)
        if isinstance(outcome, Problem):
            warnings.append(outcome)
            continue
        application, write = outcome
        applied.append(application)
        writes.append(write)
        if note.id in waited:
            warnings.append(_warn(note, f"imported before the invoice it names, now applied to {target.number}",
                                  "credit_note_applied"))
        if application.left.is_positive():
            warnings.append(_warn(note, f"{application.amount.format_plain()} applied to {target.number}, all it "
                                        f"had open; {application.left.format_plain()} {application.left.currency} "
                                        "stays as credit"))
    repo.apply(writes)
    warnings[:0] = [_tolerant(match, examples, file) for (file, match), examples in tolerant.items()]
    owners = repo.owners({n.corrects.strip() for n, _ in unresolved})
    warnings += [_warn(note, _why_unresolved(note, r, owners)) for note, r in unresolved]
    uow.flush()
    return CreditNotesApplied(tuple(applied), tuple(warnings))


def _waiting(uow: Uow, selected: set[int], *, numbers: Collection[str] | None,
             source: str | None) -> list[PendingCreditNote]:
    """Credit notes of earlier imports still waiting for the invoice they name, of the customers who got an
    invoice in this import (a credit note file loaded before the invoices file)."""
    if numbers is None and source is None:
        return []
    repo = uow.repo(CORRECTIONS)
    others = [n for n in repo.pending(numbers=None, source=None) if n.id not in selected]
    if not others:
        return []
    touched = repo.customers_with_invoices({n.customer_id for n in others}, numbers=numbers, source=source)
    return [n for n in others if n.customer_id in touched]


def _apply(note: PendingCreditNote, target: CandidateInvoice, found: Resolution,
           items: dict[int, list[tuple[int, OpenItem]]]) -> tuple[CreditApplication, Application] | Problem:
    """The application of `note` to what `target` still has open; `items` is kept in step (a second credit
    note naming the same invoice sees what the first one left)."""
    if target.currency != note.open.currency:
        return _warn(note, f"names invoice {target.number}, which is in {target.currency}, not "
                           f"{note.open.currency}: kept as credit")
    open_now = items.get(target.id, [])
    allocations, left = apply_credit(note.open, [item for _, item in open_now])
    if not allocations:
        return _warn(note, f"names invoice {target.number}, which has nothing open: kept as credit")
    by_key = {(item.invoice_number, item.seq): iid for iid, item in open_now}
    taken = {(a.invoice_number, a.seq): a.amount for a in allocations}
    items[target.id] = [(iid, replace(item, open_amount=item.open_amount - taken[(item.invoice_number, item.seq)]))
                        if (item.invoice_number, item.seq) in taken else (iid, item) for iid, item in open_now]
    write = Application(note, tuple((by_key[(a.invoice_number, a.seq)], a) for a in allocations))
    return CreditApplication(note.number, target.number, found.match.value, note.open - left, left), write


def _file(note: PendingCreditNote) -> str:
    return note.source.split("#", maxsplit=1)[0]


def _tolerant(match: Match, examples: list[tuple[str, str, str]], file: str) -> Problem:
    rule = f"{match.value.replace('_', ' ')} match"
    if len(examples) == 1:
        note, reference, invoice = examples[0]
        message = f"credit note {note}: reference {reference!r} read as invoice {invoice} ({rule})"
    else:
        shown = "; ".join(f"{n}: {r!r} → {i}" for n, r, i in examples[:EXAMPLES])
        message = (f"{len(examples)} credit notes' references read as the invoices they name ({rule}), e.g. {shown}"
                   + ("; …" if len(examples) > EXAMPLES else ""))
    return Problem(message, file, None, "corrects", "credit_note_reference", "warning")


def _why_unresolved(note: PendingCreditNote, found: Resolution, owners: dict[str, int]) -> str:
    if found.match == Match.AMBIGUOUS:
        return (f"reference {note.corrects!r} fits {len(found.candidates)} invoices "
                f"({', '.join(found.candidates[:5])}): kept as credit, not guessed; apply it by hand")
    other = owners.get(note.corrects.strip())
    if other is not None and other != note.customer_id:
        return f"names invoice {note.corrects.strip()}, which is another customer's: kept as credit"
    return f"names {note.corrects!r}, which is no invoice of this customer in the ledger: kept as credit"


def _warn(note: PendingCreditNote, message: str, code: str = "credit_note_unapplied") -> Problem:
    return Problem(f"credit note {note.number}: {message}", _file(note), None, "corrects", code, "warning")
