"""The agency handoff on SQLite and PostgreSQL: the export (debtor, documents, interest to the handoff date, every
demand made, imported notices included), the evidence pack's demands, status updates one by one and from a CSV
(atomic, idempotent by reference, closing the case on the agency's final report), invoice copies."""

from __future__ import annotations

import datetime as dt

import pytest
from collections_builder import Ledger  # type: ignore[import-not-found]
from sqlalchemy import select, update

from cobro.audit import service as audit
from cobro.audit.schemas import AuditQuery
from cobro.collections.domain.agency import AgencyStatus
from cobro.collections.records import CollectionActionRow, EscalationCaseRow
from cobro.collections.service import agency, escalation
from cobro.collections.service.cycle import run_cycle
from cobro.collections.service.evidence import evidence_pack
from cobro.collections.service.invoice_copy import invoice_copies
from cobro.collections.service.tasks import timeline
from cobro.delivery.records import OutboxMessageRow
from cobro.kernel.errors import InvalidInputError, InvalidTransitionError
from cobro.platform.container import Container

HANDOFF = dt.date(2025, 3, 25)


def _case(container: Container) -> tuple[Ledger, int, int]:
    """A customer reminded on 21 January (delivered), escalated on 20 March, handed off on 25 March."""
    ledger = Ledger(container)
    ledger.policy()
    cid = ledger.customer("AG1")
    ledger.invoice(cid, "F-AG-1", dt.date(2025, 1, 15), "1200.00")
    for day in (dt.date(2025, 1, 21), dt.date(2025, 3, 20)):
        with container.uow() as uow:
            run_cycle(uow, as_of=day, now=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC), rates=container.rates)
            uow.session.execute(update(OutboxMessageRow).where(OutboxMessageRow.status == "pending").values(
                status="sent", message_id=f"<m-{day}@test>",
                sent_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)))
            uow.commit()
    with container.uow() as uow:
        case_id = uow.session.scalars(select(EscalationCaseRow.id).where(EscalationCaseRow.customer_id == cid)).one()
        escalation.hand_off(uow, case_id, to="Agencia Norte", today=HANDOFF, user="carla")
        uow.commit()
    return ledger, cid, case_id


def test_export_carries_documents_demands_and_interest_to_the_handoff(container: Container) -> None:
    _, cid, case_id = _case(container)
    with container.uow() as uow:
        # a notice sent by the system used before cobro, imported (no outbox message): still a demand
        uow.session.add(CollectionActionRow(
            tenant_id=uow.tenant.id, customer_id=cid, currency="EUR", step="old_letter", step_index=0,
            channel="letter_pdf", as_of=dt.date(2025, 1, 30), episode=1, items_json="[]", reason="imported",
            status="imported"))
        uow.commit()
    with container.uow() as uow:
        export = agency.agency_export(uow, case_id, as_of=dt.date(2025, 4, 30), rates=container.rates)
        pack = evidence_pack(uow, case_id, as_of=dt.date(2025, 4, 30), rates=container.rates, language="en")
    data = export.as_json()
    assert data["agency"] == "Agencia Norte" and data["handed_off_on"] == "2025-03-25"
    assert data["debtor"]["code"] == "AG1" and data["debtor"]["tax_id"] == "B12345678"
    assert [(d["invoice"], d["open"]) for d in data["documents"]] == [("F-AG-1", "1200.00")]
    channels = [(d["date"], d["channel"]) for d in data["demands"]]
    assert ("2025-01-21", "email") in channels and ("2025-01-30", "letter_pdf") in channels
    assert any(d["reference"] == "<m-2025-01-21@test>" for d in data["demands"])
    # interest runs to the handoff date, not to as_of: 69 days (16 Jan .. 25 Mar) at 11.15 % on 1,200.00
    (line,) = data["interest"]
    assert line["days_late"] == 69 and line["interest"] == "25.29" and line["compensation"] == "40.00"
    assert data["amounts"] == {"open": "1200.00", "interest": "25.29", "compensation": "40.00", "claim": "1265.29"}
    rows = export.csv_rows()
    assert rows[0][0] == "debtor" and rows[-1][:1] == ["total"] and rows[-1][7] == "1265.29"
    assert sum(1 for r in rows if r[0] == "demand") == len(data["demands"])
    text = pack.text_layer()
    assert "old_letter (imported)" in text and "<m-2025-01-21@test>" in text
    # the pack's interest is the export's: to the handoff date, and it says so
    assert "25.29" in text and "to the handoff, 2025-03-25" in text


