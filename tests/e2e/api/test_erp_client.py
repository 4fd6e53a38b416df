"""An ERP integration built only from the OpenAPI document: it loads customers and invoices, runs the daily cycle,
reads the worklist, posts a call outcome and a promise, and receives the matching webhooks at its own endpoint,
checking each signature with the documented receiver example (Standard Webhooks), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from examples.webhooks.receiver import verify
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cobro.platform.container import Container
from tests.e2e.api.openapi_client import OpenApiClient
from tests.e2e.auth import ADMIN, PASSWORD, add_user
from tests.e2e.ledger import AS_OF

POLICY = Path(__file__).resolve().parents[3] / "src" / "cobro" / "collections" / "policies" / "standard.yaml"


class ErpEndpoint:
    """The ERP's webhook endpoint on loopback: keeps the events whose signature verifies, counts the others."""

    def __init__(self) -> None:
        self.secret, self.forged = "", 0
        self.events: list[dict[str, Any]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                if verify(endpoint.secret, headers, body):
                    endpoint.events.append(json.loads(body))
                else:
                    endpoint.forged += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cobro-events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def endpoint() -> Iterator[ErpEndpoint]:
    e = ErpEndpoint()
    yield e
    e.server.shutdown()


def deliver_webhooks(container: Container) -> None:
    """What `cobro worker` does after each commit (the server side, not the ERP's)."""
    from cobro.webhooks.sender import WebhookSender

    WebhookSender(container.sessions, now=lambda: dt.datetime.now(dt.UTC)).deliver()


def test_an_erp_integrates_through_the_document_alone(app: FastAPI, ledger_container: Container,
                                                      endpoint: ErpEndpoint) -> None:
    add_user(ledger_container)
    with TestClient(app) as http:
        erp = OpenApiClient.discover(http)
        erp.login(ADMIN, PASSWORD)
        subscription = erp.call("subscribe", {"url": endpoint.url, "events": ["promise.created", "task.closed"]},
                                expect=201)
        endpoint.secret = subscription["secret"]

        due = AS_OF + dt.timedelta(days=2)  # falls due in two days: the cycle runs the sequence from the start
        for code, name in (("ERP-1", "Ferretería Ortega SL"), ("ERP-2", "Suministros Vela SA")):
            erp.call("create_customer", {"code": code, "legal_name": name, "country": "ES", "terms": "net 30",
                                         "collector": "Ana Ruiz"}, expect=201)
            erp.call("create_contact", {"name": f"Cuentas {code}", "role": "finance", "phone": "+34 600 111 222",
                                        "email": f"{code.lower()}@erp.example"}, code=code, expect=201)
            erp.call("create_invoice", {"number": f"{code}-F1", "customer_code": code, "currency": "EUR",
                                        "issue_date": (due - dt.timedelta(days=30)).isoformat(),
                                        "due_date": due.isoformat(), "amount": "1815.00"}, expect=201)
        assert {c["code"] for c in erp.call("list_customers_api_v1_customers_get", limit=100)["items"]} >= {
            "ERP-1", "ERP-2"}

        erp.call("apply_policy", {"yaml": POLICY.read_text(encoding="utf-8")}, expect=201)  # the credit manager's

        tasks: list[dict[str, Any]] = []
        day = AS_OF
        while not tasks and day < AS_OF + dt.timedelta(days=60):  # the daily cycle, a week at a time
            erp.call("run", {"as_of": day.isoformat()}, expect=201)
            tasks = [t for t in erp.call("list_tasks", status="open", limit=100)["items"]
                     if t["customer"] == "ERP-1"]
            day += dt.timedelta(days=7)
        assert tasks, "the sequence reached no call task for ERP-1 within 60 days"

        task = tasks[0]
        worklist = erp.call("worklist", as_of=day.isoformat())  # what the collector works through, ranked
        assert any(w["kind"] == "task" and w["id"] == task["id"] for w in worklist), worklist

        outcome = erp.call("record_outcome", {"outcome": "promise", "note": "paga el viernes",
                                              "promise": {"amount": "1815.00", "due_on": day.isoformat()}},
                           task_id=task["id"], expect=200)
        assert outcome["task"] == task["id"] and outcome["promise"] is not None
        closed = erp.call("list_tasks", status="done", limit=100)["items"]
        assert task["id"] in {t["id"] for t in closed}, closed
        promise = erp.call("add_promise", {"customer": "ERP-2", "amount": "900.00", "due_on": day.isoformat(),
                                           "contact": "Cuentas ERP-2"}, expect=201)
        assert erp.call("get_promise", promise_id=promise["id"])["customer"] == "ERP-2"

    deliver_webhooks(ledger_container)
    deadline = time.monotonic() + 5
    while len(endpoint.events) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert endpoint.forged == 0
    created = [e for e in endpoint.events if e["type"] == "promise.created"]
    assert len(created) == 2, endpoint.events
    assert {e["type"] for e in endpoint.events} <= {"promise.created", "task.closed"}
