"""What every collections route shares: who acts, today, cursor pages over a service's listing, ETag checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Header, Query, Response
from pydantic import BaseModel

from cobro.kernel.errors import InvalidInputError
from cobro.platform.container import Container
from cobro.platform.http.paging import (
    DEFAULT_LIMIT,
    Page,
    check_if_match,
    check_limit,
    decode_cursor,
    encode_cursor,
    etag_of,
)
from cobro.platform.uow import UnitOfWork

S = TypeVar("S")
M = TypeVar("M", bound=BaseModel)
SortKey = tuple[str | int, ...]

Limit = Annotated[int, Query(ge=1, le=500, description="page size (1..500)")]
Cursor = Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page")]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=512,
                                       description="the ETag read last; a stale one answers 412")]
DEFAULT = DEFAULT_LIMIT
# documented on the transitions that honour If-Match
STALE: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match names a state the resource no longer has: read it again"}}


def acting(uow: UnitOfWork) -> str:
    """The authenticated user's or key's name: services record it as who acted (never a name from the body)."""
    return uow.actor.name if uow.actor is not None else ""


def today(container: Container) -> dt.date:
    return container.clock.today()


def cursor_key(cursor: str | None, kinds: tuple[type, ...]) -> SortKey | None:
    """The sort key a cursor carries, checked against the listing's key shape (a cursor of another listing is
    refused as a client error instead of being compared with keys of another type)."""
    key = decode_cursor(cursor)
    if key is None:
        return None
    if len(key) != len(kinds) or not all(isinstance(v, k) for v, k in zip(key, kinds, strict=True)):
        raise InvalidInputError("cursor: not a cursor of this listing")
    return tuple(key)


def page_over(items: Sequence[S], *, key: Callable[[S], SortKey], kinds: tuple[type, ...], cursor: str | None,
              limit: int, shape: Callable[[S], M]) -> Page[M]:
    """A page of a service's listing ordered by `key`: the items after the cursor's key, at most `limit`."""
    check_limit(limit)
    after = cursor_key(cursor, kinds)
    ordered = sorted(items, key=key)
    following = [i for i in ordered if after is None or key(i) > after][:limit + 1]
    more = len(following) > limit
    shown = following[:limit]

    return Page[M](items=[shape(i) for i in shown],
                   next_cursor=encode_cursor(key(shown[-1])) if more and shown else None)


def page_by_id(rows: list[S], *, limit: int, id_of: Callable[[S], int], shape: Callable[[S], M]) -> Page[M]:
    """A page from a repository that fetched `limit + 1` rows after the cursor's id."""
    more = len(rows) > limit
    shown = rows[:limit]

    return Page[M](items=[shape(r) for r in shown],
                   next_cursor=encode_cursor([id_of(shown[-1])]) if more and shown else None)


def after_id(cursor: str | None) -> int:
    key = cursor_key(cursor, (int,))
    return int(key[0]) if key else 0


def with_etag(response: Response, body: M) -> M:
    response.headers["ETag"] = etag_of(body)
    return body


def created(response: Response, location: str, body: M) -> M:
    response.headers["Location"] = location
    response.headers["ETag"] = etag_of(body)
    return body


def require_fresh(if_match: str | None, current: BaseModel) -> None:
    """Refuse (412) a transition sent with an `If-Match` that names another state than the current one."""
    check_if_match(if_match, etag_of(current))
