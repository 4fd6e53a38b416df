"""The outbox contract: what a queued message carries, typed, and its stored form.

Writers (the collections cycle in bulk, the terms letter one at a time) build `OutboxMessage`s and hand them to
`cobro.delivery.service.outbox`, the only code that inserts outbox rows.  The deliverer reads a row back into the
same type (`read_context`, the one parser), so compose and the templates see one shape whoever wrote the row.

The envelope (channel, recipient, template, ...) are columns of `outbox_messages`; `MessageContext` is the
`context_json` column.  Its JSON keeps the shape rows always had (amounts as plain decimal strings, dates ISO,
`total` as {amount, currency}), so rows queued before these types existed still read back.  Serialising and
parsing go through pydantic's compiled (de)serialiser for these dataclasses: the cycle writes tens of thousands
of messages per run, and that is faster than building dicts for `json.dumps`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, TypeAdapter, ValidationError

from cobro.kernel.money import D, Money


class OutboxStatus(StrEnum):
    """Where an outbox row is in its life (the `status` column)."""

    PENDING = "pending"  # queued; due now, or at `next_attempt_at` after a channel was down
    SENDING = "sending"  # claimed by a worker, leased until `next_attempt_at`
    SENT = "sent"
    FAILED = "failed"  # a transient failure; tried again at `next_attempt_at`
    DEAD = "dead"  # permanent failure, render error or attempts exhausted; `cobro outbox retry` revives it
    SKIPPED = "skipped"  # not sendable as written (no address) or the recipient opted out
    CANCELLED = "cancelled"  # its items were paid, credited or paused before it left (`last_error` says which)


# Rows a worker may claim, and rows an operator may put back in the queue.
CLAIMABLE = (OutboxStatus.PENDING, OutboxStatus.FAILED)
REVIVABLE = (OutboxStatus.DEAD, OutboxStatus.FAILED, OutboxStatus.SKIPPED)


class MessageFormatError(ValueError):
    """A stored context that cannot be read as a `MessageContext` (the deliverer dead-letters that row)."""


def _exact(value: object) -> object:
    """Amounts are decimal strings; a float has already lost cents, so it is refused, never rounded."""
    if isinstance(value, bool | float):
        raise ValueError(f"amount must be a decimal string, got {type(value).__name__} {value!r}")
    return value


def _money(value: object) -> object:
    if isinstance(value, dict) and "amount" in value and "currency" in value:
        return Money(D(_exact(value["amount"])), str(value["currency"]))  # type: ignore[arg-type]
    return value


def _lines(value: object) -> object:
    """Addresses are lists of lines; older rows wrote an empty string for "no address"."""
    return () if value in ("", None) else value


Amount = Annotated[Decimal, BeforeValidator(_exact)]
MoneyValue = Annotated[Money, BeforeValidator(_money)]
Lines = Annotated[tuple[str, ...], BeforeValidator(_lines)]


@dataclass(frozen=True, slots=True)
class CustomerPart:
    code: str
    legal_name: str
    tax_id: str = ""
    address: Lines = ()
    country: str = ""  # ISO 3166 alpha-2: names the tax id on documents (RUT, RFC, NIT, RUC, NIF/CIF)


@dataclass(frozen=True, slots=True)
class CreditorPart:
    """The tenant as the sender, from its profile (`cobro.tenancy`): `name` is the legal name, `address` the postal
    lines as printed.  Every field but the name defaults to empty, so rows queued before a field existed read back.
    `payment_reference` is what this message's payment should quote (the profile's format, filled in)."""

    name: str
    tax_id: str = ""
    address: Lines = ()
    iban: str = ""
    email: str = ""
    phone: str = ""
    trade_name: str = ""
    bic: str = ""
    payment_reference: str = ""
    payment_instructions: str = ""
    sender_name: str = ""
    reply_to: str = ""
    website: str = ""
    signature: str = ""


@dataclass(frozen=True, slots=True)
class MessageItem:
    """One open item a message is about.  `open` is exact, on `currency`'s minor-unit grid (see `money`)."""

    invoice: str
    seq: int
    issue_date: dt.date
    due_date: dt.date
    days_past_due: int
    open: Amount
    currency: str

    @property
    def money(self) -> Money:
        return Money(self.open, self.currency)


