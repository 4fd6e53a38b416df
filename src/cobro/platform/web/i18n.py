"""Language negotiation (es/en) and Babel formatting of money, numbers, percentages and dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from cobro.kernel.money import Money

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
    # --- the workspace: Today, actions, approvals (workspace/web) -----------------------------------------------
    "today": {"es": "Hoy", "en": "Today"},
    "approvals": {"es": "Aprobaciones", "en": "Approvals"},
    "skip": {"es": "Ir al contenido", "en": "Skip to content"},
    "sign_out": {"es": "Cerrar sesión", "en": "Sign out"},
    "signed_in_as": {"es": "Sesión de {name} ({role})", "en": "Signed in as {name} ({role})"},
    "show_date": {"es": "Ver", "en": "Show"},
    "date_label": {"es": "Fecha de consulta", "en": "Date shown"},
    "today_title": {"es": "Tu trabajo de hoy", "en": "Your work today"},
    "today_everyone": {"es": "El trabajo de hoy de todo el equipo", "en": "Today's work for the whole team"},
    "today_for": {"es": "Trabajo de {name}", "en": "{name}'s work"},
    "ranked_note": {"es": "Primero lo que más dinero puede recuperar por minuto de trabajo.",
                    "en": "First what can recover the most money per minute of your time."},
    "later_tasks": {"es": "Tareas que vencen más adelante: {n}.", "en": "Tasks due later: {n}."},
    "nothing_today": {"es": "No tienes llamadas ni casos para hoy.", "en": "No calls or cases for you today."},
    "days_late_n": {"es": "{n} días de retraso", "en": "{n} days late"},
    "not_late": {"es": "al corriente", "en": "not late"},
    "last_contact": {"es": "Último contacto", "en": "Last contact"},
    "never": {"es": "nunca", "en": "never"},
    "grade": {"es": "Riesgo", "en": "Risk"},
    "no_grade": {"es": "sin calificar", "en": "not graded"},
    "due_on_day": {"es": "para el {day}", "en": "due {day}"},
    "what_to_say": {"es": "Qué decir", "en": "What to say"},
    "keys_help": {"es": "Teclado: j / k para moverte entre clientes; l llamada, p promesa, d disputa, h pausa.",
                  "en": "Keyboard: j / k to move between customers; l call, p promise, d dispute, h hold."},
    "act_outcome": {"es": "Registrar llamada", "en": "Log call"},
    "act_promise": {"es": "Promesa de pago", "en": "Promise to pay"},
    "act_dispute": {"es": "Abrir disputa", "en": "Open dispute"},
    "act_hold": {"es": "Pausar cobro", "en": "Put on hold"},
    "save": {"es": "Guardar", "en": "Save"},
    "cancel": {"es": "Cancelar", "en": "Cancel"},
    "outcome": {"es": "Resultado", "en": "Outcome"},
    "note": {"es": "Nota", "en": "Note"},
    "promise_amount": {"es": "Importe prometido", "en": "Promised amount"},
    "promise_date": {"es": "Fecha prometida", "en": "Promised date"},
    "due_on": {"es": "Fecha de pago", "en": "Payment date"},
    "currency": {"es": "Moneda", "en": "Currency"},
    "currency_hint": {"es": "vacío: la moneda que debe", "en": "empty: the currency owed"},
    "until": {"es": "Hasta", "en": "Until"},
    "until_hint": {"es": "vacío: hasta que se levante", "en": "empty: until released"},
    "reason_code": {"es": "Motivo de la disputa", "en": "Dispute reason"},
    "invoices_disputed": {"es": "Facturas en disputa", "en": "Invoices disputed"},
    "done_outcome": {"es": "Llamada registrada.", "en": "Call logged."},
    "done_outcome_callback": {"es": "Llamada registrada; la nueva llamada queda en tu lista para ese día.",
                              "en": "Call logged; the call-back is on your list for that day."},
    "callback": {"es": "Volver a llamar el", "en": "Call back on"},
    "callback_hint": {"es": "vacío: sin nueva llamada", "en": "empty: no call-back"},
    "err_callback_past": {"es": "La nueva llamada no puede ser antes de hoy.",
                          "en": "The call-back cannot be before today."},
    "done_promise": {"es": "Promesa registrada: el cobro se pausa hasta esa fecha.",
                     "en": "Promise recorded: dunning pauses until its date."},
    "done_dispute": {"es": "Disputa abierta: esas facturas dejan de reclamarse.",
                     "en": "Dispute opened: those invoices are no longer chased."},
    "done_hold": {"es": "Cobro pausado.", "en": "Collection put on hold."},
    "task_done": {"es": "Hecha: {outcome}", "en": "Done: {outcome}"},
    "promises_due": {"es": "Promesas que vencen hoy", "en": "Promises due today"},
    "promises_broken": {"es": "Promesas incumplidas", "en": "Broken promises"},
    "disputes_waiting": {"es": "Disputas pendientes", "en": "Disputes waiting"},
    "resolve_by": {"es": "resolver antes del {day}", "en": "resolve by {day}"},
    "all_open": {"es": "todo lo pendiente", "en": "all that is open"},
    "out_reached": {"es": "Contactado", "en": "Reached"},
    "out_voicemail": {"es": "Buzón de voz", "en": "Voicemail"},
    "out_wrong_contact": {"es": "Contacto equivocado", "en": "Wrong contact"},
    "out_wrong_number": {"es": "Número equivocado", "en": "Wrong number"},
    "out_promise": {"es": "Promete pagar", "en": "Promises to pay"},
    "out_dispute": {"es": "Disputa la factura", "en": "Disputes the invoice"},
    "out_refuses": {"es": "Se niega a pagar", "en": "Refuses to pay"},
    "out_asks_for_copy": {"es": "Pide copia de la factura", "en": "Asks for a copy"},
    "out_paid": {"es": "Pagado", "en": "Paid"},
    "why_quality": {"es": "calidad", "en": "quality"}, "why_quantity": {"es": "cantidad", "en": "quantity"},
    "why_price": {"es": "precio", "en": "price"}, "why_not_received": {"es": "no recibido", "en": "not received"},
    "why_duplicate": {"es": "duplicada", "en": "duplicate"},
    "why_already_paid": {"es": "ya pagada", "en": "already paid"},
    "why_terms": {"es": "condiciones", "en": "terms"}, "why_other": {"es": "otro", "en": "other"},
    "action_call": {"es": "Llamada", "en": "Call"}, "action_meeting": {"es": "Reunión", "en": "Meeting"},
    "action_agency": {"es": "Agencia de recobro", "en": "Collection agency"},
    "action_remind": {"es": "Recordatorio", "en": "Reminder"},
    "action_payment_plan": {"es": "Proponer un plan de pagos", "en": "Offer a payment plan"},
    "action_monitorio": {"es": "Proceso monitorio", "en": "Payment order (monitorio)"},
    "script_nothing_overdue": {"es": "Ya no hay nada vencido: comprueba que el pago ha llegado y cierra la tarea.",
                               "en": "Nothing is overdue any more: check the payment arrived and close the task."},
    "script_dispute": {"es": "Hay una disputa abierta ({reason}). Pregunta cómo va antes de pedir el pago de {amount}.",
                       "en": "There is an open dispute ({reason}). Ask how it stands before asking for {amount}."},
    "script_broken": {"es": "Prometieron pagar {amount} el {day} y no lo hicieron. Pregunta qué pasó y pide una nueva "
                                "fecha que puedan cumplir.",
                      "en": "They promised {amount} for {day} and did not pay. Ask what happened and agree a new date "
                            "they can keep."},
    "script_case": {"es": "{amount} lleva {days} días vencido. Avisa de que el caso pasará a {action} si no se paga en "
                          "la fecha que acordéis ahora.",
                    "en": "{amount} is {days} days overdue. Say the case goes to {action} unless it is paid by the "
                          "date you agree now."},
    "script_friendly": {"es": "Recordatorio amable: {amount} venció hace {days} días. Pregunta si recibieron la factura "
                              "y cuándo la pagarán.",
                        "en": "A friendly reminder: {amount} fell due {days} days ago. Ask whether the invoice arrived "
                              "and when it will be paid."},
    "script_firm": {"es": "{amount} lleva {days} días de retraso. Pide una fecha y un importe firmes; si lo prometen, "
                          "regístralo.",
                    "en": "{amount} is {days} days late. Ask for a firm date and amount; if they promise, record it."},
    "script_late": {"es": "{amount} lleva {days} días de retraso. Pide el pago esta semana o un plan de pagos, y "
                          "explica que la cuenta puede quedar bloqueada.",
                    "en": "{amount} is {days} days late. Ask for payment this week or a payment plan, and explain "
                          "the account may be put on credit stop."},
    "err_required": {"es": "Falta {field}.", "en": "{field} is missing."},
    "err_date": {"es": "{field}: escribe una fecha válida (AAAA-MM-DD).", "en": "{field}: enter a valid date (YYYY-MM-DD)."},
    "err_pick_invoice": {"es": "Marca al menos una factura.", "en": "Tick at least one invoice."},
    "err_amount": {"es": "El importe no es válido: escribe, por ejemplo, 1250,00.",
                   "en": "The amount is not valid: write it like 1250.00."},
    "err_positive": {"es": "El importe debe ser mayor que cero.", "en": "The amount must be more than zero."},
    "err_past_promise": {"es": "La fecha prometida debe ser hoy o posterior.",
                         "en": "The promised date must be today or later."},
    "err_promise_needs": {"es": "Para una promesa, indica el importe y la fecha.",
                          "en": "For a promise, give the amount and the date."},
    "err_no_invoices": {"es": "Esta tarea no tiene facturas: usa «Abrir disputa».",
                        "en": "This task has no invoices: use “Open dispute”."},
    "err_hold_reason": {"es": "Indica el motivo de la pausa.", "en": "Give a reason for the hold."},
    "err_hold_past": {"es": "La pausa no puede terminar en el pasado.", "en": "A hold cannot end in the past."},
    "err_task_closed": {"es": "Esta tarea ya estaba cerrada.", "en": "This task was already closed."},
    "err_four_eyes": {"es": "No puedes decidir una excepción que pediste tú: tiene que hacerlo otra persona.",
                      "en": "You cannot decide an exception you requested: someone else has to."},
    "err_not_awaiting": {"es": "Esta excepción ya no está pendiente de decisión.",
                         "en": "This exception is no longer awaiting a decision."},
    "err_more_than_open": {"es": "El importe en disputa es mayor que lo pendiente de esas facturas.",
                           "en": "The disputed amount is more than what is open on those invoices."},
    "err_nothing_open": {"es": "Este cliente no tiene nada pendiente en esa moneda.",
                         "en": "This customer owes nothing in that currency."},
    "err_other": {"es": "No se pudo guardar: {detail}", "en": "Could not save: {detail}"},
    "err_not_their_invoice": {"es": "Esa factura no es de este cliente.", "en": "That invoice is not this customer's."},
    "err_one_currency": {"es": "Una disputa solo puede abarcar facturas de una misma moneda.",
                         "en": "A dispute can only cover invoices in one currency."},
    "err_which_currency": {"es": "El cliente debe en varias monedas ({currencies}): indica cuál.",
                           "en": "The customer owes in several currencies ({currencies}): say which."},
    "err_reason_code": {"es": "Elige un motivo de la lista.", "en": "Choose a reason from the list."},
    "err_outcome": {"es": "Elige un resultado de la lista.", "en": "Choose an outcome from the list."},
    "pending_approvals": {"es": "Excepciones pendientes de aprobación", "en": "Exceptions awaiting approval"},
    "no_pending": {"es": "No hay nada pendiente de aprobar.", "en": "Nothing is waiting for approval."},
    "requested_by": {"es": "Pedida por", "en": "Requested by"},
    "justification": {"es": "Justificación", "en": "Justification"},
    "expires": {"es": "Caduca", "en": "Expires"},
    "approve": {"es": "Aprobar", "en": "Approve"},
    "reject": {"es": "Rechazar", "en": "Reject"},
    "decided": {"es": "Decisión: {status}", "en": "Decision: {status}"},
    "st_approved": {"es": "aprobada", "en": "approved"}, "st_rejected": {"es": "rechazada", "en": "rejected"},
    "st_requested": {"es": "pendiente", "en": "awaiting decision"}, "st_expired": {"es": "caducada", "en": "expired"},
    "ex_longer_terms": {"es": "Plazo más largo", "en": "Longer terms"},
    "ex_higher_limit": {"es": "Límite mayor", "en": "Higher limit"},
    "ex_skip_step": {"es": "Saltar un paso", "en": "Skip a step"},
    # --- the login page (identity/web) and error pages (workspace/web/common) ----------------------------------
    "sign_in_title": {"es": "Entrar en cobro", "en": "Sign in to cobro"},
    "sign_in": {"es": "Entrar", "en": "Sign in"},
    "password": {"es": "Contraseña", "en": "Password"},
    "err_login": {"es": "El email o la contraseña no son correctos.", "en": "Wrong e-mail or password."},
    "err_throttled": {"es": "Demasiados intentos fallidos: espera unos minutos y vuelve a probar.",
                      "en": "Too many failed attempts: wait a few minutes and try again."},
    "status_403": {"es": "No tienes permiso", "en": "Not allowed"},
    "status_404": {"es": "No encontrado", "en": "Not found"},
    "status_409": {"es": "No se puede hacer ahora", "en": "Cannot be done now"},
    "status_422": {"es": "Datos no válidos", "en": "Invalid input"},
    "status_429": {"es": "Demasiadas peticiones", "en": "Too many requests"},
    "status_500": {"es": "Error interno", "en": "Internal error"},
    "err_no_customer": {"es": "No hay ningún cliente con el código «{code}».",
                        "en": "There is no customer with the code “{code}”."},
    "err_permission": {"es": "Tu rol no permite esta acción.", "en": "Your role does not allow this."},
    "err_csrf": {"es": "La página ha caducado: recárgala y vuelve a intentarlo.",
                 "en": "The page has expired: reload it and try again."},
    # --- the customer page (workspace/web/pages) ------------------------------------------------------------------
    "credit_stop_since": {"es": "Bloqueo de crédito desde el {day}", "en": "Credit stop since {day}"},
    "credit_stop": {"es": "bloqueo de crédito", "en": "credit stop"},
    "alert": {"es": "Alerta", "en": "Alert"},
    "alert_score_worsened": {"es": "el riesgo ha empeorado", "en": "risk worsened"},
    "alert_dbt_worsened": {"es": "paga cada vez más tarde", "en": "pays later and later"},
    "alert_over_limit": {"es": "supera su límite de crédito", "en": "over its credit limit"},
    "alert_promise_broken": {"es": "promesa incumplida", "en": "promise broken"},
    "alert_credit_stop_set": {"es": "crédito bloqueado", "en": "credit stop set"},
    "alert_dispute_overdue": {"es": "disputa sin resolver fuera de plazo", "en": "dispute open past its deadline"},
    "alert_large_payment": {"es": "pago importante recibido", "en": "large payment received"},
    "alert_bounce": {"es": "un mensaje fue devuelto: revisa la dirección", "en": "a message bounced: check the address"},
    "due_today": {"es": "vence hoy", "en": "due today"},
    "due_in": {"es": "vence en {n} días", "en": "due in {n} days"},
    "open_tasks": {"es": "Tareas abiertas", "en": "Open tasks"},
    "holds": {"es": "Pausas de cobro", "en": "Holds"},
    "scope": {"es": "Alcance", "en": "Scope"},
    "all_items": {"es": "todas las partidas", "en": "all items"},
    "until_released": {"es": "hasta que se levante", "en": "until released"},
    "cases": {"es": "Casos de escalado", "en": "Escalation cases"},
    "handed_to": {"es": "Entregado a", "en": "Handed to"},
    "case_open": {"es": "abierto", "en": "open"}, "case_handed_off": {"es": "entregado", "en": "handed off"},
    "case_closed": {"es": "cerrado", "en": "closed"}, "case_settled": {"es": "cobrado", "en": "settled"},
    "case_items": {"es": "partidas del caso: {n}", "en": "items in the case: {n}"},
    "disputed_in_ledger": {"es": "marcada en disputa en el libro (importada); sin disputa registrada",
                           "en": "marked disputed in the ledger (imported); no dispute recorded"},
    "role_administration": {"es": "administración", "en": "administration"},
    "role_finance": {"es": "finanzas", "en": "finance"}, "role_management": {"es": "dirección", "en": "management"},
    "role_other": {"es": "otro", "en": "other"},
    "st_pending": {"es": "pendiente", "en": "pending"}, "st_kept": {"es": "cumplida", "en": "kept"},
    "st_broken": {"es": "incumplida", "en": "broken"}, "st_open": {"es": "abierta", "en": "open"},
    "st_resolved": {"es": "resuelta", "en": "resolved"}, "st_handed_off": {"es": "entregado", "en": "handed off"},
    "st_closed": {"es": "cerrado", "en": "closed"}, "st_settled": {"es": "cobrado", "en": "settled"},
    "ev_promise.made": {"es": "Promesa de pago registrada", "en": "Promise to pay recorded"},
    "ev_dispute.opened": {"es": "Disputa abierta", "en": "Dispute opened"},
    "ev_dispute.resolved": {"es": "Disputa resuelta", "en": "Dispute resolved"},
    "ev_hold.added": {"es": "Cobro pausado", "en": "Put on hold"},
    "ev_hold.released": {"es": "Pausa levantada", "en": "Hold released"},
    "ev_plan.agreed": {"es": "Plan de pagos acordado", "en": "Payment plan agreed"},
    "ev_exception.requested": {"es": "Excepción solicitada", "en": "Exception requested"},
    "ev_exception.approved": {"es": "Excepción aprobada", "en": "Exception approved"},
    "ev_exception.rejected": {"es": "Excepción rechazada", "en": "Exception rejected"},
    "ev_escalation.handed_off": {"es": "Caso entregado", "en": "Case handed off"},
    "ev_escalation.closed": {"es": "Caso cerrado", "en": "Case closed"},
    "ev_terms.acknowledged": {"es": "Condiciones aceptadas", "en": "Terms acknowledged"},
    "ev_terms.sent": {"es": "Condiciones enviadas", "en": "Terms sent"},
    "ev_task": {"es": "{kind}: {outcome}", "en": "{kind}: {outcome}"},
    "ev_dunning": {"es": "Paso de cobro planificado: {step}", "en": "Collection step planned: {step}"},
    "ev_message": {"es": "{channel}: {outcome}", "en": "{channel}: {outcome}"},
    "ch_email": {"es": "Email", "en": "E-mail"}, "ch_sms": {"es": "SMS", "en": "SMS"},
    "ch_whatsapp": {"es": "WhatsApp", "en": "WhatsApp"}, "ch_letter": {"es": "Carta", "en": "Letter"},
    "msg_sent": {"es": "enviado", "en": "sent"}, "msg_failed": {"es": "falló", "en": "failed"},
    "msg_bounced": {"es": "devuelto", "en": "bounced"}, "msg_delivered": {"es": "entregado", "en": "delivered"},
}

# A collections service's refusal (English, "field: detail") → the catalogue's sentence for it
REFUSALS: tuple[tuple[str, str], ...] = (
    (r"^four eyes:", "err_four_eyes"), (r"not awaiting a decision", "err_not_awaiting"),
    (r"^due_on: a promise to pay is for today", "err_past_promise"), (r"is not an amount", "err_amount"),
    (r"positive amount|must be positive", "err_positive"), (r"^a promise outcome needs", "err_promise_needs"),
    (r"^outcome: this task has no invoices", "err_no_invoices"), (r"^reason: a hold needs", "err_hold_reason"),
    (r"^until: a hold cannot end", "err_hold_past"), (r"^callback: .* is before today", "err_callback_past"),
    (r"^task #\d+ is already", "err_task_closed"), (r"^no customer with code '(?P<code>[^']*)'", "err_no_customer"),
    (r"^permission '.*' is needed", "err_permission"), (r"^csrf:", "err_csrf"),
    (r"^invoices?: \S+ has no invoice", "err_not_their_invoice"), (r"covers invoices in one currency", "err_one_currency"),
    (r"^currency: \S+ owes in (?P<currencies>.+): say which", "err_which_currency"),
    (r"^reason_code: ", "err_reason_code"), (r"^outcome: outcome must be one of", "err_outcome"),
    (r"is more than what is still open", "err_more_than_open"),
    (r"has nothing open in|has no open invoices", "err_nothing_open"),
)


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
