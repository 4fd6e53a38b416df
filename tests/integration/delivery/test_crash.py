"""Kill `cobro outbox deliver` mid-delivery (a real subprocess, hard exit), restart: every message arrives once.

The delivery runs in a subprocess started through `crash_launcher.py` (test-only), which wires the deliverer
exactly as `cobro outbox deliver` does and adds a crash hook: the process calls os._exit at the k-th successful
send, either right after the SMTP server accepted the message but before the row is committed as sent
(`after_send`, the worst case) or right after that commit.  Production code reads no test switch.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from cobro.delivery.records import OutboxMessageRow
from cobro.delivery.service.deliver import Deliverer, make_deliverer
from cobro.kernel.clock import Clock, FixedClock, SystemClock
from cobro.platform.container import Container
from cobro.platform.settings import Settings
from tests.integration.delivery.builders import add_messages, statuses
from tests.integration.delivery.crash_launcher import CRASH_EXIT
from tests.integration.delivery.servers import start_smtp

LAUNCHER = Path(__file__).with_name("crash_launcher.py")
LEASE = 60.0  # seconds; the restart below moves its clock past it instead of sleeping


def restart(container: Container, smtp_port: int, clock: Clock) -> Deliverer:
    settings = Settings(database_url=str(container.engine.url), smtp_url=f"smtp://127.0.0.1:{smtp_port}",
                        outbox_lease_seconds=LEASE)
    return make_deliverer(settings=settings, sessions=container.sessions, clock=clock)


def run_deliver(db_url: str, smtp_port: int, *, crash_after: int, point: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COBRO_DATABASE_URL": db_url, "COBRO_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
           "COBRO_OUTBOX_LEASE_SECONDS": str(LEASE), "COBRO_OUTBOX_BATCH_SIZE": "2"}
    return subprocess.run([sys.executable, str(LAUNCHER), str(crash_after), point], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.parametrize("point", ["after_commit", "after_send"])
def test_killed_mid_delivery_then_restarted(container: Container, db_url: str, point: str) -> None:
    n, crash_after = 7, 3
    ids = add_messages(container.sessions, n)
    controller, sink = start_smtp()
    try:
        crashed = run_deliver(db_url, controller.port, crash_after=crash_after, point=point)
        assert crashed.returncode == CRASH_EXIT, crashed.stderr
        assert len(sink.message_ids) == crash_after
        in_flight = [i for i, (s, _, _) in statuses(container.sessions).items() if s == "sending"]
        assert in_flight  # the crash left claimed rows behind

        # An immediate restart must not touch rows whose lease is still valid (their sender may be alive).
        early = restart(container, controller.port, SystemClock()).deliver()
        assert all(statuses(container.sessions)[i][0] == "sending" for i in in_flight)
        assert not set(early.sent) & set(in_flight)

        # Once the lease has expired, the orphans are picked up again.
        later = FixedClock(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=LEASE + 5))
        restart(container, controller.port, later).deliver()
    finally:
        controller.stop()

    assert {s for s, _, _ in statuses(container.sessions).values()} == {"sent"}
    received = Counter(sink.message_ids)
    with container.sessions() as session:
        stored = dict(session.execute(select(OutboxMessageRow.id, OutboxMessageRow.message_id)).all())
    # Every message arrived, under the Message-ID its row records, and no message under two ids.
    assert set(received) == set(stored.values()) and len(stored) == len(ids) == n
    duplicates = {mid: c for mid, c in received.items() if c > 1}
    if point == "after_commit":
        assert duplicates == {}
    else:
        # Killed between "accepted by SMTP" and "committed as sent": that one message is re-sent after the lease,
        # with the SAME Message-ID (at-least-once transport; a receiver that dedups by Message-ID sees it once).
        assert list(duplicates.values()) == [2]
