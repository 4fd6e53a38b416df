"""Labelled bank statements for the cash-application benchmark and tests.

`synth_ledger` invents customers and open items (or take a real ledger's); `synth_lines` turns them into
incoming credits with the noise real remittances have, keeping the truth aside; `to_camt053` writes them as a
camt.053.001.02 file that the statement parser reads back.  Deterministic for a given seed.

Noise kinds (shares and parameters in `NoiseMix`; `DEFAULT_MIX` and a harsher `HARSH_MIX`): clean references, references with prefixes or other
separators, truncated references, a mistyped or swapped digit, several invoices in one transfer, bank fees
deducted, payer names that differ from the legal name, no reference at all, partial payments, overpayments,
and credits that pay no invoice.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from xml.sax.saxutils import escape

from cobro.cashapp.domain.matching import CustomerInfo, Item, Line

ACTIVITIES = ["Construcciones", "Distribuciones", "Transportes", "Suministros", "Instalaciones", "Talleres",
              "Comercial", "Servicios", "Ingeniería", "Electricidad", "Fontanería", "Carpintería", "Maderas",
              "Hierros", "Aceros", "Plásticos", "Alimentación", "Bodegas", "Conservas", "Frutas", "Textil",
              "Calzados", "Muebles", "Cerámicas", "Gráficas", "Logística", "Reformas", "Climatización",
              "Informática", "Consultoría"]
NAMES = ["Levante", "García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Fernández", "Ruiz", "Díaz",
         "Moreno", "Álvarez", "Romero", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Serrano",
         "Blanco", "Molina", "Castro", "Ortega", "Rubio", "Marín", "Sanz", "Iglesias", "Núñez", "Medina",
         "Garrido", "Cortés", "Castillo", "Santos", "Lozano", "Guerrero", "Cano", "Prieto", "Méndez", "Cruz",
         "Calvo", "Gallego", "Vidal", "León", "Herrera", "Márquez", "Peña", "Flores", "Cabrera", "Campos",
         "Vega", "Fuentes", "Carrasco", "Diez", "Caballero", "Reyes", "Nieto", "Aguilar", "Pascual", "Santana",
         "Herrero", "Lorenzo", "Montero", "Hidalgo", "Giménez", "Ibáñez", "Ferrer", "Durán", "Santiago",
         "Benítez", "Mora", "Vicente", "Vargas", "Arias", "Carmona", "Crespo", "Román", "Pastor", "Soto",
         "Sáez", "Velasco", "Moya", "Soler", "Parra", "Esteban", "Bravo", "Gallardo", "Rojas", "Atlántico",
         "Mediterráneo", "Cantábrico", "Ibérica", "Norte", "Sur", "Centro", "Valle", "Sierra", "Costa", "Ebro",
         "Tajo", "Duero", "Turia"]
FORMS = ["SL", "SA", "SLU", "S.L.", "S.A."]
UNRELATED = ["DEVOLUCION AEAT IVA", "ABONO INTERESES CUENTA", "LIQUIDACION TPV", "TRASPASO PROPIO",
             "SUBVENCION CDTI", "INDEMNIZACION SEGURO", "REEMBOLSO PROVEEDOR"]
NOISE = {"clean": 26, "prefixed": 14, "truncated": 6, "typo": 5, "multi_ref": 9, "fee": 7, "name_only": 10,
         "multi_noref": 4, "partial": 6, "overpay": 3, "iban_only": 6, "unrelated": 4}


@dataclass(frozen=True, slots=True)
class NoiseMix:
    """The generator's whole noise recipe, explicit so a benchmark can be rerun with another one."""

    weights: tuple[tuple[str, int], ...] = tuple(NOISE.items())  # kind -> relative share of lines
    known_iban_share: float = 0.3  # customers whose account the matcher has learned (set on the ledger)
    account_shown: float = 0.8  # lines that carry the payer's account (always for `iban_only`)
    trunc_cut: tuple[int, int] = (1, 2)  # characters a truncated reference loses (inclusive range)
    fees_minor: tuple[int, ...] = (35, 150, 300, 450, 700, 1200)
    partial_pct: tuple[int, int] = (20, 80)
    max_multi: int = 4  # invoices in one transfer: 2 to this


DEFAULT_MIX = NoiseMix()
# harsher: half the clean references, three times the typos and truncations, more payers known by name only or
# by an account the matcher never saw, fewer accounts shown and learned, deeper truncation, bigger batches
HARSH_MIX = NoiseMix(
    weights=(("clean", 12), ("prefixed", 10), ("truncated", 14), ("typo", 14), ("multi_ref", 9), ("fee", 7),
             ("name_only", 14), ("multi_noref", 6), ("partial", 6), ("overpay", 3), ("iban_only", 9),
             ("unrelated", 6)),
    known_iban_share=0.15, account_shown=0.5, trunc_cut=(1, 3), max_multi=6)
