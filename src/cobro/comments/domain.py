"""Comments' pure rules: the text a comment may hold and the @mentions in it, resolved against the tenant's users.

A mention is ``@`` at the start of the text or after a space or punctuation (so an address written in the text,
``ana@example.com``, mentions nobody), followed by an e-mail address, a quoted display name (``@"Ana García"``) or
one word (``@ana``).  A word matches a user whose e-mail local part or first name it is (case-insensitive); it
must match exactly one user, else the comment is refused: a mention that reaches nobody, or the wrong person, is
worse than none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

MAX_TEXT = 4000  # characters: a comment is a note, not a document
MAX_MENTIONS = 20
_MENTION = re.compile(r'(?<![\w@.])@(?:"([^"\n]{1,120})"|([\w.+-]+@[\w-]+(?:\.[\w-]+)+)|([\w][\w.+-]{0,63}))')


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def clean_text(text: str) -> str:
    """The comment's text as stored: trimmed, line ends as ``\\n``; a ValueError starting with ``text:`` when it is
    empty, too long or holds control characters (other than line breaks and tabs)."""
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not cleaned:
        raise ValueError("text: a comment needs some text")
    if len(cleaned) > MAX_TEXT:
        raise ValueError(f"text: at most {MAX_TEXT} characters (got {len(cleaned)})")
    bad = next((c for c in cleaned if unicodedata.category(c) == "Cc" and c not in "\n\t"), None)
    if bad is not None:
        raise ValueError(f"text: control character U+{ord(bad):04X} is not allowed")
    return cleaned


def mention_tokens(text: str) -> tuple[str, ...]:
    """The mentions written in `text`, in order, each once (as written, without the ``@``)."""
    out: list[str] = []
    for match in _MENTION.finditer(text):
        token = next(g for g in match.groups() if g)
        token = token.rstrip(".")  # "@ana." ends a sentence
        if token and _fold(token) not in {_fold(t) for t in out}:
            out.append(token)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Person:
    email: str
    name: str


def _matches(token: str, person: Person) -> bool:
    t = _fold(token)
    email, name = _fold(person.email), _fold(person.name)
    first = name.split()[0] if name.split() else ""
    return t in {email, name} or ("@" not in t and t in {email.split("@", 1)[0], first} - {""})


def resolve_mentions(text: str, people: Sequence[Person]) -> tuple[Person, ...]:
    """The people `text` mentions; a ValueError starting with ``text:`` names a mention that matches nobody or
    several people, and too many mentions."""
    tokens = mention_tokens(text)
    if len(tokens) > MAX_MENTIONS:
        raise ValueError(f"text: at most {MAX_MENTIONS} mentions (got {len(tokens)})")
    found: list[Person] = []
    for token in tokens:
        exact = [p for p in people if _fold(token) in {_fold(p.email), _fold(p.name)}]
        hits = exact or [p for p in people if _matches(token, p)]
        if not hits:
            raise ValueError(f"text: @{token} matches no user of this tenant")
        if len(hits) > 1:
            raise ValueError(f"text: @{token} matches several users ({', '.join(p.email for p in hits)}); "
                             "write the e-mail address")
        if hits[0] not in found:
            found.append(hits[0])
    return tuple(found)