def test_updates_close_the_case_on_the_agencys_final_report(container: Container) -> None:
    _, _, case_id = _case(container)
    with container.uow() as uow:
        with pytest.raises(InvalidInputError, match=r"^recovered:"):
            agency.record_update(uow, case_id, status=AgencyStatus.IN_PROGRESS, day=HANDOFF, today=HANDOFF,
                                 recovered="12,34,5", user="carla")
        with pytest.raises(InvalidInputError, match=r"^date:"):
            agency.record_update(uow, case_id, status=AgencyStatus.IN_PROGRESS, day=HANDOFF + dt.timedelta(1),
                                 today=HANDOFF)
        agency.record_update(uow, case_id, status=AgencyStatus.PARTIALLY_RECOVERED, day=HANDOFF, today=HANDOFF,
                             recovered="500.00", reference="ACN-1", note="first instalment", user="carla")
        assert escalation.get_case(uow, case_id).status == "handed_off"
        agency.record_update(uow, case_id, status=AgencyStatus.RECOVERED, day=HANDOFF, today=HANDOFF,
                             recovered="700", reference="ACN-2", user="carla")
        uow.commit()
    with container.uow() as uow:
        assert escalation.get_case(uow, case_id).status == "closed"
        found = agency.updates(uow, case_id)
        assert [(u.status, u.recovered_minor) for u in found] == [("partially_recovered", 50000), ("recovered", 70000)]
        kinds = [e.kind for e in timeline(uow, "AG1")]
        assert kinds.count("escalation.agency_update") == 2 and "escalation.closed" in kinds
        entries = audit.history(uow, AuditQuery(entity="escalation", entity_id=str(case_id)))
        assert [e.action for e in entries][-3:] == ["agency_update", "agency_update", "close"]
        with pytest.raises(InvalidTransitionError, match=r"^status:"):
            agency.record_update(uow, case_id, status=AgencyStatus.IN_PROGRESS, day=HANDOFF, today=HANDOFF)


def test_update_file_is_atomic_idempotent_and_names_each_bad_row(container: Container) -> None:
    _, _, case_id = _case(container)
    bad = (f"case,date,status,recovered,reference\n{case_id},2025-03-26,in_progress,,R1\n"
           f"{case_id},2025-03-27,won,,R2\n999,2025-03-27,received,,R3\n{case_id},27/03/2025,received,,R4\n"
           f"{case_id},2025-03-28,recovered,abc,R5\n")
    with container.uow() as uow:
        report = agency.import_updates(uow, name="agency.csv", text=bad, today=dt.date(2025, 4, 1))
        uow.rollback()
    assert not report.ok and report.recorded == 0
    assert [(p.row, p.column) for p in report.problems] == [(3, "status"), (4, "case"), (5, "date"), (6, "recovered")]
    assert all(p.file == "agency.csv" for p in report.problems)
    with container.uow() as uow:
        assert agency.updates(uow, case_id) == []
    good = (f"case;date;status;recovered;reference;note\n{case_id};2025-03-26;in_progress;;R1;calling\n"
            f"{case_id};2025-03-30;uncollectable;;R2;insolvent (concurso)\n")
    with container.uow() as uow:
        first = agency.import_updates(uow, name="agency.csv", text=good, today=dt.date(2025, 4, 1), user="carla")
        uow.commit()
    assert (first.ok, first.recorded, first.already, first.closed) == (True, 2, 0, (case_id,))
    with container.uow() as uow:
        again = agency.import_updates(uow, name="agency.csv", text=good, today=dt.date(2025, 4, 1))
        assert (again.ok, again.recorded, again.already) == (True, 0, 2)
        assert escalation.get_case(uow, case_id).status == "closed"
        assert [u.source for u in agency.updates(uow, case_id)] == ["import", "import"]
    with container.uow() as uow:
        report = agency.import_updates(uow, name="x.csv", text="case,status\n1,received\n", today=dt.date(2025, 4, 1))
    assert report.problems[0].column == "date" and report.problems[0].row == 1


def test_invoice_copies_are_pdfs_under_the_letterhead(container: Container) -> None:
    _, _, case_id = _case(container)
    with container.uow() as uow:
        copies = invoice_copies(uow, agency.agency_export(uow, case_id, as_of=dt.date(2025, 4, 30),
                                                          rates=container.rates))
    assert [c.filename for c in copies] == [f"case-{case_id}-F-AG-1.pdf"]
    assert copies[0].content.startswith(b"%PDF")


def test_an_unreadable_update_file_is_one_problem(container: Container) -> None:
    _, _, case_id = _case(container)
    with container.uow() as uow:
        nul = agency.import_updates(uow, name="nul.csv", text=f"case,date,status\n{case_id},2025-03-26,recei\x00ved\n",
                                    today=dt.date(2025, 4, 1))
        wide = agency.import_updates(uow, name="wide.csv",
                                     text=f'case,date,status,note\n{case_id},2025-03-26,received,"{"x" * 300_000}"\n',
                                     today=dt.date(2025, 4, 1))
    assert [(p.file, p.row, p.column) for p in nul.problems] == [("nul.csv", 2, "status")] and nul.recorded == 0
    assert [(p.file, p.column) for p in wide.problems] == [("wide.csv", "file")]
