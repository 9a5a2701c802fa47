"""A component's life in a real browser: request, vetting, a second person's approval, use in
a project, deprecation, ban, the policy violation, remediation, and its end.

A uvicorn server on 127.0.0.1 (tests/web/conftest.py ``live_server``) runs the app on a
temporary SQLite home, offline (no registry is reached: the vetting report says which
checks could not run), with its background worker on and the starter policies seeded at
start. In headless Chromium, alice (a member of the payments team) requests a component
and is told a second person must decide; the worker's vetting report appears on the
entry's page; bob (manage_catalogue) approves it. The payments team's CI uploads a BOM
using it through the API; bob deprecates, then bans it; alice's version page shows the
"banned component" violation and the entry shows the affected version and an open
remediation item. A new BOM without the component closes the item: the progress shows
done. Screenshots of each page are kept in tests/web/artifacts/.

Policies are written in the browser too: dana (manage_policy) starts from the example on
/policies, sees the loader's error for a typo above the form with her text kept, fixes
it, finds the policy listed, edits it and deletes it after typing its name.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from assay.api.app import create_app
from assay.core import account_service as accounts
from assay.core.clock import now
from assay.core.config import Settings
from assay.core.db import Database
from assay.core.permissions import SYSTEM, Permission
from tests.web.conftest import VIEWPORT, LiveServer, Screenshot
from tests.web.pages_support import PASSWORD
from tests.web.test_journey import REPORT_CSP, _console_error

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

PURL = "pkg:pypi/simplejson"
VERSION = "3.19.2"
# Guards against a hang, not measurements.
STEP_LIMIT_MS = 30_000
JOB_LIMIT_S = 60.0


@pytest.fixture
def server(tmp_path: Path, live_server: LiveServer) -> tuple[str, str]:
    """The live server's URL and an API key of the payments team (for its CI's uploads)."""
    home = tmp_path / "home"
    env = {
        "ASSAY_HOME": str(home), "ASSAY_ENV": "development", "ASSAY_OFFLINE": "1",
        "ASSAY_PYPI_URL": "http://127.0.0.1:9", "ASSAY_NPM_URL": "http://127.0.0.1:9",
    }  # fmt: skip
    settings = Settings.from_env(env)
    db = Database(settings)
    db.ensure_schema()
    with db.session() as s:
        payments = accounts.create_team(
            s, SYSTEM, "payments", frozenset({Permission.VIEW_PORTFOLIO, Permission.UPLOAD_BOM})
        )
        stewards = accounts.create_team(
            s, SYSTEM, "stewards",
            frozenset({Permission.VIEW_PORTFOLIO, Permission.PORTFOLIO_WIDE,
                       Permission.MANAGE_CATALOGUE}),
        )  # fmt: skip
        accounts.add_member(s, SYSTEM, payments, accounts.create_user(s, SYSTEM, "alice", PASSWORD))
        accounts.add_member(s, SYSTEM, stewards, accounts.create_user(s, SYSTEM, "bob", PASSWORD))
        leads = accounts.create_team(
            s,
            SYSTEM,
            "payments-leads",
            frozenset({Permission.VIEW_PORTFOLIO, Permission.GRANT_WAIVER}),
        )
        carol = accounts.create_user(s, SYSTEM, "carol", PASSWORD)
        accounts.add_member(s, SYSTEM, payments, carol)
        accounts.add_member(s, SYSTEM, leads, carol)
        key = accounts.create_api_key(s, SYSTEM, payments, "ci")
        policy_admins = accounts.create_team(
            s, SYSTEM, "policy-admins",
            frozenset({Permission.VIEW_PORTFOLIO, Permission.MANAGE_POLICY}),
        )  # fmt: skip
        accounts.add_member(
            s, SYSTEM, policy_admins, accounts.create_user(s, SYSTEM, "dana", PASSWORD)
        )
    db.dispose()
    return live_server(create_app(settings)), key


def _bom(components: list[tuple[str, str, str]]) -> bytes:
    return json.dumps({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"component": {"type": "application", "name": "payments-api"}},
        "components": [
            {"type": "library", "bom-ref": f"pkg:pypi/{n}@{v}", "name": n, "version": v,
             "purl": f"pkg:pypi/{n}@{v}", "licenses": [{"license": {"id": lic}}]}
            for n, v, lic in components
        ],
    }).encode()  # fmt: skip


def _upload(url: str, key: str, version: str, bom: bytes, project: str = "payments-api") -> None:
    """What the team's CI does: upload, then wait until the server has analysed it."""
    auth = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=auth, timeout=30) as client:
        answer = client.post(
            "/api/v1/bom",
            data={"project": project, "version": version, "auto_create": "true"},
            files={"bom": ("bom.cdx.json", bom, "application/json")},
        )
        assert answer.status_code == 202, answer.text
        token = answer.json()["token"]
        deadline = time.monotonic() + JOB_LIMIT_S
        while time.monotonic() < deadline:
            polled = client.get(f"/api/v1/bom/token/{token}")
            if polled.status_code == 404:
                # The API's transaction commits just after its 202 is sent (a yield
                # dependency's exit runs after the response), so the first poll may race it.
                time.sleep(0.2)
                continue
            assert polled.status_code == 200, polled.text
            status = polled.json()
            if not status["processing"]:
                assert status["state"] == "done", status
                return
            time.sleep(0.2)
    pytest.fail(f"the upload of {project} {version} was not analysed in {JOB_LIMIT_S} s")