@dataclass(frozen=True, slots=True)
class InterestPart:
    """Statutory interest a message may state: the yearly rate (percent) and, for dunning, what has accrued."""

    amount: Amount | None = None
    currency: str | None = None
    rate: Amount | None = None


@dataclass(frozen=True, slots=True)
class TermsPart:
    """The payment terms a terms letter states."""

    description: str
    days: int | None = None
    credit_limit: MoneyValue | None = None


@dataclass(frozen=True, slots=True)
class MessageContext:
    """Everything a template may say about the customer's account (the `context_json` column)."""

    customer: CustomerPart
    creditor: CreditorPart
    as_of: dt.date
    items: tuple[MessageItem, ...] = ()
    total: MoneyValue | None = None
    step: str = ""  # the policy step that queued it; empty for letters sent on request
    step_channel: Annotated[str, Field(alias="channel")] = ""  # the step's channel (letter_pdf, email, ...)
    state_interest: bool = False
    state_compensation: bool = False
    compensation: MoneyValue | None = None  # fixed recovery costs per overdue invoice, when stated
    interest: InterestPart | None = None
    interest_reference: str = ""
    terms: TermsPart | None = None
    # the days earlier notices of this debt were actually delivered (sent, or imported from another system):
    # a template may speak of "our earlier notices" only when there are some
    earlier_notices: tuple[dt.date, ...] = ()
    # lines of an internal notice to a user of the tenant (the alert digest), one per alert
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message to queue.  `skip_reason` non-empty: the writer could not address it (no contact with the
    channel's address); it is stored as skipped, with the reason, so the gap is visible in `cobro outbox list`."""

    channel: str  # email | whatsapp | sms | letter
    template: str
    idempotency_key: str  # unique per tenant: queuing the same key twice keeps the first message
    context: MessageContext
    recipient: str = ""  # address or phone; empty for letters
    recipient_name: str = ""
    language: str = "es"
    tone: str = ""
    skip_reason: str = ""

    @property
    def status(self) -> OutboxStatus:
        return OutboxStatus.SKIPPED if self.skip_reason else OutboxStatus.PENDING


_CONTEXT = TypeAdapter(MessageContext)


def context_json(context: MessageContext) -> str:
    return _CONTEXT.dump_json(context, by_alias=True, exclude_none=True).decode()


def read_context(raw: str) -> MessageContext:
    """The one parser of `context_json`: missing parts, floats and malformed dates are `MessageFormatError`s."""
    try:
        return _CONTEXT.validate_json(raw or "{}")
    except ValidationError as exc:
        raise MessageFormatError("; ".join(_describe(e) for e in exc.errors())) from None


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error.get("loc", ())) or "context"
    return f"{where}: {error.get('msg', 'invalid')}"


@dataclass(frozen=True, slots=True)
class InvalidPoint:
    """An e-mail address or phone number known not to work (`source`: bounce, wrong_number, manual)."""

    kind: str  # email | phone
    address: str
    source: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "address": self.address, "source": self.source, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """What queuing one message produced: the row's id and state (the first message's, if the key existed)."""

    id: int
    channel: str
    recipient: str
    status: OutboxStatus
    created: bool


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One outbox row as `cobro outbox list` shows it."""

    id: int
    channel: str
    recipient: str
    template: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: dt.datetime | None
    message_id: str
    sent_at: dt.datetime | None
    last_error: str
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class OutboxListing:
    messages: tuple[OutboxEntry, ...]
    counts: dict[str, int]  # rows per status, over the whole tenant (not only the listed ones)
