"""Language negotiation (es/en) and Babel formatting of money, numbers, percentages and dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from cobro.kernel.money import Money
from cobro.platform.web.strings_workspace import REFUSALS, WORKSPACE_STRINGS

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "en"
LOCALES = {"es": "es_ES", "en": "en_GB"}

STRINGS: dict[str, dict[str, str]] = {
    "overview": {"es": "Resumen", "en": "Overview"},
    "customers": {"es": "Clientes", "en": "Customers"},
    "worklist": {"es": "Tareas", "en": "Worklist"},
    "search_placeholder": {"es": "Buscar cliente, código o NIF…", "en": "Search customer, code or tax id…"},
    "as_of": {"es": "a fecha", "en": "as of"},
    "open_amount": {"es": "Saldo abierto", "en": "Open amount"},
    "overdue": {"es": "Vencido", "en": "Overdue"},
    "overdue_share": {"es": "% vencido", "en": "Overdue share"},
    "open_items": {"es": "Partidas abiertas", "en": "Open items"},
    "open_invoices": {"es": "Facturas abiertas", "en": "Open invoices"},
    "ageing": {"es": "Antigüedad de saldos", "en": "Ageing"},
    "top_debtors": {"es": "Principales deudores", "en": "Top debtors"},
    "customer": {"es": "Cliente", "en": "Customer"},
    "code": {"es": "Código", "en": "Code"},
    "name": {"es": "Razón social", "en": "Name"},
    "country": {"es": "País", "en": "Country"},
    "segment": {"es": "Segmento", "en": "Segment"},
    "collector": {"es": "Gestor de cobro", "en": "Collector"},
    "oldest": {"es": "Máx. días vencido", "en": "Max days late"},
    "balance": {"es": "Saldo", "en": "Balance"},
    "unapplied": {"es": "Abonos y cobros sin aplicar", "en": "Credit notes and unapplied cash"},
    "invoice": {"es": "Factura", "en": "Invoice"},
    "issued": {"es": "Emisión", "en": "Issued"},
    "due": {"es": "Vencimiento", "en": "Due"},
    "days_late": {"es": "Días", "en": "Days"},
    "open": {"es": "Pendiente", "en": "Open"},
    "contacts": {"es": "Contactos", "en": "Contacts"},
    "payments": {"es": "Cobros recientes", "en": "Recent payments"},
    "reference": {"es": "Referencia", "en": "Reference"},
    "date": {"es": "Fecha", "en": "Date"},
    "amount": {"es": "Importe", "en": "Amount"},
    "promises": {"es": "Promesas de pago", "en": "Promises to pay"},
    "disputes": {"es": "Disputas", "en": "Disputes"},
    "timeline": {"es": "Historial", "en": "Timeline"},
    "tasks": {"es": "Tareas", "en": "Tasks"},
    "risk": {"es": "Riesgo", "en": "Risk"},
    "status": {"es": "Estado", "en": "Status"},
    "none": {"es": "Nada que mostrar.", "en": "Nothing to show."},
    "no_results": {"es": "Ningún cliente coincide.", "en": "No matching customer."},
    "page_of": {"es": "Página {page} de {pages}", "en": "Page {page} of {pages}"},
    "previous": {"es": "Anterior", "en": "Previous"},
    "next": {"es": "Siguiente", "en": "Next"},
    "customers_count": {"es": "clientes", "en": "customers"},
    "credit_limit": {"es": "Límite de crédito", "en": "Credit limit"},
    "terms": {"es": "Condiciones", "en": "Terms"},
    "tax_id": {"es": "NIF", "en": "Tax id"},
    "disputed": {"es": "en disputa", "en": "disputed"},
    "credit_note": {"es": "abono", "en": "credit note"},
    "all_collectors": {"es": "Todos los gestores", "en": "All collectors"},
    "filter": {"es": "Filtrar", "en": "Filter"},
    "kind": {"es": "Tipo", "en": "Kind"},
    "contact": {"es": "Contacto", "en": "Contact"},
    "phone": {"es": "Teléfono", "en": "Phone"},
    "summary": {"es": "Resumen", "en": "Summary"},
    "not_due": {"es": "No vencido", "en": "Not due"},
    "view_all": {"es": "Ver todos", "en": "View all"},
    "chart_note": {"es": "Importe abierto por tramo de días vencidos", "en": "Open amount by days past due"},
    "no_ageing": {"es": "El informe de antigüedad no está instalado.", "en": "The ageing report is not installed."},
    "back_home": {"es": "Volver al resumen", "en": "Back to the overview"},
    "email": {"es": "Email", "en": "Email"},
    "role": {"es": "Rol", "en": "Role"},
    "channel": {"es": "Canal", "en": "Channel"},
    "paid": {"es": "Pagado", "en": "Paid"},
    "reason": {"es": "Motivo", "en": "Reason"},
    "owner": {"es": "Responsable", "en": "Owner"},
    **WORKSPACE_STRINGS,  # Today, approvals, the login and error pages, the customer page (strings_workspace.py)
}


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """?lang= wins, then the cookie, then the first supported Accept-Language entry by quality."""
    for explicit in (query, cookie):
        if explicit and explicit[:2].lower() in LANGUAGES:
            return explicit[:2].lower()
    ranked: list[tuple[float, str]] = []
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((quality, tag.strip()[:2].lower()))
    for _, lang in sorted(ranked, key=lambda r: -r[0]):
        if lang in LANGUAGES:
            return lang
    return DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Formatter:
    """Per-request formatting helpers exposed to templates."""

    lang: str

    @property
    def locale(self) -> str:
        return LOCALES[self.lang]

    def t(self, key: str, **values: object) -> str:
        text = STRINGS.get(key, {}).get(self.lang) or key
        return text.format(**values) if values else text

    def label(self, prefix: str, value: str) -> str:
        """The catalogue's word for a code (`label("out_", "voicemail")`), else the code itself."""
        return self.t(prefix + value) if prefix + value in STRINGS else value

    def say(self, script: object) -> str:
        """A workspace script (`key`, `values`) as a sentence: amounts and dates formatted for this language."""
        key, values = getattr(script, "key", ""), dict(getattr(script, "values", {}) or {})
        shown = {k: self.money(v) if isinstance(v, Money) else self.date(v) if isinstance(v, dt.date)
                 else self.label("action_", v) if k == "action" else self.label("why_", v) if k == "reason"
                 else v for k, v in values.items()}
        return self.t(key, **shown)

    def event(self, kind: str) -> str:
        """A timeline entry's kind as words: `task.call.promise` → "Llamada: Promete pagar", `email_sent` →
        "Email: enviado", `dunning.reminder_1` → the step planned; an unknown kind is shown as it is."""
        if "ev_" + kind in STRINGS:
            return self.t("ev_" + kind)
        parts = kind.split(".")
        if len(parts) == 3 and parts[0] == "task":
            return self.t("ev_task", kind=self.label("action_", parts[1]), outcome=self.label("out_", parts[2]))
        if len(parts) == 2 and parts[0] == "dunning":
            return self.t("ev_dunning", step=parts[1].replace("_", " "))
        channel, _, outcome = kind.partition("_")
        if "ch_" + channel in STRINGS and outcome:
            return self.t("ev_message", channel=self.t("ch_" + channel), outcome=self.label("msg_", outcome))
        return kind

    def known(self, message: str) -> str | None:
        """The catalogue's sentence for a service message it knows, else None."""
        for pattern, key in REFUSALS:
            found = re.search(pattern, message)
            if found:
                return self.t(key, **found.groupdict()) if found.groupdict() else self.t(key)
        return None

    def refusal(self, message: str) -> str:
        """A service's refusal in this language: the catalogue's sentence when it is a known one, else the
        service's own words (they start with the field at fault)."""
        return self.known(message) or self.t("err_other", detail=message)

    def money(self, value: Money | str | Decimal, currency: str = "") -> str:
        if isinstance(value, Money):
            return format_currency(value.amount, value.currency, locale=self.locale)
        return format_currency(Decimal(value), currency, locale=self.locale)

    def bucket(self, label: str) -> str:
        """Ageing bucket labels are ranges of days; only "Not due" has words in it."""
        return self.t("not_due") if label == "Not due" else label

    def minor(self, minor: int, currency: str) -> str:
        return self.money(Money.from_minor(minor, currency))

    def number(self, value: int | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def percent(self, value: Decimal | None) -> str:
        """`value` is already a percentage (12.5 → "12,5 %")."""
        if value is None:
            return "–"
        return format_percent(value / 100, format="#,##0.0%", locale=self.locale)

    def date(self, value: dt.date | str | None, style: str = "medium") -> str:
        if not value:
            return ""
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
        return format_date(day, format=style, locale=self.locale)
