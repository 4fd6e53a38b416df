"""The collector's workspace over the small ledger (TestClient, SQLite and PostgreSQL): the login redirect, CSRF,
logout revoking the session, the Today list and its actions (each changes state, the timeline and the audit log),
role gating, and approvals under four eyes.  As of 2025-06-30 (the app's clock)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from cobro.audit import service as audit
from cobro.audit.schemas import AuditQuery
from cobro.collections.service import holds, promises, tasks
from cobro.identity import service as identity
from cobro.platform.container import Container
from tests.e2e.auth import PASSWORD, add_user, bearer

# one call step, due the day the cycle plans it: C001 (Ana Ruiz) and C002 (Luis Gil) get a call for 2025-06-30
CALLS_TODAY = """policy: calls_today
steps:
  - id: call
    trigger: {days: 15, from: due_date, unit: calendar_days}
    channel: call_task
    task: {due_in_days: 0}
"""
ANA = "ana@example.com"
ES = {"Accept-Language": "es-ES,es;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
LOCAL = "http://127.0.0.1"


@pytest.fixture
def workspace(app: FastAPI, ledger_container: Container) -> Iterator[FastAPI]:
    """The small ledger after one cycle under CALLS_TODAY, with a collector (Ana Ruiz), a sales user and a credit
    manager besides the admin."""
    add_user(ledger_container)
    with ledger_container.uow() as uow:
        identity.create_user(uow, email=ANA, password=PASSWORD, display_name="Ana Ruiz")
        identity.add_membership(uow, email=ANA, tenant="default", role="collector")
        uow.commit()
    add_user(ledger_container, "sales@example.com", role="sales")
    add_user(ledger_container, "cm@example.com", role="credit_manager")
    with TestClient(app) as admin:
        admin.headers.update(bearer(admin))
        assert admin.post("/api/v1/policies", json={"yaml": CALLS_TODAY}).status_code == 201
        assert admin.post("/api/v1/cycles", json={"as_of": "2025-06-30"}).status_code == 201
    yield app


def login(app: FastAPI, email: str, headers: dict[str, str] | None = None) -> tuple[TestClient, str]:
    """A browser-like client signed in through the login form, and the CSRF token of its pages."""
    c = TestClient(app, base_url=LOCAL)  # loopback: the session cookie is not Secure-only
    c.headers.update(headers or EN)
    r = c.post("/login", data={"username": email, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = c.get(r.headers["location"], follow_redirects=False)
    assert page.status_code == 200, page.text[:300]
    return c, csrf_of(page.text)


def csrf_of(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', html)
    assert found, "no CSRF meta tag"
    assert f'"X-CSRF-Token": "{found.group(1)}"' in html  # htmx sends it from hx-headers
    return found.group(1)


def ana_task(container: Container) -> int:
    with container.uow() as uow:
        mine = tasks.list_tasks(uow, collector="Ana Ruiz")
    assert len(mine) == 1 and mine[0].customer == "C001"
    return mine[0].id


def test_anonymous_pages_go_to_the_login_and_come_back(workspace: FastAPI) -> None:
    with TestClient(workspace) as anonymous:
        r = anonymous.get("/today?as_of=2025-06-30", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Ftoday%3Fas_of%3D2025-06-30"
        fragment = anonymous.get("/fragments/search?q=x", headers={"HX-Request": "true"})
        assert fragment.status_code == 401 and fragment.headers["HX-Redirect"].startswith("/login?next=")
        assert anonymous.get("/api/customers").status_code == 401  # the API still answers 401, no redirect
        back = anonymous.post("/login", data={"username": ANA, "password": PASSWORD, "next": "/customers"},
                              follow_redirects=False)
        assert back.headers["location"] == "/customers"
    c, _ = login(workspace, ANA)  # a collector without a `next` lands on Today
    assert c.get("/").status_code == 200  # the overview is still there for them
    landed = c.post("/login", data={"username": ANA, "password": PASSWORD}, follow_redirects=False)
    assert landed.headers["location"] == "/today"


def test_csrf_is_required_for_cookie_changes_and_logout_revokes_the_session(workspace: FastAPI,
                                                                            ledger_container: Container) -> None:
    c, token = login(workspace, ANA)
    task = ana_task(ledger_container)
    form = {"customer": "C001", "task": str(task), "outcome": "reached", "rank": "1"}
    refused = c.post("/today/outcome", data=form)
    assert refused.status_code == 403 and "csrf" in refused.text.lower()
    wrong = c.post("/today/outcome", data=form, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    with ledger_container.uow() as uow:
        assert tasks.list_tasks(uow, collector="Ana Ruiz")[0].status == "open"  # nothing happened
    cookie = c.cookies.get("cobro_session")
    assert cookie
    assert c.post("/logout").status_code == 403  # logging out needs the token too (no forced logout)
    out = c.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    # the server forgot the session: a copy of the old cookie no longer works
    with TestClient(workspace, base_url=LOCAL, cookies={"cobro_session": cookie}) as stolen:
        assert stolen.get("/today", follow_redirects=False).status_code == 303
    # bearer clients need no CSRF token (browsers do not send bearer tokens on their own)
    with TestClient(workspace) as api:
        api.headers.update(bearer(api, ANA))
        assert api.post("/today/outcome", data=form).status_code == 200


def test_today_lists_the_collectors_own_work_with_names_amounts_and_a_script(workspace: FastAPI) -> None:
    c, _ = login(workspace, ANA, ES)
    html = c.get("/today").text
    assert "Tu trabajo de hoy" in html
    row = html[html.index('id="today-row-1"'):]
    assert "Construcciones Peña SL" in row and 'href="/customers/C001"' in row
    assert "3.500,50\xa0€" in row  # F-001 + F-002 overdue, Spanish format
    assert "91 días de retraso" in row  # F-001 due 2025-03-31
    assert "nunca" in row  # no contact yet
    assert "Qué decir" in row and "explica que la cuenta puede quedar bloqueada" in row  # > 60 days: firm script
    assert 'href="tel:+34600000001"' in row
    assert "Distribuidora Núñez SA" not in html  # Luis Gil's customer
    everyone = c.get("/today", params={"collector": ""}).text
    assert "Distribuidora Núñez SA" in everyone and "Construcciones Peña SL" in everyone
    # links keep the page's date
    dated = c.get("/today", params={"as_of": "2025-06-30"}).text
    assert 'href="/customers/C001?as_of=2025-06-30"' in dated


def test_actions_change_state_timeline_and_audit(workspace: FastAPI, ledger_container: Container) -> None:
    c, token = login(workspace, ANA, ES)
    h = {"X-CSRF-Token": token, "HX-Request": "true"}
    task = ana_task(ledger_container)
    form = c.get("/today/forms/outcome", params={"customer": "C001", "task": task, "rank": 1}, headers=h)
    assert form.status_code == 200 and 'name="outcome"' in form.text and "Buzón de voz" in form.text
    # a promise outcome without its date: refused in place, in Spanish, nothing written
    bad = c.post("/today/outcome", headers=h, data={"customer": "C001", "task": task, "rank": 1,
                                                    "outcome": "promise", "promise_amount": "500"})
    assert bad.status_code == 200 and "Para una promesa, indica el importe y la fecha." in bad.text
    assert 'value="500"' in bad.text  # what was typed is kept
    with ledger_container.uow() as uow:
        assert tasks.list_tasks(uow, collector="Ana Ruiz")[0].status == "open"
        assert promises.list_promises(uow) == []
    past = c.post("/today/outcome", headers=h, data={"customer": "C001", "task": task, "rank": 1,
                                                     "outcome": "reached", "callback": "2025-06-01"})
    assert "La nueva llamada no puede ser antes de hoy." in past.text
    assert past.headers["HX-Retarget"] == "#today-form-1"  # only the form is replaced, the row stays
    done = c.post("/today/outcome", headers=h, data={"customer": "C001", "task": task, "rank": 1,
                                                     "outcome": "promise", "promise_amount": "500",
                                                     "promise_date": "2025-07-10", "note": "pagará el 10",
                                                     "callback": "2025-07-11"})
    assert done.status_code == 200 and 'id="today-row-1"' in done.text and "<html" not in done.text
    assert "la nueva llamada queda en tu lista" in done.text and "Hecha: Promete pagar" in done.text
    assert "30 jun 2025" in done.text  # the last contact is now today
    # a promise, a dispute and a hold from the row
    assert "El importe no es válido" in c.post("/today/promise", headers=h, data={
        "customer": "C001", "rank": 1, "amount": "12,3,4", "due_on": "2025-07-15"}).text
    assert "Promesa registrada" in c.post("/today/promise", headers=h, data={
        "customer": "C001", "rank": 1, "amount": "1000.00", "due_on": "2025-07-15"}).text
    dispute_form = c.get("/today/forms/dispute", params={"customer": "C001", "rank": 1}, headers=h).text
    assert 'value="F-001"' in dispute_form and 'value="F-002"' in dispute_form
    assert "Marca al menos una factura." in c.post("/today/dispute", headers=h, data={
        "customer": "C001", "rank": 1, "reason_code": "price"}).text
    opened = c.post("/today/dispute", headers=h, data={
        "customer": "C001", "rank": 1, "reason_code": "price", "invoice": ["F-002"], "note": "precio"})
    assert "Disputa abierta" in opened.text and opened.headers["HX-Trigger"] == "today-changed"
    panels = c.get("/today/panels", headers=h).text  # what htmx asks for on today-changed (everyone's: "-")
    assert "<html" not in panels and "Construcciones Peña SL" in panels[panels.index('id="disputes-waiting"'):]
    assert "La pausa no puede terminar en el pasado." in c.post("/today/hold", headers=h, data={
        "customer": "C001", "rank": 1, "reason": "viaje", "until": "2025-06-01"}).text
    assert "Cobro pausado." in c.post("/today/hold", headers=h, data={
        "customer": "C001", "rank": 1, "reason": "director de vacaciones", "until": "2025-07-20"}).text
    with ledger_container.uow() as uow:
        assert tasks.list_tasks(uow, status="")[0].outcome == "promise"
        follow_up = tasks.list_tasks(uow, collector="Ana Ruiz")  # the call-back, open, for Ana on 11 July
        assert [(t.customer, t.due_on.isoformat()) for t in follow_up] == [("C001", "2025-07-11")]
        made = promises.list_promises(uow)
        assert sorted(str(p.amount.amount) for p in made) == ["1000.00", "500.00"]
        disputes = holds.list_disputes(uow)
        assert [(d.customer, d.invoices, d.reason_code, d.owner) for d in disputes] == [
            ("C001", ("F-002",), "price", ANA)]
        assert [(h_.reason, h_.until.isoformat() if h_.until else "") for h_ in
                holds.list_holds(uow, today=ledger_container.clock.today())] == [("director de vacaciones", "2025-07-20")]
        kinds = [e.kind for e in tasks.timeline(uow, "C001")]
        assert {"task.call.promise", "promise.made", "dispute.opened", "hold.added"} <= set(kinds)
        entries = [e for e in audit.history(uow, AuditQuery()) if e.actor_name == ANA]  # as the signed-in user
        assert {(e.entity, e.action) for e in entries} >= {("task", "complete"), ("promise", "make"),
                                                           ("dispute", "open"), ("hold", "add")}
    # today's call is no longer on the list (the call-back is due later), the dispute is in its panel
    html = c.get("/today").text
    assert "/today/forms/outcome" not in html and "Tareas que vencen más adelante: 1." in html
    disputes_panel = html[html.index('id="disputes-waiting"'):]
    assert "Construcciones Peña SL" in disputes_panel and "precio" in disputes_panel


def test_roles_gate_the_actions_and_approvals(workspace: FastAPI, ledger_container: Container) -> None:
    sales, sales_token = login(workspace, "sales@example.com")
    task = ana_task(ledger_container)
    h = {"X-CSRF-Token": sales_token}
    assert sales.post("/today/outcome", headers=h, data={"customer": "C001", "task": task,
                                                         "outcome": "reached"}).status_code == 403
    assert sales.post("/today/hold", headers=h, data={"customer": "C001", "reason": "x"}).status_code == 403
    assert 'href="/today' not in sales.get("/").text  # the navigation offers what the role may do
    ana, _ = login(workspace, ANA)
    assert ana.get("/approvals").status_code == 403
    assert 'href="/approvals' not in ana.get("/today").text
    # Ana asks for an exception over the API; the credit manager approves it, and cannot approve their own
    with TestClient(workspace) as api:
        api.headers.update(bearer(api, ANA))
        asked = api.post("/api/v1/exceptions", json={"customer": "C001", "kind": "longer_terms", "value": "60",
                                                     "justification": "new contract", "expires_on": "2025-09-30"})
        assert asked.status_code == 201, asked.text
        api.headers.update(bearer(api, "cm@example.com"))
        own = api.post("/api/v1/exceptions", json={"customer": "C002", "kind": "longer_terms", "value": "45",
                                                   "justification": "seasonal", "expires_on": "2025-09-30"})
        assert own.status_code == 201, own.text
    cm, cm_token = login(workspace, "cm@example.com")
    page = cm.get("/approvals").text
    assert "new contract" in page and "seasonal" in page and 'href="/approvals' in page
    h = {"X-CSRF-Token": cm_token}
    approved = cm.post(f"/approvals/{asked.json()['id']}", headers=h, data={"decision": "approve"})
    assert approved.status_code == 200 and "Decision: approved" in approved.text
    mine = cm.post(f"/approvals/{own.json()['id']}", headers=h, data={"decision": "approve"})
    assert mine.status_code == 200 and "You cannot decide an exception you requested" in mine.text
    assert "Approve" in mine.text  # still awaiting a decision


def test_the_login_and_error_pages_speak_the_users_language(workspace: FastAPI) -> None:
    with TestClient(workspace, base_url=LOCAL) as c:
        page = c.get("/login", headers=ES)
        assert 'lang="es"' in page.text and "Entrar en cobro" in page.text and "Contraseña" in page.text
        wrong = c.post("/login", headers=ES, data={"username": ANA, "password": "nope"})
        assert wrong.status_code == 401 and "El email o la contraseña no son correctos." in wrong.text
        assert "Sign in" not in wrong.text
        english = c.get("/login", params={"lang": "en"}, headers=ES)
        assert "Sign in to cobro" in english.text and english.cookies.get("cobro_lang") == "en"
    c2, _ = login(workspace, ANA, ES)
    missing = c2.get("/customers/NOPE")
    assert missing.status_code == 404 and "No encontrado" in missing.text
    assert "No hay ningún cliente con el código «NOPE»." in missing.text and "Not found" not in missing.text
    forbidden = c2.get("/approvals")
    assert forbidden.status_code == 403 and "Tu rol no permite esta acción." in forbidden.text


def test_today_reads_a_bounded_number_of_queries(workspace: FastAPI, ledger_container: Container) -> None:
    """Everyone's list (two customers' calls) costs the same queries as Ana's (one): facts are read for all rows
    at once, not per row."""
    c, _ = login(workspace, ANA)

    def queries(params: dict[str, str]) -> tuple[int, str]:
        seen: list[str] = []

        def count(*_: object) -> None:
            seen.append("q")

        event.listen(ledger_container.engine, "before_cursor_execute", count)
        try:
            r = c.get("/today", params=params)
        finally:
            event.remove(ledger_container.engine, "before_cursor_execute", count)
        assert r.status_code == 200
        return len(seen), r.text

    mine, html = queries({})
    everyone, all_html = queries({"collector": ""})
    assert html.count('class="card today-row') == 1 and all_html.count('class="card today-row') == 2
    assert everyone == mine and mine < 80
