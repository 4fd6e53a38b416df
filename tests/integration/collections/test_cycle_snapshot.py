"""The cycle plans from one consistent snapshot (issue 14, break 1), on SQLite and PostgreSQL.

Whatever committed before the run started is in it; a payment committing while the run reads is not half in it:
on SQLite the run holds the write lock, so the payment cannot commit until it ends; on PostgreSQL the payment commits, and the run's
REPEATABLE READ snapshot still shows the ledger as it was when the run began.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from click.testing import Result
from collections_builder import Ledger
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.collections.records import CollectionActionRow, PromiseRow
from cobro.collections.repository.cycle import count_open, lock_for_run
from cobro.collections.service import promises
from cobro.collections.service.cycle import run_cycle
from cobro.platform.container import Container

D = dt.date


def test_a_payment_committed_during_the_run_is_not_seen_by_it(container: Container, db_url: str) -> None:
    book = Ledger(container)
    book.policy()
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 10, 1))
    book.invoice(c, "F-2", D(2025, 10, 1))
    book.pay(c, "F-2", "1000.00", D(2025, 10, 2))  # committed before the run: in its snapshot
    paid = threading.Event()
    refused: list[BaseException] = []

    def pay() -> None:
        try:
            book.pay(c, "F-1", "1000.00", D(2025, 10, 3))
            paid.set()
        except OperationalError as exc:  # SQLite: "database is locked" while the run writes
            refused.append(exc)

    payer = threading.Thread(target=pay)
    with container.uow() as uow:
        lock_for_run(uow.session, uow.tenant_code)  # what run_cycle does first
        tenant = uow.tenant.id
        assert count_open(uow.session, tenant) == 1
        payer.start()
        if db_url.startswith("sqlite"):
            assert not paid.wait(1.5)  # the run holds the write lock: the payment cannot commit meanwhile
        else:
            assert paid.wait(30)  # the payment commits meanwhile ...
            level = uow.session.execute(text("SHOW transaction_isolation")).scalar()
            assert level == "repeatable read"
        assert count_open(uow.session, tenant) == 1  # ... and this run still sees F-1 open
        uow.rollback()
    payer.join(30)
    if refused:  # SQLite refuses a writer that read first while another writes; once the run is over it goes in
        assert "locked" in str(refused[0])
        pay()
    assert paid.is_set()
    with container.uow() as uow:
        assert count_open(uow.session, uow.tenant.id) == 0


def test_the_run_plans_what_was_open_when_it_started(container: Container) -> None:
    book = Ledger(container)
    book.policy()
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 10, 1))
    book.invoice(c, "F-2", D(2025, 10, 1))
    book.pay(c, "F-2", "1000.00", D(2025, 10, 2))
    with container.uow() as uow:
        result = run_cycle(uow, as_of=D(2025, 10, 6), now=dt.datetime(2025, 10, 6, 6, tzinfo=dt.UTC),
                           rates=container.rates)
        uow.commit()
    assert [[i["invoice"] for i in a["items"]] for a in result.as_dict()["actions"]] == [["F-1"]]


def test_a_run_that_cannot_serialise_says_so_in_one_line(container: Container, cli_env: dict[str, str],
                                                         db_url: str) -> None:
    """A promise the run must mark broken is changed by someone else after the run's snapshot: on PostgreSQL the
    run fails to serialise, writes nothing and says to run it again (exit 2, no traceback); SQLite's run waits for
    the other writer and then goes through."""
    book = Ledger(container)
    book.policy()
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 9, 1), "250.00")
    with container.uow() as uow:
        promises.add_promise(uow, customer="ACME", amount="250.00", currency="EUR", due_on=D(2025, 9, 15),
                             today=D(2025, 9, 5), contact="Ana")
        uow.commit()
    outcome: list[Result] = []
    with container.uow() as other:  # holds the promise row (PostgreSQL) or the write lock (SQLite)
        other.session.execute(update(PromiseRow).values(contact="Ana García"))
        runner = threading.Thread(target=lambda: outcome.append(CliRunner().invoke(
            app, ["cycle", "run", "--as-of", "2025-09-22", "--json"])))
        runner.start()
        time.sleep(2)  # the run has taken its snapshot and waits for the row (or the lock)
        other.commit()
    runner.join(60)
    result = outcome[0]
    with container.uow() as uow:
        actions = uow.session.scalar(select(func.count()).select_from(CollectionActionRow))
        status = uow.session.scalar(select(PromiseRow.status))
    if db_url.startswith("sqlite"):
        assert result.exit_code == 0, result.output
        assert status == "broken" and actions == 1
        return
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "run the cycle again" in result.output
    assert status == "pending" and actions == 0
