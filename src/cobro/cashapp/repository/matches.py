"""Queries for cash application: own accounts, statements, entries, learned payers, alerts, settings."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.cashapp.domain.matching import CustomerInfo, Item
from cobro.cashapp.records import (
    AlertRow,
    BankAccountRow,
    BankStatementRow,
    CashappSettingsRow,
    CustomerBankAccountRow,
    PayerAliasRow,
    StatementEntryRow,
)
from cobro.ledger.records import AllocationRow, CustomerRow, InstalmentRow, InvoiceRow, PaymentRow


def compact(value: str) -> str:
    return "".join(c for c in value.upper() if c.isalnum())


def settings(session: Session, tenant: int) -> CashappSettingsRow:
    row = session.get(CashappSettingsRow, tenant)
    if row is None:
        row = CashappSettingsRow(tenant_id=tenant, threshold_permille=850, fee_max_minor=2500, creditor_name="",
                                 creditor_iban="", creditor_bic="", creditor_id="")
        session.add(row)
        session.flush()
    return row


# -- own accounts ---------------------------------------------------------------------------------------------
def bank_accounts(session: Session, tenant: int) -> list[BankAccountRow]:
    return list(session.scalars(select(BankAccountRow).where(BankAccountRow.tenant_id == tenant)
                                .order_by(BankAccountRow.iban)))


def find_bank_account(session: Session, tenant: int, account: str) -> BankAccountRow | None:
    """Match a statement's account id against our IBANs, their aliases, or the CCC inside a Spanish IBAN."""
    key = compact(account)
    if not key:
        return None
    for row in bank_accounts(session, tenant):
        if key in (row.iban, compact(row.alias)) or (row.iban.startswith("ES") and key == row.iban[4:]):
            return row
    return None


def add_bank_account(session: Session, tenant: int, iban: str, *, alias: str = "", currency: str = "EUR",
                     name: str = "") -> tuple[BankAccountRow, bool]:
    """Register one of our own accounts; returns (row, created).  Spanish IBANs get their Norma 43 alias."""
    key = compact(iban)
    row = session.scalar(select(BankAccountRow).where(BankAccountRow.tenant_id == tenant, BankAccountRow.iban == key))
    if alias == "" and key.startswith("ES") and len(key) == 24:
        alias = key[4:12] + key[14:24]  # Norma 43 names the account by entity+office+number, no check digits
    if row is not None:
        if alias and compact(row.alias) != compact(alias):
            row.alias = alias
        return row, False
    row = BankAccountRow(tenant_id=tenant, iban=key, alias=alias, currency=currency, name=name)
    session.add(row)
    session.flush()
    return row, True


# -- statements -----------------------------------------------------------------------------------------------
def statement_by_hash(session: Session, tenant: int, digest: str) -> BankStatementRow | None:
    return session.scalar(select(BankStatementRow).where(BankStatementRow.tenant_id == tenant,
                                                         BankStatementRow.file_hash == digest))


def existing_entry_keys(session: Session, tenant: int, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 2000):
        found.update(session.scalars(select(StatementEntryRow.entry_key).where(
            StatementEntryRow.tenant_id == tenant, StatementEntryRow.entry_key.in_(keys[start:start + 2000]))))
    return found


def entries(session: Session, tenant: int, statuses: tuple[str, ...], limit: int = 200) -> list[StatementEntryRow]:
    return list(session.scalars(select(StatementEntryRow).where(
        StatementEntryRow.tenant_id == tenant, StatementEntryRow.status.in_(statuses))
        .order_by(StatementEntryRow.booking_date, StatementEntryRow.id).limit(limit)))


def matched_entry_by_e2e(session: Session, tenant: int, e2e: str) -> StatementEntryRow | None:
    return session.scalar(select(StatementEntryRow).where(
        StatementEntryRow.tenant_id == tenant, StatementEntryRow.end_to_end_id == e2e,
        StatementEntryRow.amount_minor > 0, StatementEntryRow.payment_id.is_not(None))
        .order_by(StatementEntryRow.id.desc()).limit(1))


# -- matcher inputs -------------------------------------------------------------------------------------------
def open_items(session: Session, tenant: int) -> list[Item]:
    """Every open instalment of the tenant (invoices and interest charges), as matcher items."""
    stmt = (select(InstalmentRow.id, InstalmentRow.customer_id, InvoiceRow.number, InstalmentRow.due_date,
                   InstalmentRow.open_minor, InstalmentRow.currency, InvoiceRow.kind)
            .join(InvoiceRow, InvoiceRow.id == InstalmentRow.invoice_id)
            .where(InstalmentRow.tenant_id == tenant, InstalmentRow.open_minor > 0,
                   InvoiceRow.kind.in_(("invoice", "interest"))))
    return [Item(int(i), int(c), n, d, int(o), cur, kind == "interest")
            for i, c, n, d, o, cur, kind in session.execute(stmt)]


