"""From upload to triage in a real browser, against a real server.

A uvicorn server on 127.0.0.1 (tests/web/conftest.py ``live_server``) runs the
app on a temporary SQLite home with the shared PyPI advisories imported and its
background worker on. In headless Chromium an administrator signs in, makes an
API key on /admin; the real ``assay upload`` CLI sends the SBOM that
``assay sbom generate`` writes for examples/payments-api; the browser then
watches the findings appear, searches a component, opens a vulnerability,
triages a finding as not_affected with a justification, and reads the audit
entry. Screenshots of each main page are kept in tests/web/artifacts/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from assay.api.app import create_app
from assay.core import account_service
from assay.core.config import Settings
from assay.core.db import Database
from assay.core.permissions import SYSTEM
from tests.web.conftest import LiveServer, Screenshot
from tests.web.pages_support import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

REPO = Path(__file__).resolve().parents[2]
ASSAY = [sys.executable, "-m", "assay"]
# Guards against a hang, not measurements.
UPLOAD_LIMIT_S = 120
STEP_LIMIT_MS = 30_000


def _assay(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [*ASSAY, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"assay {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture
def server(
    shared_data: Path, tmp_path: Path, live_server: LiveServer
) -> tuple[str, dict[str, str]]:
    home = tmp_path / "home"
    env = {**os.environ, "ASSAY_HOME": str(home), "ASSAY_ENV": "development"}
    env.pop("ASSAY_DATABASE_URL", None)
    _assay(env, "db", "import", str(shared_data / "osv" / "pypi-advisory-db"))
    settings = Settings.from_env({"ASSAY_HOME": str(home), "ASSAY_ENV": "development"})
    db = Database(settings)
    db.ensure_schema()
    with db.session() as session:
        account_service.create_user(session, SYSTEM, "root", PASSWORD, admin=True)
    db.dispose()
    return live_server(create_app(settings)), env


# Reports every Content-Security-Policy violation with the element that caused it, except
# Playwright's own: under a CSP its screenshots hide the caret with an inline style on inputs,
# which htmx then settles onto a swapped-in input of the same id.
REPORT_CSP = """document.addEventListener("securitypolicyviolation", (e) => {
  const el = e.target && e.target.getAttribute ? e.target : null;
  if (el && (el.getAttribute("style") || "").startsWith("caret-color: transparent")) return;
  console.error("CSP violation: " + e.violatedDirective + " " + e.sourceFile + " "
    + (el ? el.outerHTML.slice(0, 200) : ""));
});"""


def _console_error(message: ConsoleMessage) -> list[str]:
    """A console error worth failing for: not the browser's own favicon probe (no page asks
    for one), nor its generic CSP line (REPORT_CSP reports each violation with its element)."""
    if message.type != "error" or message.location.get("url", "").endswith("/favicon.ico"):
        return []
    if "Content Security Policy directive" in message.text:
        return []
    return [f"{message.text} ({message.location.get('url', '')})"]


def _sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/")
    assert "/login" in page.url
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")


def _new_api_key(page: Page, url: str, screenshot: Screenshot) -> str:
    page.goto(f"{url}/admin")
    page.get_by_label("Team name").fill("payments")
    page.get_by_role("button", name="Create team").click()
    page.get_by_text("Team payments created.").wait_for()
    page.locator("#key-team").select_option(label="payments")
    page.get_by_label("Name", exact=True).fill("ci")
    page.get_by_role("button", name="Create key").click()
    key = page.locator("[data-new-api-key]").input_value()
    assert key.startswith("assay_")
    screenshot(page, "admin")
    return key


def _upload(env: dict[str, str], url: str, key: str, tmp_path: Path) -> None:
    bom = tmp_path / "payments-api.cdx.json"
    _assay(env, "sbom", "generate", str(REPO / "examples" / "payments-api"), "-o", str(bom))
    upload_env = {**env, "ASSAY_API_KEY": key}
    out = _assay(
        upload_env, "upload", str(bom), "--project", "payments-api", "--version", "1.0",
        "--server", url, "--wait", "--timeout", str(UPLOAD_LIMIT_S),
    )  # fmt: skip
    assert key not in out


def test_upload_to_triage(
    server: tuple[str, dict[str, str]], page: Page, screenshot: Screenshot, tmp_path: Path
) -> None:
    url, env = server
    page.set_default_timeout(STEP_LIMIT_MS)
    problems: list[str] = []  # script errors and Content-Security-Policy violations
    page.add_init_script(REPORT_CSP)
    page.on("pageerror", lambda error: problems.append(f"{error} | {error.stack}"))
    page.on("console", lambda message: problems.extend(_console_error(message)))
    _sign_in(page, url)
    key = _new_api_key(page, url, screenshot)
    _upload(env, url, key, tmp_path)

    page.goto(f"{url}/")
    page.locator("#portfolio-trend canvas").first.wait_for()
    screenshot(page, "dashboard")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    page.evaluate("window.assayNoReload = true")  # survives only if htmx swaps, not reloads
    page.get_by_role("columnheader", name="Critical", exact=True).get_by_role("link").click()
    page.wait_for_url("**/projects?sort=critical")
    page.get_by_role("columnheader", name="Critical", exact=True).get_by_role("link").click()
    page.wait_for_url("**/projects?sort=-critical")
    page.get_by_label("Name").fill("payments")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**q=payments**")
    assert "sort=-critical" in page.url  # the filter keeps the sort chosen in the results
    assert page.evaluate("window.assayNoReload === true")
    screenshot(page, "projects")
    page.get_by_role("link", name="payments-api").click()
    screenshot(page, "project")
    page.get_by_role("link", name="1.0", exact=True).first.click()
    rows = page.locator("tbody.finding")
    rows.first.wait_for()
    assert rows.count() > 0
    screenshot(page, "version-findings")
    downloads = page.get_by_role("region", name="Downloads").get_by_role("link").all()
    assert len(downloads) == 5  # four SBOM formats and the VEX
    for link in downloads:
        download = page.request.get(f"{url}{link.get_attribute('href')}")  # the session's cookie
        assert download.status == 200, link.get_attribute("href")
        assert len(download.body()) > 100

    page.get_by_role("link", name="Dependency graph").click()
    page.locator("#dependency-graph canvas").first.wait_for()
    assert "tab=graph" in page.url  # htmx pushed the tab's URL
    screenshot(page, "version-graph")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Components").click()
    page.get_by_label("Name").fill("django")
    page.get_by_label("Ecosystem").fill("PyPI")
    page.get_by_role("button", name="Search").click()
    page.locator("#component-results").get_by_role("link", name="payments-api").wait_for()
    screenshot(page, "components-search")

    page.goto(f"{url}/projects")
    page.get_by_role("link", name="1.0").click()
    first = page.locator("tbody.finding").first
    vuln = first.locator("td:nth-child(2) a").first
    vuln_id = vuln.inner_text()
    finding_id = first.get_attribute("id")
    vuln.click()
    page.get_by_role("heading", name="Affected projects you can see").wait_for()
    assert page.get_by_role("link", name="payments-api").count() >= 1
    screenshot(page, "vulnerability")

    page.go_back()
    row = page.locator(f"#{finding_id}")
    row.get_by_text("Triage, history and comments").focus()  # by keyboard: a real <summary>
    page.keyboard.press("Enter")
    row.get_by_label("State").select_option("not_affected")
    row.get_by_label("Justification").select_option("code_not_reachable")
    row.get_by_label("Detail").fill("The vulnerable function is never called.")
    row.get_by_role("button", name="Record decision").click()
    page.locator(f'#{finding_id} [data-analysis-state="not_affected"]').wait_for()
    page.locator(f"#{finding_id}").get_by_text("Decision recorded.").wait_for()
    assert page.locator(f"#{finding_id}").get_by_text("in force").count() == 1
    screenshot(page, "version-triaged")

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Audit log").click()
    page.get_by_label("Action").fill("decision.create")
    page.get_by_role("button", name="Filter").click()
    entry = page.locator("#audit-results tbody tr").first
    entry.get_by_text("decision.create").wait_for()
    assert "user:root" in entry.inner_text()
    assert vuln_id in entry.inner_text() or "finding" in entry.inner_text()
    screenshot(page, "audit")
    assert not problems, problems
