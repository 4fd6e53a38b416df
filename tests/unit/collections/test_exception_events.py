"""Policy exceptions emit their webhook events and audit entries in the caller's transaction: requested,
approved, rejected; a refused decision emits nothing (FakeUnitOfWork: the events and entries it was handed)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cobro.audit.repository import AUDIT
from cobro.collections.repository.policies import POLICIES
from cobro.collections.repository.work import WORK
from cobro.collections.service import exceptions
from cobro.kernel.errors import ConflictError
from cobro.webhooks.repository import WEBHOOKS
from tests.fakes import (
    FakeUnitOfWork,
    InMemoryAudit,
    InMemoryPoliciesRepository,
    InMemoryWebhooks,
    InMemoryWorkRepository,
)

TODAY = dt.date(2025, 10, 1)
NOW = dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC)


def _uow() -> tuple[FakeUnitOfWork, InMemoryWebhooks]:
    repo = InMemoryWorkRepository()
    repo.add_customer("ACME")
    hooks = InMemoryWebhooks()
    return FakeUnitOfWork({WORK: repo, POLICIES: InMemoryPoliciesRepository(), WEBHOOKS: hooks}), hooks


@pytest.mark.parametrize(("approve", "event"), [(True, "exception.approved"), (False, "exception.rejected")])
def test_request_and_decision_emit_their_events(approve: bool, event: str) -> None:
    uow, hooks = _uow()
    ex = exceptions.request(uow, customer="ACME", kind="pause", justification="CFO asked", user="maria",
                            expires_on=dt.date(2025, 10, 20), today=TODAY)
    exceptions.decide(uow, ex.id, user="jorge", approve=approve, today=TODAY, now=NOW, note="checked")
    assert [(t, e) for t, e, _ in hooks.events] == [("exception.requested", f"exception:{ex.id}"),
                                                   (event, f"exception:{ex.id}")]
    requested, decided = (json.loads(p) for _, _, p in hooks.events)
    assert (requested["status"], requested["requested_by"]) == ("requested", "maria")
    assert (decided["status"], decided["approved_by"], decided["note"]) == (event.split(".")[1], "jorge", "checked")
    audit = uow.repo(AUDIT)
    assert isinstance(audit, InMemoryAudit)
    assert [(r["entity"], r["entity_id"], r["action"], r["actor_name"]) for r in audit.rows] == [
        ("exception", str(ex.id), "request", "maria"), ("exception", str(ex.id), event.split(".")[1], "jorge")]


def test_a_refused_decision_emits_nothing() -> None:
    uow, hooks = _uow()
    ex = exceptions.request(uow, customer="ACME", kind="pause", justification="CFO asked", user="maria",
                            expires_on=dt.date(2025, 10, 20), today=TODAY)
    with pytest.raises(ConflictError):
        exceptions.decide(uow, ex.id, user="Maria", approve=True, today=TODAY, now=NOW)
    assert [t for t, _, _ in hooks.events] == ["exception.requested"]
