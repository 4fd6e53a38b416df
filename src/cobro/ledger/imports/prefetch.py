"""Run a batch producer one step ahead in a thread, so parsing the next batch overlaps writing this one.

polars parses and validates with the GIL released, and the database drivers release it while the server or the
SQLite engine works, so on two cores the two halves of an import run side by side.  The consumer sees the same
items in the same order, and the producer's exceptions are raised in the consumer.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar, cast

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetched(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Yield `items`, produced up to `depth` items ahead in a background thread."""
    ready: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        """Hand `item` to the consumer; False once the consumer has gone."""
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(item):
                    _close(items)
                    return
            outcome: object = _DONE
        except BaseException as exc:  # handed to the consumer, which re-raises it
            outcome = _Failed(exc)
        offer(outcome)

    worker = threading.Thread(target=produce, name="cobro-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield cast(T, item)
    finally:
        stop.set()  # a consumer that stops early releases the producer
        worker.join()


def _close(items: Iterator[object]) -> None:
    """Let an abandoned generator run its cleanup (temporary files) in the thread that ran it."""
    close = getattr(items, "close", None)
    if close is not None:
        close()
