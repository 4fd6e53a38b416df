"""The risk services on a FakeUnitOfWork: scoring, alerts, classification, recommendations and the worklist,
with the evidence in memory (the SQL behind them runs in tests/integration/risk on both databases)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from cobro.forecasting.repository import PREDICTIONS
from cobro.kernel.errors import NotFoundError
from cobro.kernel.money import Money, exponent
from cobro.platform.rates import RateBook
from cobro.risk.repository import RISK, Collections, WorkItem
from cobro.risk.schemas import AlertKind, AlertStatus, CustomerScore, ScoreRun, WorkKind
from cobro.risk.service import scores as risk
from cobro.risk.service.worklist import worklist
from cobro.solvency.repository import SOLVENCY
from tests.fakes import (
    FakeUnitOfWork,
    InMemoryPredictionStore,
    InMemoryRiskRepository,
    InMemorySolvencyRepository,
    PredictionRow,
    customer,
    ledger_frame,
    statement,
)

AS_OF = dt.date(2026, 6, 30)
RATES = RateBook()


def _history(cid: int, code: str, delay: int, *, currency: str = "EUR", amount: str = "1000.00",
             n: int = 8) -> list[dict[str, object]]:
    """`n` invoices of the last year, each settled `delay` days after its due date."""
    rows: list[dict[str, object]] = []
    for k in range(n):
        issue = AS_OF - dt.timedelta(days=330 - 30 * k)
        due = issue + dt.timedelta(days=30)
        settled = due + dt.timedelta(days=delay)
        if settled < AS_OF - dt.timedelta(days=15):
            rows.append({"invoice": f"{code}-{k}", "customer": code, "customer_id": cid, "issue": issue, "due": due,
                         "amount": amount, "currency": currency, "settled": settled})
    return rows


def _overdue(cid: int, code: str, days: int, amount: str, currency: str = "EUR") -> dict[str, object]:
    due = AS_OF - dt.timedelta(days=days)
    return {"invoice": f"{code}-O{days}", "customer": code, "customer_id": cid, "issue": due - dt.timedelta(days=30),
            "due": due, "amount": amount, "currency": currency}


def _repo() -> InMemoryRiskRepository:
    rows = [*_history(1, "C1", 0), {**_overdue(1, "C1", -20, "500.00")},  # C1 pays on time; one item not yet due
            *_history(2, "C2", 45), _overdue(2, "C2", 60, "2500.00"), _overdue(2, "C2", 100, "1200.00"),
            *_history(3, "C3", 30, currency="CLP", amount="900000"), _overdue(3, "C3", 75, "1802447", "CLP")]
    return InMemoryRiskRepository(
        known=[customer(1, "C1", collector="ana"),
               customer(2, "C2", collector="ana", owner="bob", limit=100_000, limit_currency="EUR"),
               customer(3, "C3", country="CL", collector="carla")],
        frame=ledger_frame(rows),
        recorded=Collections(promises_broken={2: ["#7 (EUR due 2026-05-01)"]}, installed=True),
        last_paid={1: AS_OF - dt.timedelta(days=20), 2: AS_OF - dt.timedelta(days=50)})


def _uow(repo: InMemoryRiskRepository, predictions: InMemoryPredictionStore | None = None) -> FakeUnitOfWork:
    return FakeUnitOfWork({RISK: repo, SOLVENCY: InMemorySolvencyRepository(),
                           PREDICTIONS: predictions or InMemoryPredictionStore()})


def test_scores_are_frozen_values_carrying_money_worst_first_and_stored_once() -> None:
    repo = _repo()
    uow = _uow(repo)
    run = risk.score_all(uow, AS_OF, rates=RATES)
    assert isinstance(run, ScoreRun) and [s.customer for s in run.scores][-1] == "C1"  # the punctual payer last
    assert [s.score for s in run.scores] == sorted((s.score for s in run.scores), reverse=True)
    c2 = next(s for s in run.scores if s.customer == "C2")
    assert isinstance(c2, CustomerScore) and c2.exposure == Money(Decimal("3700.00"), "EUR")
    assert c2.credit_limit == Money(Decimal("1000.00"), "EUR") and c2.collector == "ana"
    with pytest.raises(dataclasses.FrozenInstanceError):
        c2.score = 0  # type: ignore[misc]
    # stored: one score per customer, the exposure in minor units; services flush, the entrypoint commits
    assert {cid for cid, _ in repo.scores} == {1, 2, 3} and repo.scores[(2, AS_OF)].exposure_minor == 370_000
    assert repo.scores[(3, AS_OF)].exposure_minor == 1_802_447 and repo.scores[(3, AS_OF)].currency == "CLP"
    assert uow.flushes == 1 and not uow.committed
    # alerts: over the limit and the broken promise, told to the collector and the owner
    kinds = {(a.customer, a.kind) for a in run.alerts}
    assert {("C2", AlertKind.OVER_LIMIT), ("C2", AlertKind.PROMISE_BROKEN)} <= kinds
    assert all(a.recipients == ("ana", "bob") for a in run.alerts if a.customer == "C2")
    assert run.as_json()["alerts"][0]["recipients"]  # type: ignore[index]
    # the same day again raises nothing new, and the stored alerts are listed newest first
    again = risk.score_all(uow, AS_OF, rates=RATES)
    assert again.alerts == () and len(repo.stored_alerts) == len(run.alerts)
    listed = risk.list_alerts(uow, recipient="bob")
    assert {a.customer for a in listed} == {"C2"} and all(a.status is AlertStatus.OPEN for a in listed)


def test_scoring_without_storing_writes_nothing_and_tells_nobody() -> None:
    repo = _repo()
    run = risk.score_all(_uow(repo), AS_OF, rates=RATES, store=False)
    assert repo.scores == {} and repo.stored_alerts == []
    assert run.alerts and all(a.recipients is None for a in run.alerts)
    assert all("recipients" not in a for a in run.as_json()["alerts"])  # type: ignore[attr-defined]


def test_a_worsened_score_against_the_previous_one_raises_an_alert() -> None:
    repo = _repo()
    uow = _uow(repo)
    risk.score_all(uow, AS_OF - dt.timedelta(days=7), rates=RATES)
    before = len(repo.stored_alerts)
    repo.frame = repo.frame.vstack(ledger_frame([_overdue(1, "C1", 95, "9000.00")]))  # C1 stops paying
    run = risk.score_all(uow, AS_OF, rates=RATES)
    assert ("C1", AlertKind.SCORE_WORSENED) in {(a.customer, a.kind) for a in run.alerts}
    assert len(repo.stored_alerts) > before


def test_delinquent_customers_are_classified_on_their_currency_grid() -> None:
    classes = risk.classify_all(_uow(_repo()), AS_OF, rates=RATES)
    assert [c.customer for c in classes] and "C1" not in {c.customer for c in classes}  # C1 owes nothing overdue
    clp = next(c for c in classes if c.customer == "C3")
    assert clp.overdue == Money(Decimal("1802447"), "CLP") and clp.as_json()["overdue"] == "1802447"
    assert clp.days_past_due == 75 and clp.collector == "carla"
    assert [(c.classification.nature, c.customer) for c in classes] == sorted(
        (c.classification.nature, c.customer) for c in classes)


def test_recommendations_rank_by_value_over_waiting_in_the_base_currency() -> None:
    uow = _uow(_repo())
    recs = risk.recommend_all(uow, AS_OF, rates=RATES)
    assert {r.customer for r in recs} == {"C2", "C3"}
    assert [r.value_vs_wait_base for r in recs] == sorted((r.value_vs_wait_base for r in recs), reverse=True)
    for r in recs:
        assert r.overdue.currency == r.recommendation.currency == r.claimable.currency
        assert r.claimable.amount.as_tuple().exponent == -exponent(r.claimable.currency)  # on the grid
    assert [r.customer for r in risk.recommend_all(uow, AS_OF, rates=RATES, customer="C3")] == ["C3"]
    with pytest.raises(NotFoundError, match="no customer 'NOPE'"):
        risk.recommend_all(uow, AS_OF, rates=RATES, customer="NOPE")


def test_show_lists_the_customers_own_alerts() -> None:
    uow = _uow(_repo())
    risk.score_all(uow, AS_OF, rates=RATES)
    view = risk.show(uow, "C2", AS_OF, rates=RATES)
    assert view.name == "C2 SL" and view.exposure == Money(Decimal("3700.00"), "EUR")
    assert view.alerts and {a.customer for a in view.alerts} == {"C2"}
    assert view.classification is not None and view.recommendations and view.solvency is None
    shown = view.as_json()
    assert shown["score"]["customer"] == "C2" and shown["alerts"][0].keys() == {"as_of", "kind", "message", "status"}
    with pytest.raises(NotFoundError):
        risk.show(uow, "NOPE", AS_OF, rates=RATES)


def test_the_worklist_ranks_open_work_by_money_per_minute() -> None:
    repo = _repo()
    repo.work = [WorkItem("task", 11, 2, "EUR", "call", "ana", AS_OF), WorkItem("case", 12, 3, "CLP", "escalation",
                                                                                 "carla", AS_OF),
                 WorkItem("task", 13, 1, "EUR", "meeting", "ana", None)]  # C1: nothing overdue
    rows = worklist(_uow(repo), AS_OF, rates=RATES)
    assert [r.rank for r in rows] == [1, 2, 3]
    done = next(r for r in rows if r.id == 13)
    assert done.gain == Money(Decimal(0), "EUR") and done.per_minute_base == 0.0 and done.minutes == 0
    assert done.reason.startswith("nothing overdue")
    case = next(r for r in rows if r.id == 12)
    assert case.kind is WorkKind.CASE and case.action in ("agency", "monitorio")
    assert [r.per_minute_base for r in rows] == sorted((r.per_minute_base for r in rows), reverse=True)
    assert [r.id for r in worklist(_uow(repo), AS_OF, "carla", rates=RATES)] == [12]


def test_the_worklist_and_the_recommendation_value_waiting_at_the_stored_predictions() -> None:
    """C2's two overdue items expected paid in 5 days (waiting is worth much, a call adds little) or in 150 days
    (waiting is worth less, the call more); without stored predictions the action table's default wait applies."""
    repo = _repo()
    repo.work = [WorkItem("task", 11, 2, "EUR", "call", "ana", AS_OF)]

    def stored(days: int) -> InMemoryPredictionStore:
        rows = []
        for label, overdue, amount in (("C2-O60", 60, 250_000), ("C2-O100", 100, 120_000)):
            due, paid = AS_OF - dt.timedelta(days=overdue), AS_OF + dt.timedelta(days=days)
            rows.append((PredictionRow(2, label, "EUR", amount, due, paid, paid, paid, paid), "C2", label))
        return InMemoryPredictionStore(rows={AS_OF - dt.timedelta(days=1): rows})

    (default,) = worklist(_uow(repo), AS_OF, rates=RATES)
    (soon,) = worklist(_uow(repo, stored(5)), AS_OF, rates=RATES)
    (late,) = worklist(_uow(repo, stored(150)), AS_OF, rates=RATES)
    assert soon.gain < default.gain < late.gain  # the table's default wait lies between 7 and 150 days
    # the recommendation reads them too: calling C2 is worth more over waiting when payment is far off
    value = {name: next(r.recommendation.value_vs_wait for r in risk.recommend_all(uow, AS_OF, rates=RATES)
                        if r.customer == "C2")
             for name, uow in (("soon", _uow(repo, stored(5))), ("late", _uow(repo, stored(150))))}
    assert value["soon"] < value["late"]


