"""What the comments service hands back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    customer: str
    invoice: str  # the invoice number, empty for a comment on the customer
    author: str
    text: str
    mentions: tuple[str, ...]  # the mentioned users' e-mail addresses
    day: dt.date

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "customer": self.customer, "invoice": self.invoice or None, "author": self.author,
                "text": self.text, "mentions": list(self.mentions), "date": self.day.isoformat()}


@dataclass(frozen=True, slots=True)
class NewComment:
    """A comment just written and the notifications it queued (one e-mail per mentioned user)."""

    comment: Comment
    notified: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {**self.comment.as_json(), "notified": list(self.notified)}
