"""Cursors round-trip and refuse what the API did not issue; pages know when there is more; If-Match refuses a
stale state and accepts the current one (or none)."""

from __future__ import annotations

import pytest
from fastapi import HTTPException
from hypothesis import given
from hypothesis import strategies as st

from cobro.kernel.errors import InvalidInputError
from cobro.platform.http.paging import (
    check_if_match,
    check_limit,
    decode_cursor,
    encode_cursor,
    etag_of,
    page_of,
)

keys = st.lists(st.one_of(st.text(max_size=20), st.integers(min_value=-(2**63), max_value=2**63 - 1)), max_size=4)


@given(keys)
def test_cursors_round_trip(key: list[str | int]) -> None:
    assert decode_cursor(encode_cursor(key)) == key


@pytest.mark.parametrize("bad", ["%%%", "bm90IGpzb24", encode_cursor([]).replace("W10", "e30"), "WzEuNV0", "W3RydWVd"])
def test_foreign_cursors_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInputError, match="cursor"):
        decode_cursor(bad)


def test_pages_say_whether_there_is_more() -> None:
    rows = [{"id": i} for i in range(1, 5)]
    page = page_of(rows, 3, lambda r: [r["id"]])
    assert [r["id"] for r in page.items] == [1, 2, 3]
    assert page.next_cursor is not None and decode_cursor(page.next_cursor) == [3]
    last = page_of(rows[:3], 3, lambda r: [r["id"]])
    assert last.next_cursor is None and len(last.items) == 3


@pytest.mark.parametrize("limit", [0, -1, 501])
def test_limits_are_bounded(limit: int) -> None:
    with pytest.raises(InvalidInputError, match="limit"):
        check_limit(limit)


def test_if_match_refuses_a_stale_state() -> None:
    before, after = etag_of({"name": "ACME", "limit": "1000"}), etag_of({"name": "ACME", "limit": "2000"})
    assert before != after and before == etag_of({"limit": "1000", "name": "ACME"})
    check_if_match(None, after)
    check_if_match("*", after)
    check_if_match(f"W/{after}, {before}", after)
    with pytest.raises(HTTPException) as refused:
        check_if_match(before, after)
    assert refused.value.status_code == 412
