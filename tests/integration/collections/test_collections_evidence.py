"""An escalation case's evidence pack lists the invoices, every demand delivered and the claimable interest."""

from __future__ import annotations

import datetime as dt

from collections_builder import Ledger  # type: ignore[import-not-found]
from sqlalchemy import select, update

from cobro.collections.records import EscalationCaseRow
from cobro.collections.service.cycle import run_cycle
from cobro.collections.service.evidence import evidence_pack
from cobro.delivery.records import OutboxMessageRow
from cobro.platform.container import Container


def test_evidence_pack_lists_demands_and_interest(container: Container) -> None:
    ledger = Ledger(container)
    ledger.policy()
    cid = ledger.customer("EV1")
    ledger.invoice(cid, "F-EV-1", dt.date(2025, 1, 15), "1200.00")
    for day in (dt.date(2025, 1, 21), dt.date(2025, 3, 20)):  # a reminder, then (after downtime) escalation
        with container.uow() as uow:
            run_cycle(uow, as_of=day, now=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC),
                      rates=container.rates)
            uow.session.execute(update(OutboxMessageRow).where(OutboxMessageRow.status == "pending").values(
                status="sent", message_id=f"<m-{day}@test>",
                sent_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)))
            uow.commit()
    with container.uow() as uow:
        case = uow.session.scalar(select(EscalationCaseRow).where(EscalationCaseRow.customer_id == cid))
        assert case is not None
        pack = evidence_pack(uow, case.id, as_of=dt.date(2025, 3, 31), rates=container.rates)
    text = pack.text_layer()
    assert pack.content.startswith(b"%PDF")
    assert "F-EV-1" in text
    assert "<m-2025-01-21@test>" in text  # the reminder, with its Message-ID as proof of the demand
    # Ley 3/2004: 75 days at 11.15 % on 1,200.00 = 27.49, plus EUR 40
    assert "27,49" in text
    assert "40,00" in text
