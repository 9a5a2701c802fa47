"""The delivery dashboards in a real browser, with live updates.

A uvicorn server on 127.0.0.1 (tests/web/conftest.py ``live_server``) runs the app on a
temporary SQLite home into which a delivery history was ingested through the real store
(tests/web/delivery_history.py). In headless Chromium, root opens /delivery and sees
the tier badges and the charts drawn (canvas elements, no script error, no CSP
violation), follows the payments service from the table, opens the explain page of its
lead time, goes back, and, while the service page is open, a new production deployment
is ingested into the server's database: the deployment count on the page changes without
a reload (server-sent events from /delivery/stream). Screenshots are kept in
tests/web/artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from assay.api.app import create_app
from assay.core import account_service as accounts
from assay.core.config import Settings
from assay.core.db import Database
from assay.core.permissions import SYSTEM
from assay.delivery.store import ingest
from tests.web.conftest import LiveServer, Screenshot
from tests.web.delivery_history import production_deployment, seed_history
from tests.web.pages_support import PASSWORD
from tests.web.test_journey import REPORT_CSP, _console_error

if TYPE_CHECKING:
    from playwright.sync_api import Page

STEP_LIMIT_MS = 30_000  # guards against a hang, not a measurement


@pytest.fixture
def home(tmp_path: Path, live_server: LiveServer) -> Iterator[tuple[str, Settings]]:
    """The live server's URL and its settings (to reach its database from the test)."""
    env = {"ASSAY_HOME": str(tmp_path / "home"), "ASSAY_ENV": "development", "ASSAY_OFFLINE": "1"}
    settings = Settings.from_env(env)
    db = Database(settings)
    db.ensure_schema()
    with db.session() as s:
        accounts.create_user(s, SYSTEM, "root", PASSWORD, admin=True)
        seed_history(s, datetime.now(UTC))
    db.dispose()
    yield live_server(create_app(settings)), settings


@pytest.fixture
def watched(home: tuple[str, Settings], page: Page) -> Iterator[tuple[Page, list[str]]]:
    """The browser page (torn down before the server, so its event stream closes first) and
    the script errors and CSP violations it reported."""
    problems: list[str] = []
    page.set_default_timeout(STEP_LIMIT_MS)
    page.add_init_script(REPORT_CSP)
    page.on("pageerror", lambda error: problems.append(f"{error} | {error.stack}"))
    page.on("console", lambda message: problems.extend(_console_error(message)))
    yield page, problems
    assert not problems, problems


def _sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")


def test_dashboards_explain_and_live_update(
    home: tuple[str, Settings], watched: tuple[Page, list[str]], screenshot: Screenshot
) -> None:
    url, settings = home
    page, _ = watched
    _sign_in(page, url)

    # the organisation: tiles with tier badges, four time series drawn
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Delivery").click()
    page.wait_for_url(f"{url}/delivery")
    headline = page.locator("#delivery-headline")
    assert headline.get_attribute("data-deployments") == "7"
    assert headline.locator(".tier").count() == 4
    assert headline.locator(".tier-elite, .tier-high, .tier-medium, .tier-low").count() >= 1
    for chart in ("dora-deployments", "dora-lead-time", "dora-cfr", "dora-recovery"):
        page.locator(f"#{chart} canvas").first.wait_for()
    # the tables' rows load their figures as they scroll into view
    services = page.locator("#delivery-services")
    services.scroll_into_view_if_needed()
    services.locator('tr[data-row-loaded="service"]').nth(2).wait_for()
    assert services.locator("tr[data-row-pending]").count() == 0
    teams = page.locator("#delivery-teams")
    teams.locator('tr[data-row-loaded="team"]').nth(2).wait_for()
    assert teams.locator("tr[data-row-pending]").count() == 0
    screenshot(page, "delivery-organisation")

    # through the services table to payments: phases, the run's waterfall, flaky tests
    page.locator("#delivery-services").get_by_role("link", name="payments").click()
    page.wait_for_url("**/delivery/services/payments?days=90")
    for chart in ("lead-time-phases", "stage-waterfall", "stage-shares"):
        page.locator(f"#{chart} canvas").first.wait_for()
    assert "test_pay" in page.locator("#delivery-flaky").inner_text()
    screenshot(page, "delivery-service")

    # every number is traceable: the lead time's explain page lists the changes
    page.locator("#delivery-headline").get_by_title("the changes measured").click()
    page.wait_for_url("**/delivery/explain?metric=lead_time*")
    table = page.locator("#explain-table")
    assert "PR-1" in table.inner_text()
    screenshot(page, "delivery-explain")
    page.go_back()
    page.wait_for_url("**/delivery/services/payments?days=90")
    page.locator("#delivery-headline").wait_for()
    assert page.locator("#delivery-headline").get_attribute("data-deployments") == "4"

    # a production deployment arrives while the page is open: the count follows, no reload
    page.evaluate("window.assayNotReloaded = true")
    db = Database(settings)
    try:
        with db.session() as s:
            ingest(s, [production_deployment("D-live", datetime.now(UTC))], source="journey")
    finally:
        db.dispose()
    page.locator('#delivery-headline[data-deployments="5"]').wait_for()
    assert page.evaluate("window.assayNotReloaded === true")
    assert page.locator("#delivery-live").get_attribute("data-updated")
    screenshot(page, "delivery-live-update")