MIXES = {"default": DEFAULT_MIX, "harsh": HARSH_MIX}


@dataclass(frozen=True, slots=True)
class Truth:
    customer_id: int | None  # None: the credit pays no invoice
    items: frozenset[int]
    kind: str


@dataclass(frozen=True, slots=True)
class SynthLedger:
    customers: list[CustomerInfo]
    items: list[Item]
    customer_ibans: dict[int, str]  # every customer's real account (only some are known to the matcher)


def _iban(rng: random.Random) -> str:
    bban = f"{rng.randrange(10**4):04d}{rng.randrange(10**4):04d}{rng.randrange(100):02d}{rng.randrange(10**10):010d}"
    check = 98 - int(bban + "142800") % 97  # ES = 14 28, check digits per ISO 13616
    return f"ES{check:02d}{bban}"


def synth_ledger(n_customers: int, items_per_customer: int, *, seed: int = 7, known_iban_share: float = 0.3,
                 as_of: dt.date = dt.date(2026, 6, 30)) -> SynthLedger:
    rng = random.Random(seed)
    customers: list[CustomerInfo] = []
    items: list[Item] = []
    ibans: dict[int, str] = {}
    used: set[str] = set()
    seq = 0
    for cid in range(1, n_customers + 1):
        while True:
            base = f"{rng.choice(ACTIVITIES)} {rng.choice(NAMES)}"
            if rng.random() < 0.6:
                base += f" {rng.choice(NAMES)}"
            if base not in used:
                used.add(base)
                break
        tax_id = f"B{rng.randrange(10**7, 10**8)}{rng.randrange(10)}"
        ibans[cid] = _iban(rng)
        known = (ibans[cid],) if rng.random() < known_iban_share else ()
        customers.append(CustomerInfo(cid, f"{base} {rng.choice(FORMS)}", tax_id, (), known))
        for _ in range(max(1, int(rng.gauss(items_per_customer, items_per_customer / 4)))):
            seq += 1
            due = as_of - dt.timedelta(days=rng.randrange(-60, 240))
            minor = int(rng.lognormvariate(7.5, 1.1) * 100)
            number = f"F{due.year}-{seq:07d}" if rng.random() < 0.8 else f"A{due.year % 100:02d}/{seq:07d}"
            items.append(Item(seq, cid, number, due, max(minor, 500), "EUR"))
    return SynthLedger(customers, items, ibans)


def _payer_name(rng: random.Random, legal: str) -> str:
    words = legal.split()
    style = rng.random()
    if style < 0.25:
        return legal
    if style < 0.5:
        return legal.upper().replace("Á", "A").replace("É", "E").replace("Í", "I").replace("Ó", "O") \
            .replace("Ú", "U").replace("Ñ", "N")
    if style < 0.7:  # abbreviated first word, dotted legal form
        first = words[0][: rng.randrange(5, 9)].upper() + "."
        return " ".join([first, *[w.upper() for w in words[1:-1]], "S.L." if "L" in words[-1] else "S.A."])
    if style < 0.85:  # legal form dropped
        return " ".join(words[:-1]).upper()
    return " ".join(words[:-1])  # mixed case, no form


def _ref_text(rng: random.Random, numbers: list[str], kind: str, mix: NoiseMix = DEFAULT_MIX) -> str:
    if kind == "prefixed":
        pre = rng.choice(["FRA", "FACT.", "FACTURA", "N/FRA", "INV", "PAGO FRA", "REF"])
        return f"{pre} " + " ".join(n.replace("-", rng.choice(["", " ", "/", "-"])) for n in numbers)
    if kind == "truncated":
        first = numbers[0]
        lo, hi = mix.trunc_cut
        return f"PAGO FACTURA {first[: max(6, len(first) - rng.randrange(lo, hi + 1))]}"
    if kind == "typo":
        n = list(numbers[0])
        pos = [i for i, c in enumerate(n) if c.isdigit() and i > 2]
        i = rng.choice(pos)
        if rng.random() < 0.5 and i + 1 < len(n) and n[i + 1].isdigit() and n[i] != n[i + 1]:
            n[i], n[i + 1] = n[i + 1], n[i]
        else:
            n[i] = rng.choice([d for d in "0123456789" if d != n[i]])
        return "FRA " + "".join(n)
    return " ".join(numbers)


