"""The demo ledger generator: invoices issued over ~18 months and how each kind of payer settled them.

Pure: numpy and `cobro.domain` only.  It yields plain row tuples in the column order of the `*_COLUMNS`
constants, in bounded chunks, so a writer can stream a million invoices without holding them in memory.

How a customer pays is its `behaviour` (stored as ground truth in `customers.behaviour`):

* ``punctual``: pays around the due date, rarely a couple of weeks late.
* ``chronic_late``: always late, about 55 days on average.
* ``slowing_down``: starts on time; the delay grows with time (~90 days late by the as-of date).
* ``disputing``: about a third of its invoices are disputed and paid only after resolution (45-160 days
  late); open disputed invoices carry ``disputed = true``.
* ``insolvent``: pays later and later, then stops at some date; it keeps ordering for a few weeks until it
  is blocked, and everything due after the stop stays open.

Every instalment gets a payment date = due date + drawn delay (snapped to the customer's pay days, its
weekly remittance Friday, or the next weekday).  If that date is on or before the as-of date the
instalment is settled with a payment and an allocation, otherwise it stays open.  Some instalments are paid
in two parts, batch payers cover several invoices with one payment, and a few payments overpay and leave
unapplied credit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from cobro.demo.parties import DemoContact, DemoCustomer, make_contacts, make_customers
from cobro.kernel.money import exponent
from cobro.kernel.terms import SPAIN_LEGAL_CAP_DAYS, PaymentTerms

Row = tuple[object, ...]

CUSTOMER_COLUMNS = ("id", "tenant_id", "code", "legal_name", "country", "tax_id", "segment", "account_owner",
                    "collector", "credit_limit_minor", "credit_limit_currency", "language", "terms", "behaviour",
                    "row_hash")
CONTACT_COLUMNS = ("id", "tenant_id", "customer_id", "name", "role", "email", "phone", "preferred_channel",
                   "language", "row_hash")
INVOICE_COLUMNS = ("id", "tenant_id", "customer_id", "number", "kind", "issue_date", "due_date", "currency",
                   "amount_minor", "open_minor", "status", "disputed", "corrects", "channel", "terms",
                   "over_legal_cap", "source", "content_hash")
INSTALMENT_COLUMNS = ("id", "tenant_id", "invoice_id", "customer_id", "seq", "due_date", "currency",
                      "amount_minor", "paid_minor", "open_minor")
PAYMENT_COLUMNS = ("id", "tenant_id", "customer_id", "reference", "date", "currency", "amount_minor",
                   "unapplied_minor", "method", "source", "note")
ALLOCATION_COLUMNS = ("id", "tenant_id", "payment_id", "instalment_id", "invoice_id", "amount_minor", "date")

SOURCE = "demo"
HISTORY_DAYS = 548  # ~18 months
# Monthly issuing weights: Spain rushes before summer and Christmas and stops in August; LatAm peaks in
# December and slows in the southern summer.
_SEASON = {
    "ES": (0.85, 0.95, 1.1, 1.0, 1.1, 1.25, 1.15, 0.45, 1.0, 1.05, 1.2, 1.3),
    "LATAM": (0.8, 0.85, 1.0, 1.0, 1.05, 1.0, 1.0, 1.05, 1.0, 1.05, 1.15, 1.25),
}
_PAY_PREFIX = {"transfer": "TRF", "confirming": "CONF", "direct_debit": "SDD", "pagare": "PAG", "spei": "SPEI",
               "cheque": "CHQ"}


@dataclass(frozen=True, slots=True)
class DemoSpec:
    debtors: int
    invoices: int  # documents: invoices plus the few credit notes
    seed: int
    as_of: dt.date
    history_days: int = HISTORY_DAYS


@dataclass(frozen=True, slots=True)
class FirstIds:
    """First free id per table, so generated rows carry final ids and allocations can point at them."""

    customer: int = 1
    contact: int = 1
    invoice: int = 1
    instalment: int = 1
    payment: int = 1
    allocation: int = 1


@dataclass(slots=True)
class LedgerChunk:
    invoices: list[Row] = field(default_factory=list)
    instalments: list[Row] = field(default_factory=list)
    payments: list[Row] = field(default_factory=list)
    allocations: list[Row] = field(default_factory=list)
    documents: int = 0


def make_parties(spec: DemoSpec, first: FirstIds) -> tuple[list[DemoCustomer], list[DemoContact]]:
    customers = make_customers(spec.seed, spec.debtors, spec.invoices, first.customer)
    return customers, make_contacts(spec.seed, customers, first.contact)


def customer_rows(customers: list[DemoCustomer], contacts: list[DemoContact],
                  tenant_id: int) -> tuple[list[Row], list[Row]]:
    cust: list[Row] = [(c.id, tenant_id, c.code, c.legal_name, c.country, c.tax_id, c.segment, c.account_owner, c.collector,
             c.credit_limit_minor, c.currency if c.credit_limit_minor is not None else "", c.language, c.terms,
             c.behaviour, "") for c in customers]
    cont: list[Row] = [(k.id, tenant_id, k.customer_id, k.name, k.role, k.email, k.phone, k.preferred_channel, k.language, "")
            for k in contacts]
    return cust, cont


class _Calendar:
    """Day ordinals of the history window, issuing weights, and cached due-date arithmetic."""

    def __init__(self, spec: DemoSpec) -> None:
        self.as_of = spec.as_of.toordinal()
        self.days = spec.history_days
        self.start = self.as_of - self.days + 1
        self._dates = [dt.date.fromordinal(o) for o in range(self.start, self.as_of + 600)]
        self.cdf: dict[str, np.ndarray] = {}
        for region, months in _SEASON.items():
            w = np.empty(self.days)
            for i in range(self.days):
                day = self._dates[i]
                w[i] = months[day.month - 1] * (0.03 if day.weekday() >= 5 else 1.0)
                if day.month == 12 and day.day >= 24:
                    w[i] *= 0.3
            w *= 1.0 + 0.12 * np.arange(self.days) / self.days  # the business grows a little
            self.cdf[region] = np.cumsum(w)
        self._due: dict[str, dict[int, int]] = {}
        self._pay: dict[str, dict[int, int]] = {}

    def date(self, o: int) -> dt.date:
        i = o - self.start
        return self._dates[i] if 0 <= i < len(self._dates) else dt.date.fromordinal(o)

    def due(self, terms: PaymentTerms, issue: int) -> int:
        cache = self._due.setdefault(terms.code(), {})
        if issue not in cache:
            cache[issue] = terms.due_date(self.date(issue)).toordinal()
        return cache[issue]

    def next_pay_day(self, terms: PaymentTerms, day: int) -> int:
        cache = self._pay.setdefault(terms.code(), {})
        if day not in cache:
            cache[day] = PaymentTerms("net", 0, terms.pay_days).due_date(self.date(day)).toordinal()
        return cache[day]


def _delays(c: DemoCustomer, rng: np.random.Generator, t: np.ndarray, disputed: np.ndarray,
            stop_t: float) -> np.ndarray:
    """Days between due date and payment per invoice; `t` is the issue date's position in the window (0..1)."""
    n = len(t)
    b = c.behaviour
    if b == "punctual":
        d = rng.normal(-1.0, 3.0, n) + (rng.random(n) < 0.04) * rng.uniform(5, 25, n)
    elif b == "chronic_late":
        d = 10.0 + rng.gamma(3.0, 15.0, n)
    elif b == "slowing_down":
        d = rng.normal(1.0 + 90.0 * t**2, 4.0 + 8.0 * t)
    elif b == "disputing":
        d = np.where(disputed, rng.uniform(45, 160, n), rng.gamma(2.0, 6.0, n))
    else:  # insolvent: later and later until it stops paying altogether
        d = rng.gamma(2.0, 6.0, n) + 50.0 * np.clip(t / max(stop_t, 1e-9), 0.0, 1.0)
    if b != "disputing":
        d = d + disputed * rng.uniform(30, 90, n)  # the occasional dispute elsewhere also delays payment
    return np.rint(d).astype(np.int64)


