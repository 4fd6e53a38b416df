"""One ledger truth: every report gives the same open and overdue totals per currency, at every date.

One small ledger — invoices with part payments, an invoice in two instalments, a fully paid invoice, a credit
note that names its invoice (applied to it) and one that does not (kept as credit), an overpayment left as unapplied cash, four currencies — is
imported through the import services.  The expected figures come from the pure rule
(`cobro.ledger.domain.status`: amount − allocations dated ≤ D of the invoices issued by D), computed here from the
test's own data; each report must give them on SQLite and PostgreSQL.

Figures that differ on purpose are checked through their documented relation (docs/ledger.md, "Open as of a
date"): the open amount is gross of credit notes and unapplied cash, which are totalled apart; the customer
balance and the ageing's `net` are the open amount less both; a credit check's exposure is that net, never below
zero, per customer.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from cobro.collections.repository.cycle import open_items as cycle_open_items
from cobro.collections.service import credit as credit_service
from cobro.kernel.money import Money
from cobro.ledger.domain.status import is_overdue, open_at
from cobro.ledger.imports.frame import read_ledger_frame
from cobro.ledger.repository import frames, parties
from cobro.ledger.repository import summary as ledger_summary
from cobro.ledger.service import imports
from cobro.ledger.service.customers import customer_statement
from cobro.platform.container import Container
from cobro.platform.db.features import Features
from cobro.platform.rates import RateBook
from cobro.platform.tenants import resolve_tenant
from cobro.reporting import service as reporting
from cobro.reporting.domain.aging import parse_bucket_spec
from cobro.reporting.portfolio.analysis import Options, analyze
from cobro.workspace import service as workspace

D = dt.date.fromisoformat
CUSTOMERS = {"A": ("Construcciones Peña SL", "ES"), "B": ("Distribuidora del Bajío SA", "MX"),
             "C": ("Ferretería Andes SpA", "CL")}
# number, instalment, customer, issued, due, amount, currency, kind, corrects
DOCUMENTS = [
    ("F-1", 1, "A", "2025-01-10", "2025-02-10", "1000.00", "EUR", "invoice", ""),  # paid in two parts
    ("F-2", 1, "A", "2025-01-20", "2025-03-01", "600.00", "EUR", "invoice", ""),  # two instalments,
    ("F-2", 2, "A", "2025-01-20", "2025-04-01", "600.00", "EUR", "invoice", ""),  # the first one paid
    ("F-3", 1, "A", "2025-02-01", "2025-03-03", "500.00", "EUR", "invoice", ""),  # paid in full
    ("CN-1", 1, "A", "2025-03-05", "2025-03-05", "150.00", "EUR", "credit_note", "F-1"),  # names its invoice
    ("M-1", 1, "B", "2025-01-05", "2025-02-04", "10000.00", "MXN", "invoice", ""),
    ("M-2", 1, "B", "2025-03-20", "2025-04-19", "4000.00", "MXN", "invoice", ""),
    ("CN-2", 1, "B", "2025-02-15", "2025-02-15", "800.00", "MXN", "credit_note", ""),  # names none
    ("E-9", 1, "B", "2025-04-10", "2025-05-10", "700.00", "EUR", "invoice", ""),  # paid late, in full
    ("K-1", 1, "C", "2025-02-10", "2025-03-12", "1500000", "CLP", "invoice", ""),
    ("U-1", 1, "C", "2025-03-01", "2025-03-31", "250.00", "USD", "invoice", ""),  # never paid
]
# reference, customer, date, amount, currency, the invoice it names
PAYMENTS = [
    ("P-1", "A", "2025-02-20", "300.00", "EUR", "F-1"),
    ("P-2", "A", "2025-03-10", "500.00", "EUR", "F-3"),
    ("P-3", "A", "2025-03-15", "600.00", "EUR", "F-2"),
    ("P-4", "A", "2025-04-05", "200.00", "EUR", "F-1"),
    ("P-5", "B", "2025-03-01", "2500.00", "MXN", "M-1"),
    ("P-6", "C", "2025-03-30", "500000", "CLP", "K-1"),
    ("P-7", "C", "2025-04-20", "1200000", "CLP", "K-1"),  # 1,000,000 closes K-1, 200,000 stays unapplied
    ("P-8", "B", "2025-05-20", "700.00", "EUR", "E-9"),
]
# what the allocation rule (named invoice first, earliest instalment first) makes of them
# (CN-1 is applied to F-1, the invoice it names, on its own date: docs/ledger.md, "Credit notes")
ALLOCATIONS = {("F-1", 1): [("2025-02-20", 30000), ("2025-03-05", 15000), ("2025-04-05", 20000)], ("F-3", 1): [("2025-03-10", 50000)],
               ("F-2", 1): [("2025-03-15", 60000)], ("M-1", 1): [("2025-03-01", 250000)],
               ("K-1", 1): [("2025-03-30", 500000), ("2025-04-20", 1000000)], ("E-9", 1): [("2025-05-20", 70000)]}
UNAPPLIED = [("C", "2025-04-20", 200000, "CLP")]
DATES = [D("2025-01-31"), D("2025-02-28"), D("2025-03-12"), D("2025-03-31"), D("2025-04-30"), D("2025-06-30")]
CURRENCIES = ("CLP", "EUR", "MXN", "USD")


def minor(amount: str, currency: str) -> int:
    return Money.of(amount, currency).to_minor()


def major(minor_units: int, currency: str) -> Decimal:
    return Money.from_minor(minor_units, currency).amount


def expected(as_of: dt.date) -> dict[str, dict[str, dict[str, int]]]:
    """By the pure rule: {"open"|"overdue"|"notes"|"cash": {currency: minor}} and the same per customer."""
    out: dict[str, dict[str, dict[str, int]]] = {k: defaultdict(lambda: defaultdict(int)) for k in
                                                 ("open", "overdue", "notes", "cash")}
    for number, seq, cust, issued, due, amount, cur, kind, corrects in DOCUMENTS:
        if D(issued) > as_of:
            continue
        if kind == "credit_note":
            if not corrects:  # one that names its invoice is used up on it (its allocation is in ALLOCATIONS)
                out["notes"][cur][cust] += minor(amount, cur)
            continue
        left = open_at(minor(amount, cur), [(D(d), m) for d, m in ALLOCATIONS.get((number, seq), [])], as_of)
        if left > 0:
            out["open"][cur][cust] += left
            if is_overdue(D(due), as_of):
                out["overdue"][cur][cust] += left
    for cust, day, amount, cur in UNAPPLIED:
        if D(day) <= as_of:
            out["cash"][cur][cust] += amount
    return out


def test_the_expected_figures_follow_the_rule() -> None:
    """A hand check of `expected` on 2025-03-12: F-1 less P-1 and CN-1 and F-2's first instalment are past due,
    F-2's second is not yet, F-3 is paid (P-2), E-9 and M-2 do not exist yet, K-1 falls due that very day."""
    want = expected(D("2025-03-12"))
    assert total(want["open"]["EUR"]) == 175000 and total(want["overdue"]["EUR"]) == 115000
    assert (total(want["open"]["MXN"]), total(want["notes"]["MXN"])) == (750000, 80000)
    assert (total(want["open"]["CLP"]), total(want["overdue"]["CLP"])) == (1500000, 0)
    assert (total(want["notes"]["EUR"]), total(want["cash"]["CLP"])) == (0, 0)


