"""The forecasting services on a FakeUnitOfWork: typed results on the currency's grid, the tenant's model file."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from cobro.forecasting import service as prediction
from cobro.forecasting.paydate.model import PaydateModel
from cobro.forecasting.repository import FORECASTING
from cobro.forecasting.schemas import CashForecast, ModelKind
from cobro.kernel.errors import InvalidInputError, NotFoundError
from cobro.kernel.money import Money, quantum
from cobro.platform.tenants import Tenant
from tests.fakes import FakeUnitOfWork, InMemoryForecastingRepository, ledger_frame

AS_OF = dt.date(2023, 1, 1)
NOW = dt.datetime(2023, 1, 2, 8, 15, tzinfo=dt.UTC)  # the entrypoint's clock


def _ledger(n_customers: int = 12, per_customer: int = 15, seed: int = 3) -> InMemoryForecastingRepository:
    """Customers with their own delay habits; what is not settled by AS_OF is open, some of it in CLP."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_customers):
        habit, cur = rng.normal(5, 8), "CLP" if c % 4 == 0 else "EUR"
        for k in range(per_customer):
            issue = dt.date(2022, 1, 1) + dt.timedelta(days=int(rng.integers(0, 360)))
            due = issue + dt.timedelta(days=30)
            settled = due + dt.timedelta(days=max(int(habit + rng.normal(0, 5)), -29))
            amount = f"{rng.integers(100, 5000)}" if cur == "CLP" else f"{rng.uniform(50, 900):.2f}"
            rows.append({"invoice": f"F{c:02d}-{k:02d}", "customer": f"C{c:02d}", "customer_id": c + 1,
                         "issue": issue, "due": due, "amount": amount, "currency": cur,
                         "settled": settled if settled <= AS_OF else None})
    return InMemoryForecastingRepository(ledger_frame(sorted(rows, key=lambda r: r["issue"])))


def test_the_forecast_is_a_frozen_value_carrying_money_on_the_grid() -> None:
    uow = FakeUnitOfWork({FORECASTING: _ledger()})
    out = prediction.forecast(uow, AS_OF, horizon_weeks=8)
    assert isinstance(out, CashForecast) and out.promises is None  # no promises table: collections not installed
    assert out.model_kind in set(ModelKind) and out.model_note.startswith("model trained now")
    assert [c.currency for c in out.currencies] == ["CLP", "EUR"]
    for cur in out.currencies:
        assert len(cur.periods) >= 8
        for p in cur.periods:
            assert all(isinstance(m, Money) and m.currency == cur.currency for m in (p.expected, p.p10, p.p50, p.p90))
            assert p.p10.amount <= p.p50.amount <= p.p90.amount
        assert cur.expected_in_horizon.amount == sum(p.expected.amount for p in cur.periods)
        # everything open is expected within the horizon, up to the periods' rounding to the grid
        assert cur.expected_in_horizon.amount > 0
        assert cur.expected_in_horizon.amount - cur.open.amount <= len(cur.periods) * quantum(cur.currency)
    clp = out.currencies[0].as_json()
    assert "." not in str(clp["open"]) and all("." not in str(p["expected"]) for p in clp["periods"])  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        out.open_items = 0  # type: ignore[misc]


def test_the_horizon_is_checked_before_the_ledger_is_read() -> None:
    repo = _ledger(2, 2)
    with pytest.raises(InvalidInputError, match="between 1 and 104"):
        prediction.forecast(FakeUnitOfWork({FORECASTING: repo}), AS_OF, horizon_weeks=0)
    assert repo.asked == []


def test_train_saves_the_model_under_the_tenant_code(tmp_path: Path) -> None:
    uow = FakeUnitOfWork({FORECASTING: _ledger()}, tenant=Tenant(7, "acme", "Acme"))
    trained = prediction.train(uow, AS_OF, tmp_path, now=NOW)
    assert trained.path == tmp_path / "paydate-acme.json" and trained.path.exists()
    assert PaydateModel.load(trained.path).created_at == "2023-01-02T08:15:00+00:00"  # the caller's time
    assert trained.trained_until == AS_OF and trained.invoices == 180 and 0 < trained.settled < 180
    assert trained.as_json()["trained_until"] == "2023-01-01" and trained.as_json()["path"] == str(trained.path)
    again = prediction.forecast(uow, AS_OF, horizon_weeks=4, model_dir=tmp_path)
    assert again.model_note.startswith("saved model trained until 2023-01-01")


def test_an_empty_ledger() -> None:
    uow = FakeUnitOfWork({FORECASTING: InMemoryForecastingRepository()})
    with pytest.raises(InvalidInputError, match="no invoices to learn from"):
        prediction.train(uow, AS_OF, Path("unused"), now=NOW)
    with pytest.raises(NotFoundError, match="empty"):
        prediction.backtest(uow)


def test_backtest_results_are_typed() -> None:
    out = prediction.backtest(FakeUnitOfWork({FORECASTING: _ledger()}), [dt.date(2022, 9, 1)], horizon_weeks=6)
    assert out.cutoffs == (dt.date(2022, 9, 1),) and {r.currency for r in out.results} == {"CLP", "EUR"}
    assert all(r.cutoff == dt.date(2022, 9, 1) and r.model in set(ModelKind) for r in out.results)
    assert out.as_json()["results"][0]["cutoff"] == "2022-09-01"  # type: ignore[index]
    assert Decimal(0) <= Decimal(str(out.results[0].wape))
