"""Two cycle runs started at once (separate sessions, separate threads) plan each action once."""

from __future__ import annotations

import datetime as dt
import threading

from collections_builder import Ledger
from sqlalchemy import func, select

from cobro.collections.records import CollectionActionRow
from cobro.collections.service.cycle import run_cycle
from cobro.delivery.records import OutboxMessageRow
from cobro.platform.container import Container

NOW = dt.datetime(2025, 10, 6, 6, 0, tzinfo=dt.UTC)


def test_two_concurrent_runs_plan_each_action_once(container: Container) -> None:
    book = Ledger(container)
    book.policy()
    for n in range(30):
        c = book.customer(f"C{n:02d}")
        book.invoice(c, f"F-{n}", dt.date(2025, 10, 1))
    barrier = threading.Barrier(2)
    planned: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with container.uow() as uow:
                barrier.wait()
                result = run_cycle(uow, as_of=dt.date(2025, 10, 6), now=NOW,
                                   rates=container.rates)
                uow.commit()
                planned.append(result.counts.get("planned", 0))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert sorted(planned) == [0, 30]
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(CollectionActionRow)) == 30
        assert uow.session.scalar(select(func.count()).select_from(OutboxMessageRow)) == 30
