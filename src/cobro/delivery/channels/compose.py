"""Turn a typed outbox message into an `OutboundMessage`: render the template, add PDFs, pick template params.

Letters (`final_notice`, `terms_letter`, and anything sent on the `letter` channel) get the rendered text as a
printable PDF; `statement_of_account` gets the statement PDF with the open items.  Any failure here is a
`RenderError`: the deliverer dead-letters that message only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from cobro.delivery.channels.base import Attachment, OutboundMessage
from cobro.delivery.channels.pdf import letter_pdf, statement_pdf
from cobro.delivery.channels.render import Formatter, Renderer, RenderError
from cobro.delivery.schemas import OutboxMessage
from cobro.interest.domain.law import tax_id_label, wording

LETTER_TEMPLATES = frozenset({"final_notice", "terms_letter"})


def template_variables(message: OutboxMessage) -> dict[str, Any]:
    """What every template sees: the message's context parts as typed values, plus who it is for and the tone."""
    ctx = message.context
    return {"customer": ctx.customer, "creditor": ctx.creditor, "items": ctx.items, "total": ctx.total,
            "as_of": ctx.as_of, "step": ctx.step, "state_interest": ctx.state_interest,
            "state_compensation": ctx.state_compensation, "compensation": ctx.compensation,
            "interest": ctx.interest, "interest_reference": ctx.interest_reference, "terms": ctx.terms,
            "tone": message.tone, "recipient_name": message.recipient_name, "earlier_notices": ctx.earlier_notices,
            "notes": ctx.notes,
            # the law of the debt (`interest_reference`, set by whoever queued the message) and what the debtor's
            # tax id is called in its country: a Chilean debtor's letter cites Ley 19.983 and says RUT
            "law": {language: wording(ctx.interest_reference or "ES", language) for language in ("es", "en")},
            "tax_id_label": tax_id_label(ctx.customer.country)}


def _whatsapp_params(message: OutboxMessage, locale: str) -> tuple[str, ...]:
    """Body parameters for an approved WhatsApp template: {{1}} name, {{2}} creditor, {{3}} total, {{4}} count."""
    ctx = message.context
    total = Formatter(locale).money(ctx.total) if ctx.total is not None else ""
    return (message.recipient_name or ctx.customer.legal_name, ctx.creditor.trade_name or ctx.creditor.name, total,
            str(len(ctx.items)))


def compose(*, renderer: Renderer, message: OutboxMessage, message_id: str, created: dt.datetime,
            ) -> OutboundMessage:
    ctx = message.context
    rendered = renderer.render(message.template, message.language, template_variables(message))
    attachments: list[Attachment] = []
    try:
        # The PDF builders also draw evidence packs from plain mappings, so they get the parts as dicts.
        creditor = dataclasses.asdict(ctx.creditor)
        if message.channel == "letter" or message.template in LETTER_TEMPLATES:
            recipient_block = {"name": ctx.customer.legal_name, "tax_id": ctx.customer.tax_id,
                               "address": list(ctx.customer.address),
                               "tax_label": tax_id_label(ctx.customer.country)}
            doc = letter_pdf(creditor=creditor, recipient=recipient_block, title=rendered.subject,
                             body=rendered.text, date=ctx.as_of, language=rendered.locale, created=created)
            attachments.append(Attachment(f"{message.template}.pdf", doc.content))
        if message.template == "statement_of_account":
            if ctx.total is None:
                raise RenderError("statement_of_account: the message has no total")
            doc = statement_pdf(creditor=creditor, customer={**dataclasses.asdict(ctx.customer),
                                                             "tax_label": tax_id_label(ctx.customer.country)},
                                items=[dataclasses.asdict(it) for it in ctx.items],
                                total={"amount": ctx.total.amount, "currency": ctx.total.currency},
                                as_of=ctx.as_of, language=rendered.locale, created=created)
            attachments.append(Attachment("statement-of-account.pdf", doc.content))
        params = _whatsapp_params(message, rendered.locale) if message.channel == "whatsapp" else ()
    except RenderError:
        raise
    except Exception as exc:  # fpdf2 and odd values raise many types; all mean "cannot build this one"
        raise RenderError(f"{message.template}: cannot build attachment: {type(exc).__name__}: {exc}") from exc
    return OutboundMessage(
        channel=message.channel, recipient=message.recipient, recipient_name=message.recipient_name,
        subject=rendered.subject, text=rendered.text, html=rendered.html, language=rendered.locale,
        template=message.template, message_id=message_id, idempotency_key=message.idempotency_key,
        attachments=tuple(attachments), params=params, sender_name=ctx.creditor.sender_name,
        sender_email=ctx.creditor.email, reply_to=ctx.creditor.reply_to)
