"""The terms letter is queued once per customer, terms and day, renders in Spanish, and lands on the timeline."""

from __future__ import annotations

import datetime as dt
import json

from collections_builder import Ledger  # type: ignore[import-not-found]
from sqlalchemy import select

from cobro.collections.records import OutboxMessageRow, TimelineEventRow
from cobro.collections.service.terms import send_terms_letter
from cobro.delivery.channels.render import Renderer
from cobro.platform.container import Container


def test_terms_letter_is_queued_once_and_renders(container: Container) -> None:
    ledger = Ledger(container)
    cid = ledger.customer("T1")
    day = dt.date(2025, 3, 3)
    with container.uow() as uow:
        first = send_terms_letter(uow.session, "default", "T1", today=day, rates=container.rates)
        again = send_terms_letter(uow.session, "default", "T1", today=day, rates=container.rates)
        uow.commit()
        assert first.id == again.id
        rows = list(uow.session.scalars(select(OutboxMessageRow).where(OutboxMessageRow.template == "terms_letter")))
        events = list(uow.session.scalars(select(TimelineEventRow).where(TimelineEventRow.customer_id == cid)))
    assert len(rows) == 1
    row = rows[0]
    assert (row.channel, row.recipient, row.status) == ("email", "ana@example.com", "pending")
    context = json.loads(row.context_json)
    assert context["terms"] == {"description": "net 30", "days": 30}
    assert context["interest"] == {"rate": "11.15"}  # Ley 3/2004 rate for 2025 H1 in the shipped table
    rendered = Renderer().render("terms_letter", "es", context)
    assert "30 días" in rendered.text
    assert "11,15" in rendered.text
    assert "40,00" in rendered.text
    assert [e.kind for e in events] == ["terms.sent"]
