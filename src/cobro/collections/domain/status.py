"""The statuses, kinds and codes of the collections records, as `StrEnum`s.

Each member's value is the text stored in its column and printed by the CLI and the JSON, so a member compares
equal to (and formats as) that text.  The tuples keep the order the error messages list them in.
"""

from __future__ import annotations

from enum import StrEnum


class ExceptionKind(StrEnum):
    LONGER_TERMS = "longer_terms"
    HIGHER_LIMIT = "higher_limit"
    SKIP_STEP = "skip_step"
    PAUSE = "pause"


class ExceptionStatus(StrEnum):
    """requested → approved | rejected (by a second user); requested or approved → expired after `expires_on`."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


class DisputeReason(StrEnum):
    QUALITY = "quality"
    QUANTITY = "quantity"
    PRICE = "price"
    NOT_RECEIVED = "not_received"
    DUPLICATE = "duplicate"
    ALREADY_PAID = "already_paid"
    TERMS = "terms"
    OTHER = "other"


class DisputeStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class PromiseStatus(StrEnum):
    """pending until the cycle finds it paid (kept) or lapsed unpaid after its grace days (broken)."""

    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"


class PlanStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class TaskKind(StrEnum):
    CALL = "call"
    MEETING = "meeting"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class TaskOutcome(StrEnum):
    """How a call or meeting ended: `promise` records a promise to pay, `dispute` opens a dispute."""

    REACHED = "reached"
    VOICEMAIL = "voicemail"
    WRONG_CONTACT = "wrong_contact"
    WRONG_NUMBER = "wrong_number"  # the phone is not the customer's: marked invalid (contactability)
    PROMISE = "promise"
    DISPUTE = "dispute"
    REFUSES = "refuses"
    ASKS_FOR_COPY = "asks_for_copy"
    PAID = "paid"  # closed by the cycle: every item of the task was paid or credited


class CaseStatus(StrEnum):
    """An escalation case: open → handed_off (to an agency or lawyer) → closed; open → closed; open or handed_off
    → settled when the cycle finds every item of the case paid or credited."""

    OPEN = "open"
    HANDED_OFF = "handed_off"
    CLOSED = "closed"
    SETTLED = "settled"


class AssignmentScope(StrEnum):
    """What a policy assignment covers: the tenant (default), a customer segment, or one customer."""

    DEFAULT = "default"
    SEGMENT = "segment"
    CUSTOMER = "customer"
