"""Who collections' letters and messages are from: the tenant's profile (`cobro.tenancy`) as the outbox's
`CreditorPart`, and what each kind of message needs of that profile.

Needs, by kind (a credit manager's reading of what each document must carry):

* every message names the creditor: its legal name;
* a message that asks for payment (every dunning template but the statement of account) says how to pay: an IBAN
  or payment-instructions text;
* a printed letter (the letter channel, the final notice, the terms letter) carries the creditor's legal identity
  as its letterhead: tax id and postal address too.

The cycle does not stop for a missing field: the message is queued as skipped with the reason (naming the field
and the `cobro tenant update` command), so `cobro outbox list` shows it and the rest of the run goes on.  Documents
made on request (the terms letter, the evidence pack) refuse with that message instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from cobro.delivery.schemas import CreditorPart
from cobro.delivery.service.documents import is_letter
from cobro.tenancy.domain import LETTER_FIELDS, MESSAGE_FIELDS, PAYMENT, PAYMENT_FIELDS, payment_reference
from cobro.tenancy.schemas import TenantProfile
from cobro.tenancy.service import missing_reason

# templates that only inform (no demand for payment)
INFORMATIVE_TEMPLATES = frozenset({"statement_of_account"})


def needs(channel: str, template: str) -> tuple[str, ...]:
    """The profile fields a message on `channel` with `template` needs."""
    if is_letter(channel, template):
        return (*LETTER_FIELDS, PAYMENT)
    return MESSAGE_FIELDS if template in INFORMATIVE_TEMPLATES else PAYMENT_FIELDS


def creditor_part(letterhead: TenantProfile) -> CreditorPart:
    """The profile as the sender of a message (the payment reference is filled per message: `Creditor.part`)."""
    p = letterhead.profile
    return CreditorPart(name=p.legal_name, tax_id=p.tax_id, address=letterhead.postal_lines(), iban=p.iban,
                        email=p.sender_email, phone=p.phone, trade_name=p.trade_name, bic=p.bic,
                        payment_instructions=p.payment_instructions, sender_name=letterhead.sender_name,
                        reply_to=p.reply_to, website=p.website, signature=p.signature)


@dataclass(frozen=True, slots=True)
class Creditor:
    """The acting tenant as the sender of a run's messages: built once per run, asked once per message."""

    letterhead: TenantProfile
    base: CreditorPart

    @classmethod
    def of(cls, letterhead: TenantProfile) -> Creditor:
        return cls(letterhead, creditor_part(letterhead))

    def part(self, *, customer: str, invoices: Sequence[str]) -> CreditorPart:
        """The sender part of one message: the base plus the reference its payment should quote."""
        fmt = self.letterhead.profile.payment_reference
        if not fmt:
            return self.base
        unique = list(dict.fromkeys(invoices))
        return dataclasses.replace(self.base, payment_reference=payment_reference(fmt, customer=customer,
                                                                                  invoices=unique))

    @property
    def language(self) -> str:
        """The language of a message whose contact and customer have none: the profile's, else Spanish."""
        return self.letterhead.profile.language or "es"

    def unsendable(self, channel: str, template: str) -> str:
        """Why this message cannot be sent from this profile ("" when it can)."""
        return missing_reason(self.letterhead, needs(channel, template), f"a {template} message by {channel}")