def _until(page: Page, locator: Locator, what: str) -> None:
    """Reload ``page`` until ``locator`` is there: background jobs (policy evaluation after an
    upload or a ban) finish a moment after the request that queued them."""
    deadline = time.monotonic() + JOB_LIMIT_S
    while locator.count() == 0:
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not shown within {JOB_LIMIT_S} s")
        time.sleep(0.3)
        page.reload()


@pytest.fixture
def watch() -> Iterator[list[str]]:
    problems: list[str] = []  # script errors and Content-Security-Policy violations
    yield problems
    assert not problems, problems


def _browser_as(browser: Browser, url: str, username: str, problems: list[str]) -> Page:
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.set_default_timeout(STEP_LIMIT_MS)
    page.add_init_script(REPORT_CSP)
    page.on("pageerror", lambda error: problems.append(f"{error} | {error.stack}"))
    page.on("console", lambda message: problems.extend(_console_error(message)))
    page.goto(f"{url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")
    return page


def test_a_component_from_request_to_ban_and_remediation(
    server: tuple[str, str], browser: Browser, screenshot: Screenshot, watch: list[str]
) -> None:
    url, key = server
    alice = _browser_as(browser, url, "alice", watch)

    # alice asks for the component; she cannot approve her own request
    alice.get_by_role("navigation", name="Main").get_by_role("link", name="Catalogue").click()
    alice.get_by_label("Package URL").fill(f"{PURL}@{VERSION}")
    alice.get_by_label("Reason").fill("Fast JSON for the payments API")
    alice.get_by_role("button", name="Request").click()
    alice.wait_for_url("**/catalogue/*")
    entry_url = alice.url
    alice.locator("[data-second-person]").wait_for()
    assert "a second person must approve" in alice.locator("[data-second-person]").inner_text()
    assert alice.locator('[data-entry-state="requested"]').count() >= 1
    # the worker's vetting report replaces "being prepared" without a reload (htmx polls)
    alice.locator("[data-vetting-verdict]").wait_for(timeout=JOB_LIMIT_S * 1000)
    report = alice.locator("#vetting-report")
    assert report.locator("tr[data-check]").count() > 0
    assert report.get_by_text("Not every check could run").count() == 1  # offline
    assert report.locator('[data-check-status="not_run"]').count() > 0
    screenshot(alice, "governance-request")

    # bob, a second person with manage_catalogue, approves it
    bob = _browser_as(browser, url, "bob", watch)
    bob.goto(f"{url}/catalogue?state=requested")
    bob.locator("#catalogue-table").get_by_role("link", name="simplejson").click()
    assert bob.locator("[data-second-person]").count() == 0
    approve = bob.locator('form[data-action="approve"]')
    approve.get_by_label("Recommended version").fill(VERSION)
    approve.get_by_label("Reason").fill("Vetting report reviewed; licence MIT; widely used")
    approve.get_by_role("button", name="Approve").click()
    bob.locator('h1 [data-entry-state="approved"]').wait_for()
    screenshot(bob, "governance-approved")

    # the payments team's CI uploads a BOM using it
    _upload(
        url, key, "1.0", _bom([("simplejson", VERSION, "MIT"), ("idna", "3.7", "BSD-3-Clause")])
    )
    bob.reload()
    affected = bob.locator("#affected-table")
    affected.get_by_role("link", name="1.0").wait_for()
    assert "approved" in affected.inner_text()

    # bob deprecates it, then bans it
    sunset = (now() + timedelta(days=90)).date().isoformat()
    deprecate = bob.locator('form[data-action="deprecate"]')
    deprecate.get_by_label("Sunset date").fill(sunset)
    deprecate.get_by_label("Replacement (purl)").fill("pkg:pypi/orjson")
    deprecate.get_by_label("Reason").fill("orjson is faster and maintained")
    deprecate.get_by_role("button", name="Deprecate").click()
    bob.locator('h1 [data-entry-state="deprecated"]').wait_for()
    due = (now() + timedelta(days=14)).date().isoformat()
    ban = bob.locator('form[data-action="ban"]')
    ban.get_by_label("Remediation due").fill(due)
    ban.get_by_label("Reason").fill("Security advisory: remove at once")
    ban.get_by_role("button", name="Ban").click()
    bob.locator('h1 [data-entry-state="banned"]').wait_for()
    assert bob.locator('[data-item-state="open"]').count() == 1
    assert bob.locator('[data-progress="open"]').inner_text() == "1"
    assert due in bob.locator("#remediation-table").inner_text()
    history = bob.locator("#entry-history").inner_text()
    for step in ("request", "approve", "deprecate", "ban"):
        assert bob.locator(f'#entry-history [data-transition="{step}"]').count() == 1, step
    assert "user:alice" in history and "user:bob" in history
    screenshot(bob, "governance-banned")

    # alice's version page shows the violation of the starter policy on banned components
    alice.goto(f"{url}/projects")
    alice.get_by_role("link", name="payments-api").click()
    alice.get_by_role("link", name="1.0", exact=True).first.click()
    violation = alice.locator("#version-policy tbody.violation", has_text="simplejson")
    _until(alice, violation, "the banned-component violation")
    assert "fail" in violation.locator("[data-verdict]").first.inner_text()
    assert "banned" in violation.inner_text()
    assert alice.get_by_text("Waive this violation").count() == 0  # alice may not waive
    screenshot(alice, "governance-version-policy")
    version_url = alice.url

    # carol, a payments lead who may grant waivers, waives it and takes the waiver back
    carol = _browser_as(browser, url, "carol", watch)
    carol.goto(version_url)
    carol.evaluate("window.assayNoReload = true")  # survives only if htmx swaps, not reloads
    row = carol.locator("#version-policy tbody.violation", has_text="simplejson")
    row.get_by_text("Waive this violation").click()
    row.get_by_label("Reason").fill("Replacement scheduled for the next sprint")
    row.get_by_label("Expires").fill((now() + timedelta(days=7)).date().isoformat())
    row.get_by_role("button", name="Grant waiver").click()
    carol.locator("#version-policy").get_by_text("recorded.").wait_for()
    waived = carol.locator("#version-policy tbody.violation", has_text="simplejson")
    assert waived.locator('[data-violation-state="waived"]').count() == 1
    assert "waived by user:carol" in waived.inner_text()
    screenshot(carol, "governance-waived")
    waived.get_by_text("Revoke the waiver").click()
    waived.get_by_label("Reason to revoke").fill("Sprint slipped: no exception")
    waived.get_by_role("button", name="Revoke waiver").click()
    carol.locator("#version-policy").get_by_text("revoked.").wait_for()
    assert carol.locator('#version-policy [data-violation-state="open"]').count() == 1
    assert carol.evaluate("window.assayNoReload === true")
    alice.locator("#version-policy").get_by_role("link").first.click()  # the policy's page
    alice.get_by_role("heading", name="Violations on projects you can see").wait_for()
    assert alice.locator("table.violations", has_text="simplejson").count() == 1
    screenshot(alice, "governance-policy")

    # a new BOM without the component closes the remediation item
    _upload(url, key, "1.1", _bom([("orjson", "3.10.7", "MIT"), ("idna", "3.7", "BSD-3-Clause")]))
    bob.goto(entry_url)
    _until(bob, bob.locator('[data-item-state="done"]'), "the closed remediation item")
    assert bob.locator('[data-progress="open"]').inner_text() == "0"
    assert bob.locator('[data-progress="done"]').inner_text() == "1"
    assert bob.get_by_text("no project uses a banned version any more").count() == 1
    screenshot(bob, "governance-remediated")

    # another project on an older idna: the unification page shows how to converge
    _upload(url, key, "2.0", _bom([("idna", "3.6", "BSD-3-Clause")]), project="ledger-api")
    bob.goto(f"{url}/catalogue/unification")
    bob.locator("#unification-table").get_by_role("link", name="idna").click()
    bob.locator("#unification-chart canvas").first.wait_for()
    assert "upgrade 1 project from 3.6 to 3.7" in bob.locator("[data-converge]").inner_text()
    screenshot(bob, "governance-unification")

    for path, name in (("/catalogue", "governance-catalogue"), ("/policies", "governance-policies"),
                       ("/violations?state=all", "governance-violations")):  # fmt: skip
        bob.goto(f"{url}{path}")
        screenshot(bob, name)
    bob.goto(f"{url}/catalogue")
    bob.locator("#catalogue-states canvas").first.wait_for()


