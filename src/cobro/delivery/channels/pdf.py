"""PDF letters, statements of account and escalation evidence packs with fpdf2.

Every builder returns a `PdfDocument`: the bytes plus the text layer (every string written, in order), which is what
the snapshot tests compare.  DejaVu Sans is embedded when present (full Unicode: €, ñ, ç); otherwise the core
Helvetica font is used and text is transliterated to Latin-1 (€ → EUR) so nothing raises on exotic input.
The creation date is fixed by the caller (`created`), so the same input always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from fpdf import FPDF

from cobro.delivery.channels.render import Formatter, split_language, to_date, to_decimal

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

LABELS: dict[str, dict[str, str]] = {
    "es": {
        "statement": "Extracto de cuenta", "as_of": "Fecha", "customer": "Cliente", "tax_id": "NIF",
        "invoice": "Factura", "issued": "Emisión", "due": "Vencimiento", "days": "Días", "open": "Pendiente",
        "amount": "Importe", "total": "Total pendiente", "interest": "Intereses de demora",
        "compensation": "Indemnización costes de cobro", "claim": "Total reclamable", "page": "Página",
        "pack": "Expediente de reclamación", "creditor": "Acreedor", "debtor": "Deudor",
        "invoices": "1. Facturas reclamadas", "demands": "2. Requerimientos de pago realizados",
        "demands_note": "Cada requerimiento fehaciente interrumpe la prescripción (art. 1973 del Código Civil).",
        "date": "Fecha", "channel": "Canal", "document": "Documento", "recipient": "Destinatario",
        "reference": "Referencia", "promises": "3. Promesas de pago incumplidas", "promised": "Prometido",
        "contact": "Contacto", "disputes": "4. Disputas", "reason": "Motivo", "status": "Estado",
        "interest_section": "5. Intereses de demora y costes reclamables", "rate": "Tipo",
        "none": "Ninguno.", "principal": "Principal", "credit_stop": "Bloqueo de crédito activo para ventas.",
    },
    "en": {
        "statement": "Statement of account", "as_of": "Date", "customer": "Customer", "tax_id": "Tax id",
        "invoice": "Invoice", "issued": "Issued", "due": "Due", "days": "Days", "open": "Outstanding",
        "amount": "Amount", "total": "Total outstanding", "interest": "Late-payment interest",
        "compensation": "Recovery-cost compensation", "claim": "Total claimable", "page": "Page",
        "pack": "Escalation evidence pack", "creditor": "Creditor", "debtor": "Debtor",
        "invoices": "1. Invoices claimed", "demands": "2. Demands for payment made",
        "demands_note": "Each demand is evidence of a claim made, relevant to the limitation period.",
        "date": "Date", "channel": "Channel", "document": "Document", "recipient": "Recipient",
        "reference": "Reference", "promises": "3. Broken promises to pay", "promised": "Promised",
        "contact": "Contact", "disputes": "4. Disputes", "reason": "Reason", "status": "Status",
        "interest_section": "5. Statutory interest and costs claimable", "rate": "Rate",
        "none": "None.", "principal": "Principal", "credit_stop": "Credit stop is active for sales.",
    },
}


@dataclass(frozen=True, slots=True)
class PdfDocument:
    content: bytes
    text: tuple[str, ...]

    def text_layer(self) -> str:
        return "\n".join(self.text) + "\n"


@dataclass(frozen=True, slots=True)
class Demand:
    """One message sent (or letter printed) to the debtor."""

    date: dt.date
    channel: str
    document: str  # template / step
    recipient: str
    reference: str = ""  # Message-ID, wamid, letter file


@dataclass(frozen=True, slots=True)
class BrokenPromise:
    promised_date: dt.date
    amount: Decimal
    currency: str
    contact: str = ""
    channel: str = ""


@dataclass(frozen=True, slots=True)
class Dispute:
    opened: dt.date
    reason: str
    amount: Decimal
    currency: str
    status: str
    invoice: str = ""


@dataclass(frozen=True, slots=True)
class InterestClaim:
    invoice: str
    currency: str
    principal: Decimal
    days_late: int
    interest: Decimal
    compensation: Decimal
    rate: str = ""  # e.g. "10.15 %" or "10.15 % / 10.50 %" when the rate changed


def interest_claim(invoice: str, result: Any) -> InterestClaim:
    """From a `cobro.interest.domain.InterestResult` (duck-typed so channels need not import the domain)."""
    rates = " / ".join(dict.fromkeys(f"{p.rate.normalize():f} %" for p in result.periods))
    return InterestClaim(invoice, result.currency, result.balance, result.days_late, result.interest,
                         result.compensation, rates)


@dataclass
class _Writer:
    language: str
    created: dt.datetime
    pdf: FPDF = field(init=False)
    log: list[str] = field(default_factory=list)
    font: str = "Helvetica"
    unicode: bool = False

    def __post_init__(self) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_creation_date(self.created)
        self.pdf.set_auto_page_break(auto=True, margin=18)
        self.pdf.set_margins(18, 18, 18)
        regular, bold = DEJAVU_DIR / "DejaVuSans.ttf", DEJAVU_DIR / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            self.pdf.add_font("DejaVu", "", str(regular))
            self.pdf.add_font("DejaVu", "B", str(bold))
            self.font, self.unicode = "DejaVu", True
        self.pdf.add_page()

    def clean(self, text: str) -> str:
        if self.unicode:
            return text
        text = text.replace("€", "EUR").replace("\u00a0", " ").replace("\u202f", " ")
        text = text.replace("‘", "'").replace("’", "'").replace("“", '"').replace("”", '"').replace("–", "-")
        out = []
        for ch in text:
            try:
                ch.encode("latin-1")
                out.append(ch)
            except UnicodeEncodeError:
                out.append(unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1") or "?")
        return "".join(out)

    def title(self, text: str) -> None:
        self.pdf.set_font(self.font, "B", 15)
        self.log.append(f"# {text}")
        self.pdf.multi_cell(0, 8, self.clean(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(2)

    def heading(self, text: str) -> None:
        self.pdf.ln(3)
        self.pdf.set_font(self.font, "B", 11)
        self.log.append(f"## {text}")
        self.pdf.multi_cell(0, 6, self.clean(text), new_x="LMARGIN", new_y="NEXT")

    def para(self, text: str, *, bold: bool = False, size: int = 10) -> None:
        self.pdf.set_font(self.font, "B" if bold else "", size)
        for line in text.split("\n"):
            self.log.append(line)
            self.pdf.multi_cell(0, 5, self.clean(line) or " ", new_x="LMARGIN", new_y="NEXT")

    def block(self, text: str, *, x: float, y: float, width: float, bold: bool = False, size: int = 10,
              line_height: float = 5) -> float:
        """Lines at a fixed place on the page (the address in an envelope's window, the sender beside it); returns
        the y below the last line.  Each line keeps the block's left edge, wrapping inside `width`."""
        self.pdf.set_font(self.font, "B" if bold else "", size)
        self.pdf.set_xy(x, y)
        for line in text.split("\n"):
            self.log.append(line)
            self.pdf.multi_cell(width, line_height, self.clean(line) or " ", new_x="LEFT", new_y="NEXT")
        return float(self.pdf.get_y())

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int],
              right: Sequence[int] = ()) -> None:
        self.log.append(" | ".join(headers))
        self.log.extend(" | ".join(r) for r in rows)
        aligns = tuple("RIGHT" if i in right else "LEFT" for i in range(len(headers)))
        self.pdf.set_font(self.font, "", 8.5)
        with self.pdf.table(col_widths=tuple(widths), text_align=aligns, line_height=5,
                            first_row_as_headings=True) as tbl:
            for values in (headers, *rows):
                row = tbl.row()
                for value in values:
                    row.cell(self.clean(value))

    def logo(self, data: bytes | None) -> None:
        """The creditor's logo (PNG or SVG, checked when it was uploaded) at the top right of the first page.  One
        that still cannot be drawn is left out: a missing logo must not stop a letter or a pack."""
        if not data:
            return
        try:
            self.pdf.image(io.BytesIO(data), x=self.pdf.w - self.pdf.r_margin - 45, y=10, h=14, keep_aspect_ratio=True,
                           w=45)
        except Exception:  # fpdf2 and Pillow raise many types for an image they cannot draw
            return
        self.log.append("[logo]")

    def output(self) -> PdfDocument:
        return PdfDocument(bytes(self.pdf.output()), tuple(self.log))


