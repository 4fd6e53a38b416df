"""/api/v1/reports on the small ledger (SQLite and PostgreSQL), as of 2025-06-30: ageing, KPIs, provision, cost
and the cash forecast answer what `cobro report … --format json` prints, with the CLI's options."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fastapi.testclient import TestClient

from cobro.platform.container import Container
from cobro.reporting import service as reporting

R = "/api/v1/reports"
OTHER = {"X-Cobro-Tenant": "other"}


def test_ageing_totals_breakdown_and_basis(client: TestClient) -> None:
    r = client.get(f"{R}/ageing")
    assert r.status_code == 200, r.text
    eur = r.json()["currency"]["EUR"]
    assert eur["total"] == "4400.50" and r.json()["currency"]["USD"]["total"] == "1200.00"
    overdue = sum(Decimal(b["amount"]) for b in eur["buckets"] if b["from"] is not None and b["from"] >= 1)
    assert overdue == Decimal("4000.50")
    by = client.get(f"{R}/ageing", params={"by": "customer", "basis": "invoice", "buckets": "0,60"}).json()
    assert by["by"] == "customer" and by["basis"] == "invoice"
    assert {g["key"] for g in by["currency"]["EUR"]["groups"]} == {"C001", "C002"}
    falling = client.get(f"{R}/ageing", params={"buckets": "0,60,30"})
    assert falling.status_code == 422 and falling.json()["detail"].startswith("buckets:")
    assert [b["label"] for b in by["currency"]["EUR"]["buckets"]] == \
        [b["label"] for b in by["currency"]["EUR"]["groups"][0]["buckets"]]


def test_kpis_match_the_service_and_take_window_and_trend(client: TestClient, ledger_container: Container) -> None:
    r = client.get(f"{R}/kpis", params={"as_of": "2025-06-30", "window_days": 60, "trend": 2})
    assert r.status_code == 200, r.text
    with ledger_container.uow() as uow:
        expected = reporting.kpi_report(uow, dt.date(2025, 6, 30), 60, 2)
    assert r.json()["currency"] == expected.as_json()["currency"]
    assert [t["month_end"] for t in r.json()["trend"]] == ["2025-05-31", "2025-06-30"]
    assert r.json()["window_days"] == 60 and r.json()["currency"]["EUR"]["ar_end"] == "4400.50"


def test_provision_and_cost_take_the_cli_options(client: TestClient) -> None:
    prov = client.get(f"{R}/provision", params={"lgd": "0.5", "overlay": "1.1", "months": 3})
    assert prov.status_code == 200, prov.text
    assert prov.json()["lgd"] == "0.5" and prov.json()["overlay"] == "1.1"
    assert prov.json()["currency"]["EUR"]["total_balance"] == "4400.50"
    cost = client.get(f"{R}/cost", params={"by": "invoice", "cost_of_funds": "0.12", "limit": 1}).json()
    assert cost["by"] == "invoice" and cost["parameters"]["cost_of_funds"] == "0.12"
    assert len(cost["currency"]["EUR"]["rows"]) == 1 and cost["currency"]["EUR"]["total"]["count"] >= 2
    full = client.get(f"{R}/cost", params={"by": "invoice"}).json()["currency"]["EUR"]
    assert len(full["rows"]) > 1 and full["rows"][0]["key"] == cost["currency"]["EUR"]["rows"][0]["key"]


def test_forecast_bands_per_week(client: TestClient) -> None:
    r = client.get(f"{R}/forecast", params={"horizon_weeks": 4})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["horizon_weeks"] == 4 and set(body["currencies"]) == {"EUR", "USD"}
    for cur in body["currencies"].values():
        assert len(cur["periods"]) >= 1
        for p in cur["periods"]:
            assert Decimal(p["p10"]) <= Decimal(p["p50"]) <= Decimal(p["p90"])


def test_bad_options_are_422_naming_the_parameter(client: TestClient) -> None:
    for path, params, field in (("kpis", {"window_days": 0}, "window_days"), ("provision", {"lgd": "2"}, "lgd"),
                                ("cost", {"by": "region"}, "by"), ("ageing", {"buckets": "a,b"}, "buckets"),
                                ("forecast", {"horizon_weeks": 0}, "horizon_weeks"),
                                ("ageing", {"as_of": "2025-02-30"}, "as_of"), ("cost", {"hourly_cost": "NaN"},
                                                                              "hourly_cost")):
        r = client.get(f"{R}/{path}", params=params)
        assert r.status_code == 422, (path, params, r.text)
        assert field in r.json()["detail"].split(":")[0], (path, r.json()["detail"])


def test_another_tenant_sees_only_its_own_empty_ledger(client: TestClient) -> None:
    assert client.get(f"{R}/ageing", headers=OTHER).json()["currency"] == {}
    assert client.get(f"{R}/kpis", headers=OTHER).json()["currency"] == {}


def test_the_historical_ageing_route_still_answers(client: TestClient) -> None:
    old = client.get("/api/reports/ageing").json()
    new = client.get(f"{R}/ageing").json()
    assert old["currency"]["EUR"]["total"] == new["currency"]["EUR"]["total"] == "4400.50"
