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
invoice import with its file name, the e-invoice import with the credit notes it read).  Applied once: the
application is the payment `credit-note:<number>`, and a credit note that has one is not pending any more.
"""

from __future__ import annotations

from collections.abc import Collection

from cobro.kernel.errors import Problem
from cobro.ledger.domain.corrections import Match, Resolution, apply_credit, resolve_reference
from cobro.ledger.repository.corrections import CORRECTIONS
from cobro.ledger.schemas.corrections import (
    CandidateInvoice,
    CreditApplication,
    CreditNotesApplied,
    PendingCreditNote,
)
from cobro.platform.uow import Uow


def apply_credit_notes(uow: Uow, *, numbers: Collection[str] | None = None,
                       source: str | None = None) -> CreditNotesApplied:
    """Apply the pending credit notes numbered `numbers` (or written from the file `source`, or all) to the
    invoices they name; the applications and a warning for each credit note that stays credit."""
    repo = uow.repo(CORRECTIONS)
    notes = repo.pending(numbers=numbers, source=source)
    if not notes:
        return CreditNotesApplied((), ())
    candidates = repo.candidates({n.customer_id for n in notes})
    applied: list[CreditApplication] = []
    warnings: list[Problem] = []
    unresolved: list[tuple[PendingCreditNote, Resolution]] = []
    for note in notes:
        invoices = candidates.get(note.customer_id, [])
        found = resolve_reference(note.corrects, [c.number for c in invoices])
        if not found.found:
            unresolved.append((note, found))
            continue
        target = next(c for c in invoices if c.number == found.number)
        if found.match != Match.EXACT:
            warnings.append(_warn(note, f"reference {note.corrects!r} read as invoice {target.number} "
                                        f"({found.match.value.replace('_', ' ')} match)", "credit_note_reference"))
        outcome = _apply(uow, note, target, found)
        if isinstance(outcome, Problem):
            warnings.append(outcome)
        else:
            applied.append(outcome)
            if outcome.left.is_positive():
                warnings.append(_warn(note, f"{outcome.amount.format_plain()} applied to {target.number}, all it "
                                            f"had open; {outcome.left.format_plain()} {outcome.left.currency} "
                                            "stays as credit"))
    owners = repo.owners({n.corrects.strip() for n, _ in unresolved})
    for note, found in unresolved:
        warnings.append(_warn(note, _why_unresolved(note, found, owners)))
    uow.flush()
    return CreditNotesApplied(tuple(applied), tuple(warnings))


def _apply(uow: Uow, note: PendingCreditNote, target: CandidateInvoice,
           found: Resolution) -> CreditApplication | Problem:
    if target.currency != note.open.currency:
        return _warn(note, f"names invoice {target.number}, which is in {target.currency}, not "
                           f"{note.open.currency}: kept as credit")
    repo = uow.repo(CORRECTIONS)
    items = repo.open_items(target.id)
    allocations, left = apply_credit(note.open, [item for _, item in items])
    if not allocations:
        return _warn(note, f"names invoice {target.number}, which has nothing open: kept as credit")
    by_key = {(item.invoice_number, item.seq): iid for iid, item in items}
    repo.apply(note, [(by_key[(a.invoice_number, a.seq)], a) for a in allocations])
    return CreditApplication(note.number, target.number, found.match.value, note.open - left, left)


def _why_unresolved(note: PendingCreditNote, found: Resolution, owners: dict[str, int]) -> str:
    if found.match == Match.AMBIGUOUS:
        return (f"reference {note.corrects!r} fits {len(found.candidates)} invoices "
                f"({', '.join(found.candidates[:5])}): kept as credit, not guessed; apply it by hand")
    other = owners.get(note.corrects.strip())
    if other is not None and other != note.customer_id:
        return f"names invoice {note.corrects.strip()}, which is another customer's: kept as credit"
    return f"names {note.corrects!r}, which is no invoice of this customer in the ledger: kept as credit"


def _warn(note: PendingCreditNote, message: str, code: str = "credit_note_unapplied") -> Problem:
    return Problem(f"credit note {note.number}: {message}", note.source.split("#")[0], None, "corrects", code,
                   "warning")