def _party_lines(party: dict[str, Any], tax_label: str) -> str:
    lines = [str(party.get("name") or party.get("legal_name") or "")]
    if party.get("tax_id"):  # a debtor's block may say what its country calls the tax id (RUT, RFC, NIT, RUC)
        lines.append(f"{party.get('tax_label') or tax_label} {party['tax_id']}")
    lines.extend(str(x) for x in party.get("address", []) or [])
    # the creditor's contact details and account (from its profile); customers' blocks have none of these keys
    contact = " · ".join(str(party[k]) for k in ("phone", "email", "website") if party.get(k))
    if contact:
        lines.append(contact)
    if party.get("iban"):
        lines.append(f"IBAN {party['iban']}" + (f" · BIC {party['bic']}" if party.get("bic") else ""))
    return "\n".join(lines)


def _items_rows(items: Sequence[dict[str, Any]], fmt: Formatter) -> list[list[str]]:
    return [[f"{it['invoice']}" + (f"/{it['seq']}" if int(it.get("seq", 1)) > 1 else ""),
             fmt.date(it["issue_date"]), fmt.date(it["due_date"]), str(it.get("days_past_due", "")),
             fmt.money(it["open"], it["currency"])] for it in items]


# A DL window envelope (110 × 220 mm) with its window on the left: 20 mm from the left edge, 45 mm from the top,
# 90 × 45 mm.  The recipient's block is printed inside it with a few millimetres of clearance on every side, so the
# address shows through when the A4 sheet is folded in three; the sender's block sits in the right column, clear of
# the window and below the logo.
WINDOW_MM: Final = (20.0, 45.0, 90.0, 45.0)  # x, y, width, height from the top-left corner of the page
_WINDOW_PAD: Final = 3.0
_SENDER_X, _SENDER_Y, _SENDER_W = 120.0, 28.0, 72.0


