"""Whom a step can reach, and on which channel: the step's contact roles in order, then the policy's fallback
channels (`fallback: [whatsapp, sms, letter_pdf, call_task]`), skipping contacts whose address is missing, known
invalid (a hard bounce, a wrong number) or opted out of that channel.  Pure: contacts come in with what blocks
each of their channels, and the answer says why every passed-over choice was passed over, for the timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

# The channels a step may fall back to (`fallback:` in a policy or a step), and the address each one needs.
FALLBACK_CHANNELS = ("email", "whatsapp", "sms", "letter_pdf", "call_task")
ADDRESS = {"email": "email", "whatsapp": "phone", "sms": "phone", "call_task": "phone"}
_LABEL = {"email": "an e-mail address", "phone": "a phone number"}
SHORT_TEMPLATE = "whatsapp_reminder"  # what an SMS or WhatsApp fallback says (a letter's text is too long)
LONG_TEMPLATE = "reminder_1"  # what an e-mail or letter says when it stands in for a WhatsApp step


class Reachable(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def email(self) -> str: ...

    @property
    def phone(self) -> str: ...

    @property
    def blocked(self) -> tuple[tuple[str, str], ...]:
        """(channel, reason) for each channel this contact cannot be reached on: invalid address, opted out."""
        ...


C = TypeVar("C", bound=Reachable)


@dataclass(frozen=True, slots=True)
class Reach(Generic[C]):
    """The channel a step's action uses and whom it addresses (None: nobody reachable), plus why the step's own
    channel or earlier contacts were passed over (empty when the step went out as written)."""

    channel: str
    contact: C | None
    passed: tuple[str, ...] = ()

    def note(self, requested: str) -> str:
        """One line for the timeline: what was passed over and what was used instead ("" if nothing was)."""
        if not self.passed:
            return ""
        used = "nobody reachable" if self.contact is None and self.channel in ADDRESS else (
            f"{self.channel}" + (f" to {self.contact.name}" if self.contact is not None else ""))
        switched = f" instead of {requested}" if self.channel != requested else ""
        return f"{'; '.join(self.passed)} → {used}{switched}"


def why_not(contact: Reachable, channel: str) -> str:
    """Why `contact` cannot be reached on `channel` ("" if it can)."""
    need = ADDRESS.get(channel, "")
    if need and not getattr(contact, need):
        return f"no {need}"
    return dict(contact.blocked).get(channel, "")


def reach(channel: str, roles: Sequence[str], fallback: Sequence[str], contacts: Sequence[C]) -> Reach[C]:
    """Try `channel` on the contacts of each role in order, then each fallback channel the same way.  Channels
    that need no address (a letter, a meeting) reach the customer itself, named after its first contact."""
    chain = [channel, *(c for c in fallback if c != channel)]
    passed: list[str] = []
    for ch in chain:
        need = ADDRESS.get(ch)
        if need is None:
            return Reach(ch, _first(contacts, roles), tuple(passed))
        had_address = False
        for role in roles:
            for c in contacts:
                if c.role != role:
                    continue
                why = why_not(c, ch)
                if not why:
                    return Reach(ch, c, tuple(passed))
                if getattr(c, need):
                    had_address = True
                    passed.append(f"{ch} to {c.name}: {why}")
        if not had_address:
            passed.append(f"{ch}: no contact with {_LABEL[need]} among roles {', '.join(roles)}")
    return Reach(channel, None, tuple(passed))


def template_for(step_template: str, channel: str, requested: str) -> str:
    """The template of a message sent on a fallback channel: short text on SMS and WhatsApp, a full letter on
    e-mail or paper when the step was a WhatsApp one; the step's own template otherwise."""
    if channel == requested:
        return step_template
    if channel in ("sms", "whatsapp"):
        return SHORT_TEMPLATE
    if requested in ("call_task", "meeting_task"):  # a task step names no message template
        return LONG_TEMPLATE
    if step_template == SHORT_TEMPLATE:
        return LONG_TEMPLATE
    return step_template


def _first(contacts: Sequence[C], roles: Sequence[str]) -> C | None:
    for role in roles:
        for c in contacts:
            if c.role == role:
                return c
    return None
