"""Turn an outbox row's data into an `OutboundMessage`: render the template, add PDFs, pick template params.

Letters (`final_notice`, `terms_letter`, and anything sent on the `letter` channel) get the rendered text as a
printable PDF; `statement_of_account` gets the statement PDF with the open items.  Any failure here is a
`RenderError`: the deliverer dead-letters that message only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cobro.delivery.channels.base import Attachment, OutboundMessage
from cobro.delivery.channels.pdf import letter_pdf, statement_pdf
from cobro.delivery.channels.render import Formatter, Renderer, RenderError

LETTER_TEMPLATES = frozenset({"final_notice", "terms_letter"})


def _whatsapp_params(context: dict[str, Any], recipient_name: str, locale: str) -> tuple[str, ...]:
    """Body parameters for an approved WhatsApp template: {{1}} name, {{2}} creditor, {{3}} total, {{4}} count."""
    fmt = Formatter(locale)
    items = context.get("items") or []
    total = fmt.money(context["total"]) if context.get("total") else ""
    return (recipient_name or context["customer"]["legal_name"], context["creditor"]["name"], total,
            str(len(items)))


def compose(*, renderer: Renderer, channel: str, recipient: str, recipient_name: str, language: str,
            template: str, context: dict[str, Any], message_id: str, idempotency_key: str,
            created: dt.datetime) -> OutboundMessage:
    ctx = {**context, "recipient_name": recipient_name or context.get("recipient_name", "")}
    rendered = renderer.render(template, language, ctx)
    attachments: list[Attachment] = []
    try:
        customer, creditor = ctx["customer"], ctx["creditor"]
        date = ctx.get("as_of") or created.date()
        if channel == "letter" or template in LETTER_TEMPLATES:
            recipient_block = {"name": customer["legal_name"], "tax_id": customer.get("tax_id", ""),
                               "address": customer.get("address", [])}
            doc = letter_pdf(creditor=creditor, recipient=recipient_block, title=rendered.subject,
                             body=rendered.text, date=date, language=rendered.locale, created=created)
            attachments.append(Attachment(f"{template}.pdf", doc.content))
        if template == "statement_of_account":
            doc = statement_pdf(creditor=creditor, customer=customer, items=ctx["items"], total=ctx["total"],
                                as_of=date, language=rendered.locale, created=created)
            attachments.append(Attachment("statement-of-account.pdf", doc.content))
        params = _whatsapp_params(ctx, recipient_name, rendered.locale) if channel == "whatsapp" else ()
    except RenderError:
        raise
    except Exception as exc:  # fpdf2 and bad context shapes raise many types; all mean "cannot build this one"
        raise RenderError(f"{template}: cannot build attachment: {type(exc).__name__}: {exc}") from exc
    return OutboundMessage(
        channel=channel, recipient=recipient, recipient_name=recipient_name, subject=rendered.subject,
        text=rendered.text, html=rendered.html, language=rendered.locale, template=template,
        message_id=message_id, idempotency_key=idempotency_key, attachments=tuple(attachments), params=params,
        context=ctx)
