"""Four eyes with an authenticated actor: the unit of work's actor decides who requested and who approves, so a
logged-in user cannot name someone else with `user=` to approve their own request."""

from __future__ import annotations

import datetime as dt

import pytest

from cobro.collections.repository.policies import POLICIES
from cobro.collections.repository.work import WORK
from cobro.collections.service import exceptions
from cobro.kernel.errors import ConflictError
from cobro.platform.actor import Actor, ActorKind
from tests.fakes import FakeUnitOfWork, InMemoryPoliciesRepository, InMemoryWorkRepository

TODAY = dt.date(2025, 10, 1)
NOW = dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC)
ANA = Actor(ActorKind.USER, "1", "ana@example.com", "credit_manager")


def test_the_authenticated_actor_wins_over_the_user_argument() -> None:
    repo = InMemoryWorkRepository()
    repo.add_customer("ACME")
    uow = FakeUnitOfWork({WORK: repo, POLICIES: InMemoryPoliciesRepository()})
    uow.actor = ANA
    ex = exceptions.request(uow, customer="ACME", kind="pause", justification="CFO asked", user="someone-else",
                            expires_on=dt.date(2025, 10, 20), today=TODAY)
    assert ex.requested_by == "ana@example.com"
    with pytest.raises(ConflictError, match="four eyes"):  # claiming to be "jorge" does not help
        exceptions.decide(uow, ex.id, user="jorge", approve=True, today=TODAY, now=NOW)
    uow.actor = Actor(ActorKind.USER, "2", "jorge@example.com", "credit_manager")
    decided = exceptions.decide(uow, ex.id, user="", approve=True, today=TODAY, now=NOW)
    assert decided.approved_by == "jorge@example.com"


def test_the_cli_actor_is_the_default_name_and_user_overrides_it() -> None:
    repo = InMemoryWorkRepository()
    repo.add_customer("ACME")
    uow = FakeUnitOfWork({WORK: repo, POLICIES: InMemoryPoliciesRepository()})
    uow.actor = Actor(ActorKind.CLI, "marta", "marta", "admin")
    ex = exceptions.request(uow, customer="ACME", kind="pause", justification="CFO asked", user="",
                            expires_on=dt.date(2025, 10, 20), today=TODAY)
    assert ex.requested_by == "marta"
    decided = exceptions.decide(uow, ex.id, user="luis", approve=True, today=TODAY, now=NOW)
    assert decided.approved_by == "luis"
