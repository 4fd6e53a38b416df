"""Dashboard pages and HTMX fragments over the small ledger (TestClient, SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

EN = {"Accept-Language": "en-GB,en;q=0.9"}
ES = {"Accept-Language": "es-ES,es;q=0.9"}


def chart_of(html: str) -> dict[str, object]:
    match = re.search(r"data-chart='([^']*)'", html)
    assert match, "no chart canvas"
    return json.loads(match.group(1).replace("&#34;", '"').replace("&quot;", '"'))


def test_overview_numbers_in_english(client: TestClient) -> None:
    r = client.get("/", headers=EN)
    assert r.status_code == 200
    html = r.text
    assert "25 June 2025" not in html and "30 June 2025" in html  # the fixed clock's day
    assert "€4,400.50" in html  # open EUR
    assert "€4,000.50" in html  # overdue EUR
    assert "90.9%" in html  # overdue share
    assert "US$1,200.00" in html
    chart = chart_of(html)
    assert chart["currency"] == "EUR"  # the currency with the most open items
    assert chart["values"] == [400.0, 2500.5, 500.0, 0.0, 1000.0, 0.0]
    top = html[html.index('id="top-debtors"'):]
    assert top.index("Construcciones Peña SL") < top.index("Distribuidora Núñez SA")
    assert 'href="/customers/C001"' in top
    assert "€3,900.50" in top and "€3,500.50" in top


def test_overview_in_spanish_and_currency_switch(client: TestClient) -> None:
    html = client.get("/", headers=ES).text
    assert "Saldo abierto" in html
    assert "4.400,50\xa0€" in html
    assert "No vencido" in html
    usd = client.get("/", params={"currency": "USD", "lang": "en"})
    assert usd.cookies.get("cobro_lang") == "en"
    assert chart_of(usd.text)["currency"] == "USD"
    assert "Acme Imports LLC" in usd.text


def test_customer_page(client: TestClient) -> None:
    r = client.get("/customers/C001", headers=EN)
    assert r.status_code == 200
    html = r.text
    assert "Construcciones Peña SL" in html
    assert "€3,900.50" in html  # balance
    for number in ("F-001", "F-002", "F-003"):
        assert number in html
    assert "maria@pena.example" in html
    assert 'id="timeline"' in html  # the collections tables exist after the migrations


def test_customer_page_payments_and_404(client: TestClient) -> None:
    html = client.get("/customers/C002", headers=EN).text
    assert "P-1" in html and "€300.00" in html and "€500.00" in html
    missing = client.get("/customers/NOPE", headers=EN)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "NOPE" in missing.text


def test_customers_page_and_paging_fragment(client: TestClient) -> None:
    html = client.get("/customers", headers=EN).text
    assert all(code in html for code in ("C001", "C002", "C003"))
    fragment = client.get("/fragments/customers", params={"search": "Acme"}, headers=EN)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text  # a fragment, not a page
    assert "C003" in fragment.text and "C001" not in fragment.text
    assert "Page 1 of 1" in fragment.text


def test_search_fragment(client: TestClient) -> None:
    r = client.get("/fragments/search", params={"q": "peña"}, headers=EN)
    assert r.status_code == 200
    assert "<html" not in r.text
    assert 'href="/customers/C001"' in r.text
    assert "C002" not in r.text
    assert client.get("/fragments/search", params={"q": "zzz"}, headers=EN).text.count("No matching") == 1
    assert client.get("/fragments/search", params={"q": ""}).text.strip() == ""


def test_worklist_page(client: TestClient) -> None:
    r = client.get("/worklist", headers=EN)
    assert r.status_code == 200
    assert 'id="tasks"' in r.text


def test_other_tenant_pages_are_empty(client: TestClient) -> None:
    headers = {**EN, "X-Cobro-Tenant": "other"}
    html = client.get("/", headers=headers).text
    assert "Construcciones" not in html and "€4,400.50" not in html
    assert client.get("/customers/C001", headers=headers).status_code == 404


def test_static_assets(client: TestClient) -> None:
    for path in ("/static/app.css", "/static/app.js", "/static/vendor/htmx.min.js",
                 "/static/vendor/chart.umd.min.js"):
        assert client.get(path).status_code == 200, path


def test_customer_page_as_of_a_past_date_shows_the_ledger_then(client: TestClient) -> None:
    # 2025-06-05: P-1 (300.00 on 2025-06-10) had not arrived, so F-004 was open in full; the page used to show
    # today's 500.00 and list P-1 for any as_of
    html = client.get("/customers/C002", params={"as_of": "2025-06-05"}, headers=EN).text
    assert "€800.00" in html and "€500.00" not in html
    assert "P-1" not in html
    # C001 on 2025-06-05: F-003 (issued 2025-06-15) did not exist yet
    html = client.get("/customers/C001", params={"as_of": "2025-06-05"}, headers=EN).text
    assert "€3,500.50" in html and "€3,900.50" not in html
    assert "F-003" not in html


def test_overview_top_debtors_honour_as_of(client: TestClient) -> None:
    # on 2025-06-05 C001 owed F-001 + F-002 (F-003 came on 2025-06-15) and C002 the whole of F-004 (paid in part
    # on 2025-06-10); the top debtors used to show today's balances whatever the date
    html = client.get("/", params={"as_of": "2025-06-05"}, headers=EN).text
    top = html[html.index('id="top-debtors"'):]
    assert "€3,500.50" in top and "€3,900.50" not in top  # C001's open, ranked first
    assert "€800.00" in top and "€500.00" not in top  # C002's open then
    assert top.index("Construcciones Peña SL") < top.index("Distribuidora Núñez SA")
    assert "€4,300.50" in html  # the open EUR figure of the same date: the top debtors add up to it
