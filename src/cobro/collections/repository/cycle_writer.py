"""Write-behind for the cycle: bulk writes run on the run's own connection in a worker thread while Python keeps
planning and drafting (PostgreSQL), or inline (SQLite, whose connection belongs to the calling thread)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


class _Inline:
    """`write_behind` on SQLite: run each write at once (its connection belongs to the calling thread)."""

    def submit(self, fn: Callable[..., T], /, *args: Any) -> Future[T]:
        done: Future[T] = Future()
        done.set_result(fn(*args))
        return done


class _Worker:
    """`write_behind` on PostgreSQL: one thread runs the writes in order; every future is checked at the end, so
    a failed write nobody waited for still fails the run."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool
        self.futures: list[Future[Any]] = []

    def submit(self, fn: Callable[..., T], /, *args: Any) -> Future[T]:
        future = self.pool.submit(fn, *args)
        self.futures.append(future)
        return future


@contextmanager
def write_behind(session: Session) -> Iterator[_Worker | _Inline]:
    """Run bulk writes on the session's connection in one worker thread, in order, while the caller keeps
    computing: on PostgreSQL the server inserts while Python drafts the next rows (the driver waits without the
    GIL).  The caller must not use the session inside the block; leaving it waits for every write and raises
    the first failure."""
    if session.get_bind().dialect.name != "postgresql":
        yield _Inline()
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cycle-writes") as pool:
        worker = _Worker(pool)
        yield worker
    for future in worker.futures:
        future.result()
