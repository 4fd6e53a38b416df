"""The prefetching wrapper yields the same items in order, re-raises the producer's error, and lets an abandoned
producer clean up."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from cobro.ledger.imports.prefetch import prefetched


def test_same_items_in_order() -> None:
    assert list(prefetched(iter(range(50)), depth=2)) == list(range(50))
    assert list(prefetched(iter([]))) == []


def test_producer_runs_in_another_thread_and_ahead() -> None:
    seen: list[str] = []

    def produce() -> Iterator[int]:
        for i in range(3):
            seen.append(threading.current_thread().name)
            yield i

    out = prefetched(produce())
    assert next(out) == 0
    assert list(out) == [1, 2]
    assert set(seen) == {"cobro-prefetch"}


def test_producer_error_reaches_the_consumer_after_the_good_items() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise ValueError("row 7: bad amount")

    got: list[int] = []
    with pytest.raises(ValueError, match="row 7"):
        for item in prefetched(produce()):
            got.append(item)
    assert got == [1]


def test_consumer_that_stops_early_closes_the_producer() -> None:
    closed = threading.Event()

    def produce() -> Iterator[int]:
        try:
            yield from range(1000)
        finally:
            closed.set()

    for item in prefetched(produce()):
        if item == 2:
            break
    assert closed.wait(5)
