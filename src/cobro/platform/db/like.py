"""LIKE patterns from user text: `%` and `_` in a search box are characters to find, not wildcards.

Without escaping, `search=%` matched every customer and `_` any one character.  `contains(text)` escapes the
pattern characters and the escape character itself; pass `escape=ESCAPE` to `like`/`ilike` so SQLite and
PostgreSQL read it the same way (SQLite has no default escape character; PostgreSQL's is the backslash).
"""

from __future__ import annotations

ESCAPE = "\\"


def escape_like(text: str) -> str:
    """`text` with LIKE's pattern characters taken literally (under `ESCAPE`)."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def contains(text: str) -> str:
    """A LIKE pattern matching any value that contains `text` literally."""
    return f"%{escape_like(text)}%"