def test_without_open_work_the_delinquent_customers_are_listed() -> None:
    rows = worklist(_uow(_repo()), AS_OF, rates=RATES)
    assert rows and all(r.kind is WorkKind.CUSTOMER and r.id is None for r in rows)
    assert {r.customer for r in rows} <= {"C2", "C3"}


def _accounts(code: str) -> InMemorySolvencyRepository:
    """Two years of accounts sliding into distress (working capital negative, equity nearly gone, losses)."""
    lines = {"inventory": 150_000.0, "interest_expense": 20_000.0}
    return InMemorySolvencyRepository(stored={code: [
        statement(code, 2024, total_assets=1_000_000.0, current_assets=600_000.0, cash=60_000.0,
                  current_liabilities=500_000.0, equity=250_000.0, retained_earnings=120_000.0, sales=1_500_000.0,
                  ebit=45_000.0, net_income=15_000.0, **lines),
        statement(code, 2025, total_assets=900_000.0, current_assets=450_000.0, cash=10_000.0,
                  current_liabilities=640_000.0, equity=20_000.0, retained_earnings=-110_000.0, sales=1_150_000.0,
                  ebit=-90_000.0, net_income=-120_000.0, **lines)]})


def test_stored_accounts_drive_the_reasons_and_a_file_wins_over_them() -> None:
    uow = FakeUnitOfWork({RISK: _repo(), SOLVENCY: _accounts("C3")})
    c3 = next(s for s in risk.score_all(uow, AS_OF, rates=RATES, store=False).scores if s.customer == "C3")
    assert any("accounts 2025: Altman Z''" in r and "distress zone" in r and "Altman only" in r for r in c3.reasons)
    assert c3.components["solvency"] == 15.0
    cls = next(c for c in risk.classify_all(uow, AS_OF, rates=RATES) if c.customer == "C3")
    assert (cls.classification.label, cls.classification.nature) == ("solvency_falling", "liquidity")
    shown = risk.show(uow, "C3", AS_OF, rates=RATES).solvency
    assert shown is not None and [y.year for y in shown.years] == [2024, 2025] and shown.p_default is None

    healthy = {"C3": [statement("C3", 2025, total_assets=1_000_000.0, current_assets=700_000.0, cash=200_000.0,
                                current_liabilities=300_000.0, equity=600_000.0, retained_earnings=400_000.0,
                                sales=2_000_000.0, ebit=180_000.0, net_income=130_000.0).statement]}
    again = next(c for c in risk.classify_all(uow, AS_OF, rates=RATES, financials=healthy) if c.customer == "C3")
    assert again.classification.label != "solvency_falling"
