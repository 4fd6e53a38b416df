"""Cursor pagination and optimistic concurrency for the API.

* Cursors are opaque to clients (base64url of the last row's sort key); a repository pages with "sort key greater
  than the cursor's" so pages stay stable while rows are added, unlike offsets.  A cursor only ever narrows a query
  already filtered by tenant, so a forged one can reveal nothing.
* `etag_of` hashes an entity's public state; an update sent with `If-Match` naming another state is refused with
  412 (someone changed it since the client read it), so two collectors cannot silently overwrite each other.
  An update without `If-Match` is applied (ERP pushes are authoritative); the read returned the ETag to use.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from fastapi import HTTPException
from pydantic import BaseModel

from cobro.kernel.errors import InvalidInputError

T = TypeVar("T")
DEFAULT_LIMIT, MAX_LIMIT = 50, 500


class Page(BaseModel, Generic[T]):
    """One page of a listing; `next_cursor` is None on the last page."""

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(key: Sequence[str | int]) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[str | int] | None:
    """The sort key a cursor carries; a malformed cursor is a client error naming the parameter."""
    if not cursor:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInputError("cursor: not a cursor this API issued") from exc
    if not isinstance(data, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in data):
        raise InvalidInputError("cursor: not a cursor this API issued")
    return data


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInputError(f"limit: must be between 1 and {MAX_LIMIT}")
    return limit


def page_of(rows: list[T], limit: int, key_of: Any) -> Page[T]:
    """A page from `limit + 1` fetched rows: the extra row only says that there is a next page."""
    more = len(rows) > limit
    shown = rows[:limit]
    return Page[T](items=shown, next_cursor=encode_cursor(key_of(shown[-1])) if more and shown else None)


def etag_of(state: BaseModel | dict[str, Any]) -> str:
    data = state.model_dump(mode="json") if isinstance(state, BaseModel) else state
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f'"{digest}"'


def check_if_match(if_match: str | None, current: str) -> None:
    """Refuse an update whose `If-Match` names another state than the current one (RFC 9110 §13.1.1)."""
    if if_match is None or if_match.strip() == "*":
        return
    offered = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if current not in offered:
        raise HTTPException(status_code=412, detail="If-Match: the resource changed since you read it; "
                                                    "read it again and retry with its new ETag")
