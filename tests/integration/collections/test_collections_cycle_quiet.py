"""The cycle's SQL pre-aggregation skips pairs that cannot act today.  Day by day over three months, the run
with the shortcut (planning and writing in chunks) must plan exactly what the full planner (shortcut switched
off, dry run, one pass) plans, with the same counts, including episodes that close after a payment, a disputed
invoice and a second currency."""

from __future__ import annotations

import datetime as dt

import pytest
from collections_builder import Ledger
from sqlalchemy import select

from cobro.collections.domain.policy import MESSAGE_CHANNELS, TASK_CHANNELS
from cobro.collections.records import (
    CollectionActionRow,
    EscalationCaseRow,
    TaskRow,
    TimelineEventRow,
)
from cobro.collections.repository.cycle_writer import write_behind
from cobro.collections.service import cycle as cycle_service
from cobro.collections.service.cycle import run_cycle
from cobro.delivery.records import OutboxMessageRow
from cobro.platform.container import Container

D = dt.date
NOW = dt.datetime(2025, 12, 1, 6, 0, tzinfo=dt.UTC)


def _run(container: Container, as_of: dt.date, *, dry_run: bool) -> dict:
    with container.uow() as uow:
        result = run_cycle(uow, as_of=as_of, now=NOW, rates=container.rates, dry_run=dry_run)
        if dry_run:
            uow.rollback()
        else:
            uow.commit()
    return result.as_dict()


def test_the_shortcut_plans_what_the_full_planner_plans(container: Container,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    book = Ledger(container)
    book.policy()
    acme = book.customer("ACME")
    book.invoice(acme, "F-1", D(2025, 10, 1))
    book.invoice(acme, "F-2", D(2025, 11, 20), "500.00")
    book.invoice(acme, "F-3", D(2025, 10, 15), "80.00", currency="USD")
    later = book.customer("LATER")
    book.invoice(later, "F-4", D(2026, 1, 30))
    small = book.customer("SMALL")
    book.invoice(small, "F-5", D(2025, 9, 1), "200.00")
    paid = book.customer("PAID")
    book.invoice(paid, "F-6", D(2025, 10, 1))
    flagged = book.customer("FLAGGED")
    book.invoice(flagged, "F-7", D(2025, 10, 1), disputed=True)
    book.invoice(flagged, "F-8", D(2025, 10, 3))
    monkeypatch.setattr(cycle_service, "_CHUNK", 2)  # the real runs plan, write and draft in several chunks
    real = cycle_service.is_quiet
    skipped = 0

    def counting(*args: object) -> bool:
        nonlocal skipped
        quiet = real(*args)  # type: ignore[arg-type]
        skipped += quiet
        return quiet

    day = D(2025, 9, 26)
    while day <= D(2025, 12, 31):
        if day == D(2025, 10, 20):
            book.pay(paid, "F-6", "1000.00", day)
        for rerun in (False, True):  # the day's run, then a same-day re-run that must plan nothing
            monkeypatch.setattr(cycle_service, "is_quiet", lambda *_: False)
            full = _run(container, day, dry_run=True)
            monkeypatch.setattr(cycle_service, "is_quiet", counting)
            fast = _run(container, day, dry_run=False)
            assert fast["actions"] == full["actions"], day
            assert fast["counts"] == full["counts"], day
            assert not rerun or fast["actions"] == [], day
        day += dt.timedelta(days=3)
    assert skipped > 50  # the shortcut was taken, not just tolerated
    with container.uow() as uow:  # every action, whichever chunk it was in, wrote its effects with its id
        s = uow.session
        actions = {a.id: a.channel for a in s.scalars(select(CollectionActionRow))}
        assert len(actions) > 10
        refs = [e.ref for e in s.scalars(select(TimelineEventRow).where(TimelineEventRow.kind.like("dunning.%")))]
        assert sorted(refs) == sorted(f"action:{i}" for i in actions)
        assert sorted(s.scalars(select(OutboxMessageRow.action_id))) == sorted(
            i for i, ch in actions.items() if ch in MESSAGE_CHANNELS)
        assert sorted(s.scalars(select(TaskRow.action_id))) == sorted(
            i for i, ch in actions.items() if ch in TASK_CHANNELS)
        assert sorted(s.scalars(select(EscalationCaseRow.action_id))) == sorted(
            i for i, ch in actions.items() if ch == "escalation")


def test_a_failed_write_behind_the_planner_fails_the_run(container: Container) -> None:
    """On PostgreSQL the cycle's writes run in a worker; a failure nobody waited for must still surface."""
    ran: list[str] = []

    def boom() -> None:
        raise RuntimeError("write failed")

    with container.uow() as uow:
        with pytest.raises(RuntimeError, match="write failed"), write_behind(uow.session) as behind:
            behind.submit(boom)
            behind.submit(ran.append, "later")  # a later write still runs in order (or never, inline)
        uow.rollback()
    assert ran in ([], ["later"])