def letter_pdf(*, creditor: dict[str, Any], recipient: dict[str, Any], title: str, body: str, date: Any,
               language: str = "es", created: dt.datetime = _EPOCH, logo: bytes | None = None) -> PdfDocument:
    """A printable letter: sender block (right), the recipient's name, tax id and postal address in the window
    of a DL envelope (`WINDOW_MM`), then date, title and the rendered text body."""
    lang, locale = split_language(language)
    labels, fmt = LABELS[lang], Formatter(locale)
    w = _Writer(lang, created)
    w.logo(logo)
    sender_end = w.block(_party_lines(creditor, labels["tax_id"]), x=_SENDER_X, y=_SENDER_Y, width=_SENDER_W,
                         size=9, line_height=4.5)
    x, y, width, height = WINDOW_MM
    w.block(_party_lines(recipient, labels["tax_id"]), x=x + _WINDOW_PAD, y=y + _WINDOW_PAD,
            width=width - 2 * _WINDOW_PAD, bold=True)
    w.pdf.set_xy(w.pdf.l_margin, max(sender_end, y + height) + 6)
    w.para(fmt.longdate(date), size=9)
    w.pdf.ln(4)
    w.title(title)
    w.para(body.strip())
    return w.output()


def statement_pdf(*, creditor: dict[str, Any], customer: dict[str, Any], items: Sequence[dict[str, Any]],
                  total: dict[str, Any], as_of: Any, language: str = "es",
                  interest: Sequence[InterestClaim] = (), created: dt.datetime = _EPOCH) -> PdfDocument:
    """Statement of account: customer, open items table, totals and the interest claimable when stated."""
    lang, locale = split_language(language)
    labels, fmt = LABELS[lang], Formatter(locale)
    w = _Writer(lang, created)
    w.para(_party_lines(creditor, labels["tax_id"]), size=9)
    w.title(f"{labels['statement']}: {customer.get('legal_name', '')}")
    w.para(f"{labels['customer']}: {customer.get('legal_name', '')} ({customer.get('code', '')})"
           + (f" - {customer.get('tax_label') or labels['tax_id']} {customer['tax_id']}" if customer.get("tax_id")
              else ""))
    w.para(f"{labels['as_of']}: {fmt.longdate(as_of)}")
    w.pdf.ln(3)
    w.table([labels["invoice"], labels["issued"], labels["due"], labels["days"], labels["open"]],
            _items_rows(items, fmt), (40, 30, 30, 20, 40), right=(3, 4))
    w.pdf.ln(2)
    w.para(f"{labels['total']}: {fmt.money(total)}", bold=True)
    if interest:
        _interest_section(w, interest, labels, fmt, heading=labels["interest"])
    return w.output()


