"""The customer page as a collector's 360° view (TestClient, SQLite and PostgreSQL): open tasks, holds, disputes
with their details (also items the ledger marks disputed), tel:/mailto: links, no negative day counts, nothing
after the page's date, and links that keep it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient

from cobro.collections.service import holds
from cobro.ledger.service import imports
from cobro.platform.container import Container
from tests.e2e.web.test_today import CALLS_TODAY

EN = {"Accept-Language": "en-GB,en;q=0.9"}
ES = {"Accept-Language": "es-ES,es;q=0.9"}


def _prepare(client: TestClient, container: Container, tmp_path: Path) -> None:
    assert client.post("/api/v1/policies", json={"yaml": CALLS_TODAY}).status_code == 201
    assert client.post("/api/v1/cycles", json={"as_of": "2025-06-30"}).status_code == 201
    extra = tmp_path / "disputed.csv"  # an invoice the previous system marked disputed, no dispute recorded here
    extra.write_text("invoice_number,customer_code,issue_date,due_date,amount,currency,disputed\n"
                     "F-006,C002,2025-05-01,2025-05-31,200.00,EUR,Yes\n", encoding="utf-8")
    with container.uow() as uow:
        assert imports.import_invoices(uow, extra).ok
        holds.add_hold(uow, customer="C001", reason="director on holiday", today=dt.date(2025, 7, 15),
                       until=dt.date(2025, 7, 31), user="ana@example.com")
        uow.commit()


def test_customer_360(client: TestClient, ledger_container: Container, tmp_path: Path) -> None:
    _prepare(client, ledger_container, tmp_path)
    html = client.get("/customers/C001", params={"as_of": "2025-06-30"}, headers=EN).text
    tasks = html[html.index('id="tasks"'):html.index('id="holds"')]
    assert "Call" in tasks and "María Peña" in tasks and "Ana Ruiz" in tasks
    assert 'href="tel:+34600000001"' in html and 'href="mailto:maria@pena.example"' in html
    items = html[html.index('id="open-items"'):]
    assert "due in 15 days" in items and ">-15<" not in items  # F-003 falls due on 2025-07-15
    assert 'href="/customers?as_of=2025-06-30"' in html  # the crumbs keep the date
    assert 'name="as_of" value="2025-06-30"' in html  # the date picker shows it
    # the hold recorded on 2025-07-15 is not there yet on 2025-06-30 ...
    timeline = html[html.index('id="timeline"'):]
    assert "Put on hold" not in timeline and "director on holiday" not in html
    assert "Collection step planned" in timeline  # the cycle's call on 2025-06-30
    # ... and is on 2025-07-20, in the holds panel and the timeline
    later = client.get("/customers/C001", params={"as_of": "2025-07-20"}, headers=EN).text
    assert "director on holiday" in later[later.index('id="holds"'):later.index('id="contacts"')]
    assert "Put on hold" in later[later.index('id="timeline"'):]
    # an item the ledger marks disputed shows under Disputes (it used to say "Nothing to show")
    disputed = client.get("/customers/C002", params={"as_of": "2025-06-30"}, headers=EN).text
    panel = disputed[disputed.index('id="disputes"'):disputed.index('id="timeline"')]
    assert "F-006" in panel and "marked disputed in the ledger" in panel and "Nothing to show" not in panel


def test_customer_360_in_spanish(client: TestClient, ledger_container: Container, tmp_path: Path) -> None:
    _prepare(client, ledger_container, tmp_path)
    html = client.get("/customers/C001", params={"as_of": "2025-07-20"}, headers=ES).text
    assert "Tareas abiertas" in html and "Pausas de cobro" in html and "vence" not in html.split('id="open-items"')[0]
    timeline = html[html.index('id="timeline"'):]
    assert "Cobro pausado" in timeline and "Paso de cobro planificado" in timeline
    assert "hold on all items" not in timeline  # the English machine summary stays out of the Spanish page
    assert "finanzas" in html  # the contact's role


ESCALATE = """policy: escalate
steps:
  - id: escalation
    trigger: {days: 80, from: due_date, unit: calendar_days}
    channel: escalation
    escalation:
      total_over: {EUR: "300.00"}
      credit_stop: true
"""


def test_escalation_case_and_credit_stop_on_the_customer_page(client: TestClient) -> None:
    # the construction segment (C001, F-001 91 days late) escalates with a credit stop on 2025-06-30
    assert client.post("/api/v1/policies", json={"yaml": CALLS_TODAY}).status_code == 201
    assert client.post("/api/v1/policies", json={"yaml": ESCALATE, "segment": "construction"}).status_code == 201
    assert client.post("/api/v1/cycles", json={"as_of": "2025-06-30"}).status_code == 201
    html = client.get("/customers/C001", params={"as_of": "2025-06-30"}, headers=ES).text
    assert 'id="credit-stop"' in html and "Bloqueo de crédito desde el 30 jun 2025" in html
    cases = html[html.index('id="cases"'):html.index('id="timeline"')]
    assert "Casos de escalado" in cases and "abierto" in cases and "3.500,50\xa0€" in cases
    assert "bloqueo de crédito" in cases and "partidas del caso: 2" in cases and "fires 80 days" not in cases
    other = client.get("/customers/C002", params={"as_of": "2025-06-30"}, headers=ES).text
    assert 'id="credit-stop"' not in other and 'id="cases"' not in other