def _snap(c: DemoCustomer, terms: PaymentTerms, cal: _Calendar, o: int) -> int:
    """Move a payment day to when this customer actually pays: pay day, remittance Friday, or a weekday."""
    if terms.pay_days:
        return cal.next_pay_day(terms, o)
    wd = (o - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
    if c.batch_payer:
        return o + (4 - wd) % 7
    return o + (2 if wd == 5 else 1 if wd == 6 else 0)


class _Ids:
    def __init__(self, first: FirstIds) -> None:
        self.invoice, self.instalment = first.invoice, first.instalment
        self.payment, self.allocation = first.payment, first.allocation


def _customer_ledger(c: DemoCustomer, index: int, spec: DemoSpec, *, cal: _Calendar, ids: _Ids, tenant: int,
                     out: LedgerChunk) -> None:
    n = c.invoices
    if n == 0:
        return
    rng = np.random.default_rng([spec.seed, 1, index])
    region = "ES" if c.country == "ES" else "LATAM"
    cdf = cal.cdf[region]
    stop_pay = cal.as_of + 10**6
    top = cdf[-1]
    stop_t = 1.0
    if c.behaviour == "insolvent":
        stop_off = int(cal.days * rng.uniform(0.45, 0.8))
        stop_pay, stop_t = cal.start + stop_off, stop_off / cal.days
        top = cdf[min(cal.days - 1, stop_off + int(rng.integers(30, 76)))]  # blocked some weeks later
    offs = np.sort(np.searchsorted(cdf, rng.random(n) * top, side="right"))
    offs = np.minimum(offs, cal.days - 1)
    t = offs / cal.days
    unit = 10 ** exponent(c.currency)
    amounts = np.maximum(unit, np.rint(c.ticket_minor * rng.lognormal(-0.245, 0.7, n))).astype(np.int64)
    is_credit = rng.random(n) < 0.02
    is_credit[0] = False
    dispute_rate = {"disputing": 0.33, "insolvent": 0.0}.get(c.behaviour, 0.01)
    disputed = rng.random(n) < dispute_rate
    delay = _delays(c, rng, t, disputed, stop_t).tolist()
    parts = np.where(rng.random(n) < 0.07, rng.integers(2, 4, n), 1).tolist()
    partial = (rng.random(n) < 0.06).tolist()
    frac = rng.uniform(0.3, 0.7, n).tolist()
    credit_share = rng.uniform(0.1, 0.5, n).tolist()
    terms = PaymentTerms.parse(c.terms)
    spain = c.country == "ES"
    channel = ("face" if spain and c.segment == "public_sector"
               else "edi" if c.segment in ("retail", "wholesale") and c.id % 7 == 0 else "email")
    events: list[tuple[int, int, int, int]] = []  # (pay day, instalment id, invoice id, amount)
    last_number = ""
    for k, off in enumerate(offs.tolist()):
        issue = cal.start + off
        inv_id = ids.invoice
        ids.invoice += 1
        year = cal.date(issue).year
        if is_credit[k]:
            amount = max(unit, int(amounts[k] * credit_share[k]) // unit * unit)
            out.invoices.append((inv_id, tenant, c.id, f"AB{year}-{inv_id:07d}", "credit_note", cal.date(issue),
                                 cal.date(issue), c.currency, amount, amount, "open", False, last_number, channel,
                                 "", False, SOURCE, 0))
            out.instalments.append((ids.instalment, tenant, inv_id, c.id, 1, cal.date(issue), c.currency, amount,
                                    0, amount))
            ids.instalment += 1
            continue
        number = f"FV{year}-{inv_id:07d}"
        last_number = number
        amount = int(amounts[k])
        due = cal.due(terms, issue)
        n_parts = parts[k] if amount >= 3 * unit else 1
        share = amount // n_parts // unit * unit
        open_total = 0
        last_due = due
        for seq in range(1, n_parts + 1):
            inst_due = due if seq == 1 else (cal.next_pay_day(terms, due + 30 * (seq - 1)) if terms.pay_days
                                              else due + 30 * (seq - 1))
            last_due = inst_due
            inst_amount = share if seq < n_parts else amount - share * (n_parts - 1)
            pay = max(issue, _snap(c, terms, cal, max(issue, inst_due + delay[k])))
            paid = 0
            inst_id = ids.instalment
            ids.instalment += 1
            if partial[k] and inst_amount >= 2 * unit:
                first = int(inst_amount * frac[k]) // unit * unit
                early = _snap(c, terms, cal, issue + (pay - issue) // 2)
                if first > 0 and early < pay and early <= cal.as_of and early < stop_pay:
                    events.append((early, inst_id, inv_id, first))
                    paid = first
            if pay <= cal.as_of and pay < stop_pay:
                events.append((pay, inst_id, inv_id, inst_amount - paid))
                paid = inst_amount
            open_total += inst_amount - paid
            out.instalments.append((inst_id, tenant, inv_id, c.id, seq, cal.date(inst_due), c.currency,
                                    inst_amount, paid, inst_amount - paid))
        over_cap = spain and last_due - issue > SPAIN_LEGAL_CAP_DAYS
        out.invoices.append((inv_id, tenant, c.id, number, "invoice", cal.date(issue), cal.date(last_due),
                             c.currency, amount, open_total, "open" if open_total else "paid",
                             bool(disputed[k]) and open_total > 0, "", channel, c.terms, over_cap, SOURCE, 0))
    out.documents += n
    _payments(c, rng, cal=cal, ids=ids, tenant=tenant, events=events, out=out)


def _payments(c: DemoCustomer, rng: np.random.Generator, *, cal: _Calendar, ids: _Ids, tenant: int,
              events: list[tuple[int, int, int, int]], out: LedgerChunk) -> None:
    """Group settled amounts into payments: one per remittance day for batch payers, else one per item."""
    if not events:
        return
    events.sort()
    groups: list[list[tuple[int, int, int, int]]] = []
    for ev in events:
        if c.batch_payer and groups and groups[-1][0][0] == ev[0]:
            groups[-1].append(ev)
        else:
            groups.append([ev])
    over = (rng.random(len(groups)) < 0.02).tolist()
    extra_pct = rng.uniform(0.01, 0.1, len(groups)).tolist()
    prefix = _PAY_PREFIX.get(c.method, "TRF")
    for g, group in enumerate(groups):
        pid = ids.payment
        ids.payment += 1
        day = cal.date(group[0][0])
        applied = sum(ev[3] for ev in group)
        # an overpayment (duplicate or rounded-up transfer) stays on account as unapplied credit
        unapplied = int(applied * extra_pct[g]) if over[g] else 0
        out.payments.append((pid, tenant, c.id, f"{prefix}-{pid:08d}", day, c.currency, applied + unapplied,
                             unapplied, c.method, SOURCE, "overpayment kept on account" if unapplied else ""))
        for _, inst_id, inv_id, amount in group:
            out.allocations.append((ids.allocation, tenant, pid, inst_id, inv_id, amount, day))
            ids.allocation += 1


def generate_ledger(spec: DemoSpec, customers: list[DemoCustomer], *, tenant_id: int, first: FirstIds,
                    chunk_documents: int = 50_000) -> Iterator[LedgerChunk]:
    """Invoices, instalments, payments and allocations of `customers`, about `chunk_documents` per chunk."""
    cal = _Calendar(spec)
    ids = _Ids(first)
    chunk = LedgerChunk()
    for index, c in enumerate(customers):
        _customer_ledger(c, index, spec, cal=cal, ids=ids, tenant=tenant_id, out=chunk)
        if chunk.documents >= chunk_documents:
            yield chunk
            chunk = LedgerChunk()
    if chunk.documents or chunk.invoices:
        yield chunk