def customer_infos(session: Session, tenant: int) -> list[CustomerInfo]:
    aliases: dict[int, list[str]] = defaultdict(list)
    for cid, alias in session.execute(select(PayerAliasRow.customer_id, PayerAliasRow.alias)
                                      .where(PayerAliasRow.tenant_id == tenant)):
        aliases[int(cid)].append(alias)
    ibans: dict[int, list[str]] = defaultdict(list)
    for cid, acct in session.execute(select(CustomerBankAccountRow.customer_id, CustomerBankAccountRow.account)
                                     .where(CustomerBankAccountRow.tenant_id == tenant)):
        ibans[int(cid)].append(acct)
    return [CustomerInfo(int(cid), name, tax, tuple(aliases[int(cid)]), tuple(ibans[int(cid)]))
            for cid, name, tax in session.execute(select(CustomerRow.id, CustomerRow.legal_name, CustomerRow.tax_id)
                                                  .where(CustomerRow.tenant_id == tenant))]


def learn_account(session: Session, tenant: int, customer_id: int, account: str, how: str) -> bool:
    key = compact(account)
    if len(key) < 8:
        return False
    row = session.scalar(select(CustomerBankAccountRow).where(CustomerBankAccountRow.tenant_id == tenant,
                                                              CustomerBankAccountRow.account == key))
    if row is None:
        session.add(CustomerBankAccountRow(tenant_id=tenant, customer_id=customer_id, account=key, learned_from=how))
        session.flush()
        return True
    if row.customer_id != customer_id and how == "manual":
        row.customer_id, row.learned_from = customer_id, how  # a person's decision overrides what was learned
        return True
    return False


def learn_alias(session: Session, tenant: int, customer_id: int, alias: str) -> bool:
    alias = " ".join(alias.split())[:200]
    if not alias:
        return False
    row = session.scalar(select(PayerAliasRow).where(PayerAliasRow.tenant_id == tenant, PayerAliasRow.alias == alias))
    if row is None:
        session.add(PayerAliasRow(tenant_id=tenant, customer_id=customer_id, alias=alias))
        session.flush()
        return True
    if row.customer_id != customer_id:
        row.customer_id = customer_id
        return True
    return False


# -- ledger look-ups ------------------------------------------------------------------------------------------
def invoices_by_numbers(session: Session, tenant: int, numbers: list[str]) -> list[InvoiceRow]:
    if not numbers:
        return []
    return list(session.scalars(select(InvoiceRow).where(InvoiceRow.tenant_id == tenant,
                                                         InvoiceRow.number.in_(numbers))))


def payments_for_invoice(session: Session, invoice_id: int) -> list[PaymentRow]:
    """Payments with a positive allocation to the invoice, newest first."""
    ids = select(AllocationRow.payment_id).where(AllocationRow.invoice_id == invoice_id, AllocationRow.amount_minor > 0)
    return list(session.scalars(select(PaymentRow).where(PaymentRow.id.in_(ids), PaymentRow.amount_minor > 0)
                                .order_by(PaymentRow.date.desc(), PaymentRow.id.desc())))


def allocations_of(session: Session, payment_id: int) -> list[AllocationRow]:
    return list(session.scalars(select(AllocationRow).where(AllocationRow.payment_id == payment_id)
                                .order_by(AllocationRow.id)))


def payment(session: Session, payment_id: int) -> PaymentRow | None:
    return session.get(PaymentRow, payment_id)


def payment_by_reference(session: Session, tenant: int, reference: str) -> PaymentRow | None:
    return session.scalar(select(PaymentRow).where(PaymentRow.tenant_id == tenant, PaymentRow.reference == reference))


def instalments_of(session: Session, invoice_ids: list[int]) -> list[tuple[InvoiceRow, InstalmentRow]]:
    stmt = (select(InvoiceRow, InstalmentRow).join(InstalmentRow, InstalmentRow.invoice_id == InvoiceRow.id)
            .where(InvoiceRow.id.in_(invoice_ids)).order_by(InstalmentRow.due_date, InstalmentRow.seq))
    return [(a, b) for a, b in session.execute(stmt)]


def add_alert(session: Session, tenant: int, kind: str, message: str, *, customer_id: int | None,
              entry_id: int | None) -> None:
    session.add(AlertRow(tenant_id=tenant, kind=kind, message=message, customer_id=customer_id, entry_id=entry_id))


def alerts(session: Session, tenant: int, limit: int = 100) -> list[AlertRow]:
    return list(session.scalars(select(AlertRow).where(AlertRow.tenant_id == tenant)
                                .order_by(AlertRow.id.desc()).limit(limit)))



def statements(session: Session, tenant: int, *, after_id: int, limit: int) -> list[BankStatementRow]:
    """Imported statements by id (the API pages them with the last id shown)."""
    return list(session.scalars(select(BankStatementRow).where(
        BankStatementRow.tenant_id == tenant, BankStatementRow.id > after_id)
        .order_by(BankStatementRow.id).limit(limit)))


def statement_lines(session: Session, tenant: int, statement_id: int, *, after_id: int,
                    limit: int) -> list[StatementEntryRow] | None:
    """One statement's entries by id; None when the tenant has no such statement."""
    if session.scalar(select(BankStatementRow.id).where(BankStatementRow.tenant_id == tenant,
                                                        BankStatementRow.id == statement_id)) is None:
        return None
    return list(session.scalars(select(StatementEntryRow).where(
        StatementEntryRow.tenant_id == tenant, StatementEntryRow.statement_id == statement_id,
        StatementEntryRow.id > after_id).order_by(StatementEntryRow.id).limit(limit)))
