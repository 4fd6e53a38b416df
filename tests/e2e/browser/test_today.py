"""The collector's Today page in a real browser (Debian Chromium, headless) at desktop size and at 390×844: sign
in, log a call outcome with a promise and a call-back date, record a promise, open a dispute, see the list, the panels and the timeline
change; no console errors, no sideways scrolling on the phone, no serious or critical axe-core finding.  Screenshots go to $COBRO_SCREENSHOT_DIR or the
test's tmp dir.  Skips without /usr/bin/chromium unless COBRO_REQUIRE_BROWSER=1."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from cobro.app.http import create_app
from cobro.identity import service as identity
from cobro.kernel.clock import FixedClock
from cobro.platform.container import build
from cobro.platform.db.migrate import upgrade
from cobro.platform.settings import Settings
from tests.e2e.auth import PASSWORD, add_user, bearer
from tests.e2e.browser.test_dashboard import ARGS, CHROMIUM, live_server
from tests.e2e.ledger import AS_OF, seed
from tests.e2e.web.test_today import ANA, CALLS_TODAY

pytestmark = pytest.mark.browser
SIZES = {"desktop": {"width": 1360, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The small ledger on SQLite after one cycle that gave Ana Ruiz (collector) a call due today, served by
    uvicorn on a free loopback port."""
    url = f"sqlite:///{tmp_path / 'today.db'}"
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    container = build(Settings(database_url=url),
                      clock=FixedClock(dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.UTC)))
    seed(container, tmp_path)
    add_user(container)
    with container.uow() as uow:
        identity.create_user(uow, email=ANA, password=PASSWORD, display_name="Ana Ruiz")
        identity.add_membership(uow, email=ANA, tenant="default", role="collector")
        uow.commit()
    with TestClient(create_app(container=container)) as admin:
        admin.headers.update(bearer(admin))
        assert admin.post("/api/v1/policies", json={"yaml": CALLS_TODAY}).status_code == 201
        assert admin.post("/api/v1/cycles", json={"as_of": AS_OF.isoformat()}).status_code == 201
    with live_server(container) as url:
        yield url
    container.close()


def wide(page: Any) -> list[str]:
    """What sticks out to the right of the viewport: elements and text runs (for the failure message)."""
    return page.evaluate(  # type: ignore[no-any-return]
        """() => { const out = []; const w = document.documentElement.clientWidth;
        for (const e of document.querySelectorAll('body *')) { if (e.getBoundingClientRect().right > w + 0.5)
          out.push(e.tagName + '.' + e.className); }
        const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walk.nextNode()) { const r = document.createRange(); r.selectNodeContents(walk.currentNode);
          for (const box of r.getClientRects()) { if (box.right > w - 12) out.push('text ' +
            JSON.stringify(walk.currentNode.textContent.trim().slice(0, 30)) + ' ' + Math.round(box.right)); } }
        return out.slice(0, 10); }""")


def watch(page: Any) -> list[str]:
    """Console errors, page errors and 404 answers the page meets from now on."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status == 404 else None)
    return errors


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical WCAG findings on the page as it is now (axe is vendored under /static,
    so the page's script policy lets it load)."""
    page.add_script_tag(url="/static/vendor/axe/axe.min.js")
    return page.evaluate(  # type: ignore[no-any-return]
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))""")


def test_a_collector_works_the_today_list(served: str, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        if os.environ.get("COBRO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"COBRO_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium); set COBRO_REQUIRE_BROWSER=1 to fail")
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("COBRO_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            for size, viewport in SIZES.items():
                page = browser.new_page(viewport=viewport, locale="es-ES")  # type: ignore[arg-type]
                errors = watch(page)
                # anonymous: sent to the login, and back to Today after it; on the phone, the day of the call-back
                # the desktop run agreed
                today = "/today" if size == "desktop" else "/today?as_of=2025-07-11"
                page.goto(served + today)
                page.wait_for_url("**/login?next=*")
                page.locator('input[name="username"]').fill(ANA)
                page.locator('input[name="password"]').fill(PASSWORD)
                page.locator('button[type="submit"]').click()
                page.wait_for_url(served + today)
                row = page.locator("#today-row-1")
                expect(row).to_contain_text("Construcciones Peña SL")
                expect(row).to_contain_text("3.500,50")
                expect(row).to_contain_text("Qué decir")
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (size, wide(page))
                page.screenshot(path=str(shots / f"today-{size}.png"), full_page=True)
                assert serious_violations(page) == [], size
                if size == "desktop":
                    # the keyboard: j focuses the first card, p opens its promise form, Cancel closes it
                    page.keyboard.press("j")
                    expect(row).to_be_focused()
                    page.keyboard.press("p")
                    expect(row.locator('input[name="amount"]')).to_be_visible()
                    row.get_by_role("button", name="Cancelar").click()
                    expect(row.locator("form.action-form")).to_have_count(0)
                    # log the call: the customer promises 500 for 10 July
                    row.get_by_role("button", name="Registrar llamada").click()
                    form = row.locator("form.action-form")
                    form.locator('select[name="outcome"]').select_option("promise")
                    form.locator('input[name="promise_amount"]').fill("500")
                    form.locator('button[type="submit"]').click()
                    expect(row.locator(".form-error")).to_contain_text("indica el importe y la fecha")
                    page.screenshot(path=str(shots / f"today-error-{size}.png"), full_page=True)
                    assert serious_violations(page) == []  # the open form with its error
                    form.locator('input[name="promise_date"]').fill("2025-07-10")
                    form.locator('input[name="callback"]').fill("2025-07-11")  # and call back the day after
                    form.locator('button[type="submit"]').click()
                    expect(row).to_contain_text("la nueva llamada queda en tu lista")
                    expect(row).to_contain_text("Hecha: Promete pagar")
                    # a second promise and a dispute from the same row
                    row.get_by_role("button", name="Promesa de pago").click()
                    row.locator('input[name="amount"]').fill("1000")
                    row.locator('input[name="due_on"]').fill("2025-07-15")
                    row.locator('form.action-form button[type="submit"]').click()
                    expect(row).to_contain_text("Promesa registrada")
                    row.get_by_role("button", name="Abrir disputa").click()
                    row.get_by_label("F-002", exact=False).check()
                    row.locator('select[name="reason_code"]').select_option("price")
                    row.locator('form.action-form button[type="submit"]').click()
                    expect(row).to_contain_text("Disputa abierta")
                    page.screenshot(path=str(shots / f"today-done-{size}.png"), full_page=True)
                    # the disputes beside the list refresh on their own (htmx, on today-changed)
                    expect(page.locator("#disputes-waiting")).to_contain_text("Construcciones Peña SL")
                    # the customer's timeline shows what was done
                    page.locator("#disputes-waiting a").first.click()
                    page.wait_for_url("**/customers/C001*")
                    timeline = page.locator("#timeline")
                    expect(timeline).to_contain_text("Disputa abierta")
                    expect(timeline).to_contain_text("Llamada: Promete pagar")
                    page.screenshot(path=str(shots / f"customer-{size}.png"), full_page=True)
                    assert serious_violations(page) == []
                else:
                    page.goto(served + "/customers/C001")
                    page.screenshot(path=str(shots / f"customer-{size}.png"), full_page=True)
                    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], wide(page)
                    assert serious_violations(page) == []
                assert not errors, errors
                page.close()
        finally:
            browser.close()
    assert (shots / "today-desktop.png").stat().st_size > 10_000