def total(by_customer: dict[str, int]) -> int:
    return sum(by_customer.values())


def write_csv(path: Path, header: list[str], rows: list[tuple[object, ...]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def ledger(container: Container, tmp_path: Path) -> Container:
    customers = write_csv(tmp_path / "c.csv", ["code", "legal_name", "country"],
                          [(code, name, country) for code, (name, country) in CUSTOMERS.items()])
    documents = write_csv(tmp_path / "i.csv", ["invoice_number", "instalment", "customer_code", "issue_date",
                                                "due_date", "amount", "currency", "kind", "corrects"], DOCUMENTS)
    payments = write_csv(tmp_path / "p.csv", ["reference", "customer_code", "date", "amount", "currency",
                                               "invoice_number"], PAYMENTS)
    with container.uow() as uow:
        for run, path in ((imports.import_customers, customers), (imports.import_invoices, documents),
                          (imports.import_payments, payments)):
            report = run(uow, path)
            assert report.ok, report.as_dict()
        uow.commit()
    return container


def test_the_setup_allocates_as_the_expected_figures_assume(ledger: Container) -> None:
    from sqlalchemy import text

    with ledger.uow() as uow:
        rows = uow.session.execute(text(
            "SELECT i.number, s.seq, a.date, a.amount_minor FROM allocations a JOIN instalments s ON s.id = "
            "a.instalment_id JOIN invoices i ON i.id = s.invoice_id ORDER BY i.number, s.seq, a.date")).all()
        unapplied = uow.session.execute(text(
            "SELECT reference, unapplied_minor FROM payments WHERE unapplied_minor > 0")).all()
    found: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    for number, seq, day, amount in rows:
        found[(str(number), int(seq))].append((str(day)[:10], int(amount)))
    assert found == ALLOCATIONS
    assert [(str(r), int(m)) for r, m in unapplied] == [("P-7", 200000)]


@pytest.mark.parametrize("as_of", DATES, ids=str)
def test_every_report_agrees_on_open_and_overdue(ledger: Container, as_of: dt.date, tmp_path: Path) -> None:
    want = expected(as_of)
    open_ = {cur: total(want["open"][cur]) for cur in CURRENCIES}
    overdue = {cur: total(want["overdue"][cur]) for cur in CURRENCIES}
    notes = {cur: total(want["notes"][cur]) for cur in CURRENCIES}
    cash = {cur: total(want["cash"][cur]) for cur in CURRENCIES}
    money = {cur: {k: Money.from_minor(v[cur], cur).format_plain() for k, v in
                   (("open", open_), ("overdue", overdue), ("notes", notes), ("cash", cash))} for cur in CURRENCIES}
    with ledger.uow() as uow:
        s = uow.session
        tenant = resolve_tenant(s, "default").id

        # ledger summary: gross open amount; credit notes and unapplied cash together, apart
        summary = ledger_summary.summary(s, tenant, as_of)
        assert summary["open_amount"] == {c: money[c]["open"] for c in CURRENCIES if open_[c]}
        assert summary["unapplied_credit"] == {c: Money.from_minor(notes[c] + cash[c], c).format_plain()
                                               for c in CURRENCIES if notes[c] + cash[c]}

        # reports: ageing total = the open amount, its past-due buckets = overdue, net = open − credit
        ageing = reporting.ageing_report(uow, as_of, parse_bucket_spec()).as_json()["currency"]
        kpis = reporting.kpi_report(uow, as_of, 90).as_json()["currency"]
        for cur in CURRENCIES:
            entry = ageing.get(cur)
            if entry is None:
                assert open_[cur] == notes[cur] == cash[cur] == 0
                continue
            assert entry["total"] == money[cur]["open"]
            past_due = sum(Decimal(b["amount"]) for b in entry["buckets"] if b["from"] is not None)
            assert past_due == major(overdue[cur], cur)
            assert Decimal(entry["credit_notes"]) == -major(notes[cur], cur)
            assert Decimal(entry["unapplied_cash"]) == -major(cash[cur], cur)
            assert Decimal(entry["net"]) == major(open_[cur] - notes[cur] - cash[cur], cur)
            if open_[cur]:
                assert kpis[cur]["ar_end"] == money[cur]["open"]
                assert Decimal(kpis[cur]["ar_current"]) == major(open_[cur] - overdue[cur], cur)

        # dashboard overview (through the service): per-currency open and overdue, and the top debtors add up
        for cur in (c for c in CURRENCIES if open_[c]):
            view = workspace.overview(uow, as_of, Features(reporting=True), currency=cur, top=50)
            kpi = {k.currency: k for k in view.kpis}[cur]
            assert (kpi.open, kpi.overdue) == (Money.from_minor(open_[cur], cur), Money.from_minor(overdue[cur], cur))
            assert view.currency == cur
            assert sum(d.open.to_minor() for d in view.top_debtors) == open_[cur]
            assert sum(d.overdue.to_minor() for d in view.top_debtors) == overdue[cur]
            assert {d.code: d.open.to_minor() for d in view.top_debtors} == dict(want["open"][cur])
            assert view.unapplied == {c: Money.from_minor(notes[c] + cash[c], c) for c in CURRENCIES
                                      if notes[c] + cash[c]}

        # customers: each statement's invoice items, and its balance = open − credit notes − unapplied cash
        for code in CUSTOMERS:
            st = customer_statement(uow, code, as_of=as_of)
            items: dict[str, Decimal] = defaultdict(Decimal)
            for item in st.open_items:
                if item.kind == "invoice":
                    items[item.currency] += item.open.amount
            assert items == {c: major(want["open"][c][code], c) for c in CURRENCIES if want["open"][c][code]}
            net = {c: want["open"][c][code] - want["notes"][c][code] - want["cash"][c][code] for c in CURRENCIES}
            assert {c: v.amount for c, v in st.balance.items()} == {
                c: major(v, c) for c, v in net.items() if c in st.balance}
            assert all(net[c] == 0 for c in CURRENCIES if c not in st.balance)

        # credit check: exposure = open − credit, per customer and currency, never below zero
        for check in credit_service.checks(uow, as_of):
            for line in check.lines:
                owed = (want["open"][line.currency][check.customer] - want["notes"][line.currency][check.customer]
                        - want["cash"][line.currency][check.customer])
                assert line.exposure == Money.from_minor(max(owed, 0), line.currency), (check.customer, line)
            shown = {line.currency for line in check.lines}
            assert shown >= {c for c in CURRENCIES if want["open"][c][check.customer]}

        # risk and forecast inputs: the instalment frame as known on the date
        frame = frames.ledger_frame(s, tenant, as_of)
        by_cur = dict(frame.group_by("currency").agg(pl.col("open_minor").sum()).iter_rows())
        assert {c: int(v) for c, v in by_cur.items() if v} == {c: v for c, v in open_.items() if v}
        open_rows = frames.open_book(frame)
        assert int(open_rows.filter(pl.col("due_date") < as_of)["open_minor"].sum() or 0) == sum(overdue.values())

        # the portfolio analysis of the same ledger, exported as the frame `cobro analyze` reads
        exported = reporting.ledger_frame(uow)
    path = export_csv(exported, tmp_path / "ledger.csv")
    for name, analysed in (("database frame", exported), ("exported file", read_ledger_frame(path))):
        for cur in (c for c in CURRENCIES if open_[c] or notes[c]):
            p = analyze(analysed, Options(as_of=as_of, currency=cur), rates=RateBook(), today=as_of)
            assert (p.open_total, p.overdue) == (major(open_[cur], cur), major(overdue[cur], cur)), (name, cur)
            assert p.credit_notes == major(notes[cur], cur), (name, cur)  # open credit notes, apart
            assert sum(b.amount for b in p.ageing) == p.open_total
            assert sum(d.open for d in p.top_debtors) == p.open_total


def export_csv(frame: pl.DataFrame, path: Path) -> Path:
    """The frame as a ledger file `cobro analyze` reads: one row per part, numbered as instalments."""
    seqs: dict[str, int] = defaultdict(int)
    rows = []
    for r in frame.iter_rows(named=True):
        seqs[r["invoice_number"]] += 1
        rows.append((r["invoice_number"], seqs[r["invoice_number"]], r["customer_code"], r["customer_name"],
                     r["issue_date"], r["due_date"], Money.from_minor(r["amount_minor"], r["currency"]).format_plain(),
                     r["currency"], r["kind"], r["settled_date"] or ""))
    return write_csv(path, ["invoice_number", "instalment", "customer_code", "customer_name", "issue_date",
                            "due_date", "amount", "currency", "kind", "settled_date"], rows)


def test_now_the_customer_lists_and_the_cycle_see_the_summary(ledger: Container) -> None:
    """Without a date: the ledger as it stands (the maintained open amounts), for the lists and the cycle."""
    want = expected(D("2099-12-31"))
    with ledger.uow() as uow:
        s = uow.session
        tenant = resolve_tenant(s, "default").id
        summary = ledger_summary.summary(s, tenant, None)
        assert summary["open_amount"] == {c: Money.from_minor(total(want["open"][c]), c).format_plain()
                                          for c in CURRENCIES if total(want["open"][c])}
        listed: dict[str, dict[str, int]] = {code: balance for r, balance, _ in parties.list_customers(s, tenant)
                                             for code in [r.code]}
        page = workspace.customers(uow, per_page=100)
        assert {r.code: r.balance_minor for r in page.rows} == listed
        assert listed == {code: {c: want["open"][c][code] for c in CURRENCIES if want["open"][c][code]}
                          for code in CUSTOMERS}
        planned: dict[str, int] = defaultdict(int)
        for items in cycle_open_items(s, tenant).values():
            for item in items:
                planned[item.currency] += item.open_minor
        assert dict(planned) == {c: total(want["open"][c]) for c in CURRENCIES if total(want["open"][c])}