def _interest_section(w: _Writer, claims: Sequence[InterestClaim], labels: dict[str, str], fmt: Formatter,
                      *, heading: str) -> None:
    w.heading(heading)
    rows = [[c.invoice, fmt.money(c.principal, c.currency), str(c.days_late), c.rate,
             fmt.money(c.interest, c.currency), fmt.money(c.compensation, c.currency)] for c in claims]
    w.table([labels["invoice"], labels["principal"], labels["days"], labels["rate"], labels["interest"],
             labels["compensation"]], rows, (28, 28, 14, 30, 32, 42), right=(1, 2, 4, 5))
    for currency in sorted({c.currency for c in claims}):
        mine = [c for c in claims if c.currency == currency]
        principal = sum((c.principal for c in mine), Decimal(0))
        interest = sum((c.interest for c in mine), Decimal(0))
        comp = sum((c.compensation for c in mine), Decimal(0))
        w.para(f"{labels['principal']}: {fmt.money(principal, currency)}   {labels['interest']}: "
               f"{fmt.money(interest, currency)}   {labels['compensation']}: {fmt.money(comp, currency)}")
        w.para(f"{labels['claim']}: {fmt.money(principal + interest + comp, currency)}", bold=True)


def evidence_pack_pdf(*, creditor: dict[str, Any], customer: dict[str, Any], invoices: Sequence[dict[str, Any]],
                      demands: Sequence[Demand], broken_promises: Sequence[BrokenPromise],
                      disputes: Sequence[Dispute], interest: Sequence[InterestClaim], as_of: Any,
                      case_reference: str = "", credit_stop: bool = False, language: str = "es",
                      created: dt.datetime = _EPOCH, logo: bytes | None = None,
                      interest_note: str = "") -> PdfDocument:
    """Escalation evidence pack for an external collection mandate.

    `invoices` are open-item dicts (invoice, seq, issue_date, due_date, days_past_due, open, currency); the
    demands are every message sent, oldest first, so the pack proves each interruption of limitation.
    """
    lang, locale = split_language(language)
    labels, fmt = LABELS[lang], Formatter(locale)
    w = _Writer(lang, created)
    w.logo(logo)
    w.title(labels["pack"] + (f" {case_reference}" if case_reference else ""))
    w.para(f"{labels['as_of']}: {fmt.longdate(as_of)}")
    w.heading(labels["creditor"])
    w.para(_party_lines(creditor, labels["tax_id"]))
    w.heading(labels["debtor"])
    w.para(_party_lines({"name": customer.get("legal_name", ""), **customer}, labels["tax_id"]))
    if credit_stop:
        w.para(labels["credit_stop"], bold=True)

    w.heading(labels["invoices"])
    w.table([labels["invoice"], labels["issued"], labels["due"], labels["days"], labels["open"]],
            _items_rows(invoices, fmt), (40, 30, 30, 20, 40), right=(3, 4))
    for currency in sorted({str(it["currency"]) for it in invoices}):
        total = sum((to_decimal(it["open"]) for it in invoices if it["currency"] == currency), Decimal(0))
        w.para(f"{labels['total']}: {fmt.money(total, currency)}", bold=True)

    w.heading(labels["demands"])
    w.para(labels["demands_note"], size=8)
    if demands:
        rows = [[fmt.date(d.date), d.channel, d.document, d.recipient, d.reference]
                for d in sorted(demands, key=lambda d: (to_date(d.date), d.channel, d.document))]
        w.table([labels["date"], labels["channel"], labels["document"], labels["recipient"], labels["reference"]],
                rows, (22, 20, 30, 45, 57))
    else:
        w.para(labels["none"])

    w.heading(labels["promises"])
    if broken_promises:
        rows = [[fmt.date(p.promised_date), fmt.money(p.amount, p.currency), p.contact, p.channel]
                for p in broken_promises]
        w.table([labels["promised"], labels["amount"], labels["contact"], labels["channel"]], rows,
                (30, 35, 70, 39), right=(1,))
    else:
        w.para(labels["none"])

    w.heading(labels["disputes"])
    if disputes:
        rows = [[fmt.date(d.opened), d.invoice, d.reason, fmt.money(d.amount, d.currency), d.status]
                for d in disputes]
        w.table([labels["date"], labels["invoice"], labels["reason"], labels["amount"], labels["status"]], rows,
                (24, 32, 60, 32, 26), right=(3,))
    else:
        w.para(labels["none"])

    if interest:
        _interest_section(w, interest, labels, fmt, heading=labels["interest_section"])
    else:
        w.heading(labels["interest_section"])
        w.para(interest_note or labels["none"])
        interest_note = ""
    if interest_note:  # a period whose rate is not loaded: said as such, never as 0 or "none"
        w.para(interest_note, size=9)
    return w.output()