def test_a_policy_written_edited_and_deleted_in_the_browser(
    server: tuple[str, str], browser: Browser, screenshot: Screenshot, watch: list[str]
) -> None:
    url, _ = server
    name = "no-critical-in-pci"
    dana = _browser_as(browser, url, "dana", watch)
    dana.get_by_role("navigation", name="Main").get_by_role("link", name="Policies").click()

    # the example, with a typo: the loader's error above the form, the text kept
    editor = dana.locator("#new-policy-form-yaml")
    example = editor.input_value()
    assert "name: no-critical-in-production" in example and "verdict: fail" in example
    mistyped = example.replace("no-critical-in-production", name).replace("verdict:", "verdcit:")
    editor.fill(mistyped)
    dana.get_by_role("button", name="Create policy").click()
    error = dana.locator("#policy-error")
    error.wait_for()
    assert "unknown key 'verdcit'" in error.inner_text()
    assert dana.locator("#new-policy-form-yaml").input_value() == mistyped
    screenshot(dana, "policy-refused")

    # fixed, it is created and listed
    dana.locator("#new-policy-form-yaml").fill(mistyped.replace("verdcit:", "verdict:"))
    dana.get_by_role("button", name="Create policy").click()
    dana.wait_for_url(f"**/policies/{name}?saved=created")
    assert "Policy created" in dana.locator(".flash-success").inner_text()
    dana.get_by_role("link", name="Policies", exact=True).first.click()
    listed = dana.locator(f'tr[data-policy="{name}"]')
    listed.wait_for()
    assert "a critical vulnerability" in listed.inner_text()

    # edited: a warning now
    listed.get_by_role("link", name=name).click()
    dana.locator("#edit-policy > summary").click()
    editor = dana.locator("#edit-policy-form-yaml")
    editor.fill(editor.input_value().replace("verdict: fail", "verdict: warn"))
    dana.get_by_role("button", name="Save policy").click()
    dana.wait_for_url(f"**/policies/{name}?saved=updated")
    assert dana.locator('h1 [data-verdict="warn"]').count() == 1
    screenshot(dana, "policy-edited")

    # deleted, once its name is typed
    dana.locator("#delete-policy > summary").click()
    dana.locator("#delete-confirm").fill(name)
    dana.get_by_role("button", name="Delete policy").click()
    dana.wait_for_url(f"**/policies?deleted={name}")
    assert dana.locator(f'tr[data-policy="{name}"]').count() == 0
    assert f"Policy '{name}' deleted." in dana.locator(".flash-success").inner_text()

    # the refused text was answered 422, which the browser logs: expected once, not a problem
    refused = (
        "Failed to load resource: the server responded with a status of 422 "
        f"(Unprocessable Entity) ({url}/policies)"
    )
    assert watch.count(refused) == 1, watch
    watch.remove(refused)