def synth_lines(ledger: SynthLedger, n_lines: int, *, seed: int = 11, when: dt.date = dt.date(2026, 7, 1),
                mix: NoiseMix = DEFAULT_MIX) -> tuple[list[Line], dict[str, Truth]]:
    """`n_lines` credits against distinct open items, each with one kind of noise; the truth is returned apart."""
    rng = random.Random(seed)
    by_cust: dict[int, list[Item]] = {}
    for it in ledger.items:
        by_cust.setdefault(it.customer_id, []).append(it)
    for lst in by_cust.values():
        lst.sort(key=lambda i: (i.due_date, i.id))
    names = {c.id: c.name for c in ledger.customers}
    kinds = rng.choices([k for k, _ in mix.weights], weights=[w for _, w in mix.weights], k=n_lines)
    cust_ids = list(by_cust)
    taken: set[int] = set()
    lines: list[Line] = []
    truth: dict[str, Truth] = {}
    for n, kind in enumerate(kinds):
        key = f"L{n:06d}"
        if kind == "unrelated":
            amount = int(rng.lognormvariate(7, 1.3) * 100)
            lines.append(Line(key, amount, "EUR", when, "", rng.choice(UNRELATED), "",
                              rng.choice(["AEAT", "BANCO", "REDSYS", "CDTI", "MAPFRE"]), ""))
            truth[key] = Truth(None, frozenset(), kind)
            continue
        cid = rng.choice(cust_ids)
        avail = [i for i in by_cust[cid] if i.id not in taken]
        if not avail:
            avail = by_cust[cid]
        many = kind in ("multi_ref", "multi_noref")
        count = min(len(avail), rng.randrange(2, mix.max_multi + 1)) if many else 1
        start = rng.randrange(0, max(1, min(len(avail) - count + 1, 3)))  # payers tend to pay old items
        chosen = avail[start:start + count]
        taken.update(i.id for i in chosen)
        due = sum(i.open_minor for i in chosen)
        amount = due
        if kind == "fee":
            amount = due - rng.choice(mix.fees_minor)
        elif kind == "partial":
            amount = due * rng.randrange(*mix.partial_pct) // 100
        elif kind == "overpay":
            amount = due + rng.randrange(100, 5000)
        numbers = [i.number for i in chosen]
        if kind in ("name_only", "multi_noref", "iban_only"):
            remit = rng.choice(["PAGO PROVEEDOR", "TRANSFERENCIA", "PAGO FACTURAS", "LIQUIDACION", ""])
        else:
            remit = _ref_text(rng, numbers, kind if kind in ("prefixed", "truncated", "typo") else "clean", mix)
        payer = "" if kind == "iban_only" else _payer_name(rng, names[cid])
        account = ledger.customer_ibans[cid] if rng.random() < mix.account_shown or kind == "iban_only" else ""
        lines.append(Line(key, amount, "EUR", when, "", remit, "", payer, account))
        truth[key] = Truth(cid, frozenset(i.id for i in chosen), kind)
    return lines, truth


def to_camt053(lines: list[Line], *, account: str, when: dt.date, statement_id: str = "STMT-1") -> bytes:
    """A camt.053.001.02 statement holding `lines` as booked SEPA credit transfers (or debits if negative)."""
    total = sum(ln.amount_minor for ln in lines)
    ntries = []
    for n, ln in enumerate(lines, 1):
        ind = "CRDT" if ln.amount_minor >= 0 else "DBIT"
        amt = f"{abs(ln.amount_minor) // 100}.{abs(ln.amount_minor) % 100:02d}"
        day = (ln.booking_date or when).isoformat()
        party = "Dbtr" if ind == "CRDT" else "Cdtr"
        iban = f"<{party}Acct><Id><IBAN>{escape(ln.counterparty_account)}</IBAN></Id></{party}Acct>" \
            if ln.counterparty_account else ""
        ntries.append(
            f"<Ntry><NtryRef>{n}</NtryRef><Amt Ccy=\"{ln.currency}\">{amt}</Amt><CdtDbtInd>{ind}</CdtDbtInd>"
            f"<Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>"
            f"<AcctSvcrRef>{escape(ln.key)}</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd>"
            f"<SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs>"
            f"<EndToEndId>{escape(ln.end_to_end_id or 'NOTPROVIDED')}</EndToEndId></Refs>"
            f"<RltdPties><{party}><Nm>{escape(ln.counterparty_name)}</Nm></{party}>{iban}</RltdPties>"
            f"<RmtInf><Ustrd>{escape(ln.remittance)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>")
    close = f"{total // 100}.{total % 100:02d}" if total >= 0 else f"{-total // 100}.{-total % 100:02d}"
    cd = "CRDT" if total >= 0 else "DBIT"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>{when.isoformat()}T18:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{statement_id}</Id><CreDtTm>{when.isoformat()}T18:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        f"<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
        f"<Dt><Dt>{when.isoformat()}</Dt></Dt></Bal>"
        f"<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{close}</Amt><CdtDbtInd>{cd}"
        f"</CdtDbtInd><Dt><Dt>{when.isoformat()}</Dt></Dt></Bal>"
        + "".join(ntries) + "</Stmt></BkToCstmrStmt></Document>"
    ).encode()
