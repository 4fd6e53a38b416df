"""`cobro import statement`: parse a bank statement, record each entry once, apply credits to open items.

- Once: a file is known by its SHA-256; each entry by its natural key (our account, booking date, amount,
  bank reference, and its sequence among identical entries in the file).  Known files and entries change nothing.
- All or nothing: any error (unknown account, unreadable file) leaves the report with errors and the caller rolls
  back; nothing is flushed that the caller would have to undo by hand.
- Credits go through the pure matcher (`cobro.cashapp.domain.matching`).  At or above the tenant's threshold the payment is
  recorded and allocated in the legal order (Código Civil 1172-1174: interest first; then the invoices the payer
  named; else the oldest due); below it the entry waits in the review queue with the matcher's proposal.
- Direct-debit returns and rejects (camt.054 / camt.053 return, pain.002, Norma 43 concepto 14) reverse the
  original payment's allocations, record the reason code and raise an alert.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from cobro.cashapp.bank.base import StatementParseError
from cobro.cashapp.bank.detect import parse_statement
from cobro.cashapp.bank.records import BOOKED_STATUSES, StatementTransaction
from cobro.cashapp.domain.matching import Item, Line, Match, MatchIndex, Policy, match_line
from cobro.cashapp.records import BankAccountRow, BankStatementRow, StatementEntryRow
from cobro.cashapp.repository import matches as repo
from cobro.kernel.amounts import AmountError, check_amount, to_minor
from cobro.kernel.errors import Problem
from cobro.kernel.money import Money, MoneyError, check_currency
from cobro.ledger.domain.payments import Allocation, OpenItem, Payment, allocate
from cobro.ledger.service import payments as ledger
from cobro.ledger.service.imports import ImportReport
from cobro.platform.uow import UnitOfWork

RETURN_REASONS = {
    "AC01": "incorrect account number", "AC04": "account closed", "AC06": "account blocked",
    "AG01": "transaction forbidden on this account", "AM04": "insufficient funds", "MD01": "no mandate",
    "MD06": "refund requested by the debtor", "MD07": "debtor deceased", "MS02": "refused by the debtor",
    "MS03": "reason not specified", "SL01": "specific service offered by the debtor's bank",
    "N43-14": "Norma 43 concepto 14 (devolución / impagado)",
}


def policy_for(uow: UnitOfWork) -> Policy:
    """The tenant's matching policy: auto-apply threshold and bank-fee tolerance."""
    s = repo.settings(uow.session, uow.tenant.id)
    return Policy(threshold=Decimal(s.threshold_permille) / 1000, fee_max_minor=s.fee_max_minor)


def _is_return(tx: StatementTransaction) -> bool:
    return tx.amount < 0 and (bool(tx.return_reason) or tx.is_reversal or tx.bank_code.startswith("14/"))


