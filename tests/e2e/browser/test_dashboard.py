"""The dashboard in a real browser: Debian Chromium driven by Python Playwright against uvicorn in a thread.

Skips when /usr/bin/chromium is absent, unless COBRO_REQUIRE_BROWSER=1 (then it fails).  The screenshot goes to
pytest's tmp dir, or to $COBRO_SCREENSHOT_DIR when set.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import create_engine

from cobro.app.http import create_app
from cobro.kernel.clock import FixedClock
from cobro.platform.container import Container, build
from cobro.platform.db.migrate import upgrade
from cobro.platform.settings import Settings
from tests.e2e.auth import ADMIN, PASSWORD, add_user
from tests.e2e.ledger import AS_OF, seed

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    container = build(Settings(database_url=url), clock=FixedClock(dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.UTC)))
    seed(container, tmp_path)
    add_user(container)
    with live_server(container) as url:
        yield url
    container.close()


@contextmanager
def live_server(container: Container) -> Iterator[str]:
    """The app on `container`, served by uvicorn on a free loopback port for a real browser; its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(container=container), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_dashboard_in_chromium(base_url: str, tmp_path: Path) -> None:
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
            page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="en-GB")
            # the dashboard needs a session: sign in through the login page, which lands on the overview
            page.goto(base_url + "/login")
            page.locator('input[name="username"]').fill(ADMIN)
            page.locator('input[name="password"]').fill(PASSWORD)
            page.locator('button[type="submit"]').click()
            page.wait_for_url(base_url + "/")
            # the ageing chart: Chart.js drew on the canvas
            canvas = page.locator("#ageing-chart")
            expect(canvas).to_have_attribute("data-rendered", "1")
            assert page.evaluate("() => Chart.getChart(document.getElementById('ageing-chart')).data.datasets[0]"
                                 ".data.length") == 6
            box = canvas.bounding_box()
            assert box is not None and box["width"] > 200 and box["height"] > 100
            expect(page.get_by_test_id("open-EUR")).to_have_text("€4,400.50")
            page.screenshot(path=str(shots / "dashboard.png"), full_page=True)

            # typing in the search box brings the HTMX result list
            page.locator("#search-box").fill("acme")
            hit = page.locator('#search-results a[href="/customers/C003"]')
            expect(hit).to_be_visible()
            expect(hit).to_contain_text("Acme Imports LLC")
            page.screenshot(path=str(shots / "search.png"))
            page.keyboard.press("Escape")

            # the first top debtor links to its customer page
            page.locator("#top-debtors a.debtor-link").first.click()
            page.wait_for_url(base_url + "/customers/C001")
            expect(page.locator("#customer-name")).to_have_text("Construcciones Peña SL")
            expect(page.get_by_test_id("balance-EUR")).to_have_text("€3,900.50")
            page.screenshot(path=str(shots / "customer.png"), full_page=True)
        finally:
            browser.close()
    assert (shots / "dashboard.png").stat().st_size > 10_000