def import_statement(uow: UnitOfWork, path: Path, *, account: str | None = None,
                     today: dt.date | None = None) -> ImportReport:
    """Parse one statement file, record its new entries, apply credits and reverse returns (see the module)."""
    session, tenant = uow.session, uow.tenant.id
    report = ImportReport("statement", path.name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.errors.append(Problem(f"cannot read the file: {exc.strerror or exc}", path.name, code="unreadable"))
        return report
    digest = hashlib.sha256(data).hexdigest()
    known = repo.statement_by_hash(session, tenant, digest)
    if known is not None:
        report.unchanged = known.entries
        report.warnings.append(Problem(f"already imported on {known.imported_at:%Y-%m-%d} as {known.filename}",
                                       path.name, code="duplicate_file", severity="warning"))
        return report
    try:
        parsed = parse_statement(path, uow.limits)  # zip members capped as they inflate (settings' limit_zip_*)
    except StatementParseError as exc:
        report.errors.append(Problem(exc.reason, path.name, exc.line, exc.xml_path, "invalid"))
        return report
    report.warnings.extend(Problem(w, path.name, code="statement", severity="warning") for w in parsed.warnings)
    accounts: dict[str, BankAccountRow] = {}
    for acct in parsed.accounts:
        row = repo.find_bank_account(session, tenant, acct.account)
        if row is None and account:
            if len(parsed.accounts) > 1 and len({a.account for a in parsed.accounts}) > 1:
                report.errors.append(Problem("--account maps one account, but the file holds several",
                                             path.name, code="ambiguous_account"))
                return report
            row, _ = repo.add_bank_account(session, tenant, account, alias=acct.account, currency=acct.currency)
        if row is None:
            report.errors.append(Problem(
                f"statement for unknown account {acct.account or '(none)'}: add it with `cobro bank-account add "
                "IBAN` or import with --account IBAN", path.name, code="unknown_account"))
            continue
        accounts[acct.account] = row
    if report.errors:
        return report

    fresh: list[tuple[BankAccountRow, StatementTransaction, str]] = []
    seen: Counter[tuple[object, ...]] = Counter()
    for acct in parsed.accounts:
        bank = accounts[acct.account]
        for tx in acct.transactions:
            if tx.status not in BOOKED_STATUSES and not tx.return_reason:
                report.warnings.append(Problem(f"entry with status {tx.status} skipped (not booked)", path.name,
                                               tx.source_line, tx.xml_path, "not_booked", "warning"))
                continue
            day = tx.booking_date or tx.value_date
            if day is None:
                report.errors.append(Problem("entry without booking or value date", path.name, tx.source_line,
                                             tx.xml_path, "no_date"))
                continue
            base = (bank.id, day.isoformat(), str(tx.amount), tx.entry_ref or tx.reference or tx.end_to_end_id,
                    tx.remittance[:60], tx.return_reason)
            seen[base] += 1
            key = hashlib.sha256(repr((*base, seen[base])).encode()).hexdigest()
            fresh.append((bank, tx, key))
    if report.errors:
        return report
    existing = repo.existing_entry_keys(session, tenant, [k for _, _, k in fresh])
    report.unchanged = len(existing)
    todo = [(b, tx, k) for b, tx, k in fresh if k not in existing]
    statement = BankStatementRow(tenant_id=tenant, file_hash=digest, filename=path.name[:200],
                                 format=parsed.format, entries=len(fresh))
    session.add(statement)
    session.flush()
    if not todo:
        return report
    policy = policy_for(uow)
    index = MatchIndex(repo.open_items(session, tenant), repo.customer_infos(session, tenant))
    counts: Counter[str] = Counter()
    for bank, tx, key in todo:
        try:
            entry = _entry_row(tenant, statement.id, bank, tx, key=key, filename=path.name, fmt=parsed.format)
        except (MoneyError, AmountError) as exc:
            report.errors.append(Problem(str(exc), path.name, tx.source_line, tx.xml_path, "invalid_amount"))
            continue
        session.add(entry)
        session.flush()
        if _is_return(tx):
            _apply_return(uow, entry)
        elif entry.amount_minor <= 0:
            entry.status = "ignored"  # our own payments and charges: not receivables
        else:
            m = match_line(_line(entry), index, policy)
            _apply_match(uow, entry, m, index)
        counts[entry.status] += 1
        report.created += 1
    session.flush()
    report.extra = dict(sorted(counts.items()))
    return report


def _entry_row(tenant: int, statement_id: int, bank: BankAccountRow, tx: StatementTransaction, *, key: str,
               filename: str, fmt: str) -> StatementEntryRow:
    currency = check_currency(tx.currency or bank.currency)
    # the currency's decimals and the bound, never rounded: 1.234 EUR is an error naming the entry
    minor = to_minor(check_amount(tx.amount, currency), currency)
    where = f"line {tx.source_line}" if tx.source_line else tx.xml_path
    return StatementEntryRow(
        tenant_id=tenant, statement_id=statement_id, bank_account_id=bank.id, entry_key=key,
        booking_date=tx.booking_date or tx.value_date, currency=currency, amount_minor=minor,
        reference=tx.reference[:200], remittance=tx.remittance, end_to_end_id=tx.end_to_end_id[:120],
        counterparty_name=tx.counterparty_name[:200], counterparty_account=repo.compact(tx.counterparty_account)[:40],
        bank_code=tx.bank_code[:40], return_reason=tx.return_reason[:20], status="new", customer_id=None,
        payment_id=None, confidence_permille=0, reason="", proposal="", source=f"{filename} {fmt} {where}"[:200])


def _line(e: StatementEntryRow) -> Line:
    e2e = "" if e.end_to_end_id.upper() == "NOTPROVIDED" else e.end_to_end_id
    return Line(e.entry_key, e.amount_minor, e.currency, e.booking_date, e.reference, e.remittance, e2e,
                e.counterparty_name, e.counterparty_account)


def _apply_match(uow: UnitOfWork, entry: StatementEntryRow, m: Match, index: MatchIndex) -> None:
    entry.customer_id = m.customer_id
    entry.confidence_permille = int(m.confidence * 1000)
    entry.reason = "; ".join([m.reason, *m.evidence])[:2000]
    entry.proposal = json.dumps({"items": list(m.items), "fee_minor": m.fee_minor, "designated": m.designated})
    if m.customer_id is None:
        entry.status = "unmatched"
        return
    if not m.auto:
        entry.status = "review"
        return
    items = [index.by_id[i] for i in m.items if i in index.by_id]
    interest = [i for i in index.by_customer.get(m.customer_id, []) if i.interest and i.currency == entry.currency]
    paid = apply_payment(uow, entry, customer_id=m.customer_id, items=items, interest=interest,
                         designated=m.designated, fee_minor=m.fee_minor, method="transfer")
    index.settle(dict(paid))
    entry.status = "matched"
    if entry.counterparty_account and m.designated:
        # only a reference-backed match teaches an account: learning from a name guess would compound errors
        repo.learn_account(uow.session, uow.tenant.id, m.customer_id, entry.counterparty_account, "auto")


def apply_payment(uow: UnitOfWork, entry: StatementEntryRow, *, customer_id: int, items: list[Item],
                  interest: list[Item], designated: bool, fee_minor: int, method: str) -> Mapping[int, int]:
    """Record the entry as a payment allocated in the legal order; a bank fee closes the rest of the items.

    Returns item id -> minor units paid (fee included), for the caller's in-memory index.
    """
    amount = Money.from_minor(entry.amount_minor, entry.currency)
    as_open = {i.id: OpenItem(i.number, i.id, i.due_date, Money.from_minor(i.open_minor, i.currency))
               for i in [*interest, *items]}
    # art. 1173: interest before principal, whatever the payer named
    allocs, left = allocate(Payment(entry.entry_key, "", entry.booking_date, amount),
                            [as_open[i.id] for i in interest])
    named = tuple(i.number for i in items) if designated else ()
    rest = [as_open[i.id] for i in items if i.id not in {a.seq for a in allocs}]
    more, left = allocate(Payment(entry.entry_key, "", entry.booking_date, left, named), rest)
    allocs += more
    rows = [(a.seq, Allocation(a.invoice_number, 1, a.amount)) for a in allocs]
    payment_id = ledger.record_payment(uow, customer_id=customer_id, reference=f"stmt:{entry.entry_key[:40]}",
                                       date=entry.booking_date, amount=amount, allocations=rows, unapplied=left,
                                       method=method, source=entry.source)
    entry.payment_id = payment_id
    paid = {a.seq: a.amount.to_minor() for a in allocs}
    if fee_minor > 0:
        fee_rows = []
        budget = fee_minor
        for i in items:
            still = i.open_minor - paid.get(i.id, 0)
            take = min(still, budget)
            if take > 0:
                fee_rows.append((i.id, Allocation(i.number, 1, Money.from_minor(take, i.currency))))
                paid[i.id] = paid.get(i.id, 0) + take
                budget -= take
        if fee_rows:
            ledger.record_payment(uow, customer_id=customer_id, reference=f"fee:{entry.entry_key[:40]}",
                                  date=entry.booking_date, amount=Money.from_minor(fee_minor - budget, entry.currency),
                                  allocations=fee_rows, unapplied=Money.zero(entry.currency), method="bank-fee",
                                  source=entry.source)
    return paid


def _apply_return(uow: UnitOfWork, entry: StatementEntryRow) -> None:
    """Reverse the collection this return or reject refers to, and tell someone."""
    session, tenant = uow.session, uow.tenant.id
    code = entry.return_reason or ("N43-14" if entry.bank_code.startswith("14/") else "")
    entry.status = "returned"
    label = f"{code} {RETURN_REASONS.get(code, '')}".strip() or "no reason code"
    original = repo.matched_entry_by_e2e(session, tenant, entry.end_to_end_id) if entry.end_to_end_id else None
    payment = None
    if original is not None and original.payment_id is not None:
        payment = repo.payment(session, original.payment_id)
    if payment is None:
        words = {w.strip(".,;:") for w in f"{entry.end_to_end_id} {entry.reference} {entry.remittance}".split()}
        words |= {w.rsplit("/", 1)[0] for w in words if "/" in w}  # our SEPA ids: "<invoice>/<instalment>"
        for inv in repo.invoices_by_numbers(session, tenant, sorted(w for w in words if w)):
            for p in repo.payments_for_invoice(session, inv.id):
                if p.amount_minor == -entry.amount_minor and repo.payment_by_reference(
                        session, tenant, f"return:{p.reference}"[:120]) is None:
                    payment = p
                    break
            if payment is not None:
                break
    if payment is None:
        entry.reason = f"return {label}: no collection found to reverse"
        repo.add_alert(session, tenant, "dd_return_unmatched", f"Direct-debit return/reject {label} for "
                       f"{Money.from_minor(-entry.amount_minor, entry.currency).format_plain()} "
                       f"({entry.end_to_end_id or entry.reference}) matches no recorded collection",
                       customer_id=None, entry_id=entry.id)
        return
    reversal = [(a.instalment_id, Allocation("", 1, Money.from_minor(-a.amount_minor, payment.currency)))
                for a in repo.allocations_of(session, payment.id) if a.amount_minor > 0]
    pid = ledger.record_payment(uow, customer_id=payment.customer_id,
                                reference=f"return:{payment.reference}"[:120], date=entry.booking_date,
                                amount=Money.from_minor(-payment.amount_minor, payment.currency),
                                allocations=reversal, unapplied=Money.from_minor(-payment.unapplied_minor,
                                                                                 payment.currency),
                                method="dd-return", source=entry.source)
    payment.note = (payment.note + f" returned {entry.booking_date} ({label})").strip()
    entry.customer_id, entry.payment_id = payment.customer_id, pid
    entry.reason = f"return {label}: payment {payment.reference} reversed, invoice(s) reopened"
    repo.add_alert(session, tenant, "dd_return", f"Direct debit returned ({label}): payment {payment.reference} "
                   f"of {Money.from_minor(payment.amount_minor, payment.currency).format_plain()} reversed; "
                   "the invoice is open again", customer_id=payment.customer_id, entry_id=entry.id)
