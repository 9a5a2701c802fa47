"""The governance pages: policies, violations and waivers, the catalogue, vetting reports,
unification and de-commission progress, through the app's test client on both engines.

Data is made by the real services (catalogue requests, decisions and bans; policies put
through the policy service; versions evaluated by the policy evaluation), except the
vetting reports and a hostile violation, stored as rows to show how the pages render what
the background job and the engine write.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from assay.catalogue import service as catalogue
from assay.catalogue.lifecycle import Action
from assay.catalogue.models import CatalogueEntry, RemediationItem, VettingReport
from assay.core import account_service as accounts
from assay.core.clock import now, now_iso
from assay.core.db import Database
from assay.core.identity import principal_for_user
from assay.core.permissions import SYSTEM, Permission, Principal
from assay.inventory.models import ComponentRow
from assay.policy import service as policy_service
from assay.policy.evaluate import evaluate_version
from assay.policy.loader import policy_from_dict
from assay.policy.store import ViolationRow, WaiverRow
from tests.inventory import factories as f
from tests.web.pages_support import Portfolio, Site, seed, site_for

BANNED = "no-banned-components"
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def site(database: Database) -> Iterator[Site]:
    yield from site_for(database)


@dataclass(frozen=True)
class Governance:
    portfolio: Portfolio
    requests_entry: int  # pkg:pypi/requests, requested by alice
    log4j_entry: int  # log4j-core, approved then banned: payments 1.0 violates


def _policies(site: Site) -> None:
    with site.db.session() as s:
        for spec in (
            {"name": BANNED, "verdict": "fail", "description": "Banned components are not used.",
             "remediation": "Replace it with the catalogue's recommended replacement.",
             "conditions": [{"catalogue": {"status": "banned"}}]},
            {"name": "no-critical", "verdict": "warn", "scope": {"tags": ["pci"]},
             "conditions": [{"severity": {"at_least": "critical"}}]},
        ):  # fmt: skip
            policy_service.put(s, SYSTEM, policy_from_dict(spec, "test"), source="test")


def _principal(site: Site, username: str) -> Principal:
    with site.db.session() as s:
        user = accounts.user_by_name(s, username)
        assert user is not None
        return principal_for_user(s, user)


def govern(site: Site) -> Governance:
    """seed()'s portfolio; carol (stewards: manage_catalogue, portfolio-wide); dave (alpha and
    granters: grant_waiver); requests requested by alice; log4j-core banned by carol."""
    data = seed(site)
    site.team("stewards", Permission.VIEW_PORTFOLIO, Permission.PORTFOLIO_WIDE,
              Permission.MANAGE_CATALOGUE)  # fmt: skip
    site.team("granters", Permission.VIEW_PORTFOLIO, Permission.GRANT_WAIVER)
    site.user("carol", team="stewards")
    site.user("dave", team="alpha")
    with site.db.session() as s:
        dave = accounts.user_by_name(s, "dave")
        granters = accounts.team_by_name(s, "granters")
        assert dave is not None and granters is not None
        accounts.add_member(s, SYSTEM, granters, dave)
    _policies(site)
    alice, carol = _principal(site, "alice"), _principal(site, "carol")
    with site.db.session() as s:
        requested = catalogue.request(s, alice, "pkg:pypi/requests@2.32.3", "HTTP client")
        log4j = catalogue.request(
            s, alice, "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1", "logging"
        )
        catalogue.transition(s, carol, log4j.id, Action.APPROVE, "vetted")
        catalogue.ban(s, carol, log4j.purl, "Log4Shell", versions="<2.15.0")
        ids = (requested.id, log4j.id)
    with site.db.session() as s:
        evaluate_version(s, data.version)
        evaluate_version(s, data.other_version)
    return Governance(data, *ids)


@pytest.fixture
def gov(site: Site) -> Governance:
    return govern(site)


def _pages(g: Governance) -> list[str]:
    return [
        "/policies",
        f"/policies/{BANNED}",
        f"/policies/{BANNED}?state=all",
        "/violations",
        "/violations?state=all&verdict=fail&project=pay",
        "/catalogue",
        "/catalogue?state=banned&q=log4j",
        f"/catalogue/{g.requests_entry}",
        f"/catalogue/{g.log4j_entry}",
        f"/catalogue/{g.requests_entry}/vetting",
        "/catalogue/unification",
        "/catalogue/unification?purl=pkg:pypi/requests",
        f"/versions/{g.portfolio.version}",
    ]


def test_every_governance_page_renders_for_an_administrator(site: Site, gov: Governance) -> None:
    root = site.login("root")
    for path in _pages(gov):
        answer = root.get(path)
        assert answer.status_code == 200, (path, answer.text[:500])
        assert "script-src 'self'" in answer.headers["content-security-policy"]
    nav = root.get("/").text
    assert 'href="/catalogue"' in nav and 'href="/policies"' in nav


def test_anonymous_visitors_are_sent_to_sign_in(site: Site, gov: Governance) -> None:
    for path in _pages(gov):
        answer = site.client().get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login"), path


def test_a_user_who_may_not_view_the_portfolio_is_refused(site: Site, gov: Governance) -> None:
    site.team("uploaders", Permission.UPLOAD_BOM)
    site.user("ci-bot", team="uploaders")
    bot = site.login("ci-bot")
    assert 'href="/catalogue"' not in bot.get("/").text
    for path in ("/policies", "/violations", "/catalogue", "/catalogue/unification"):
        assert bot.get(path).status_code == 403, path


def test_the_policy_list_says_what_each_policy_does(site: Site, gov: Governance) -> None:
    text = site.login("alice").get("/policies").text
    row = re.search(r'<tr data-policy="no-critical">.*?</tr>', text, re.S)
    assert row is not None
    assert "projects with tag pci" in row.group(0)
    assert "critical" in row.group(0)
    assert 'data-verdict="warn"' in row.group(0)
    banned = re.search(rf'<tr data-policy="{BANNED}">.*?</tr>', text, re.S)
    assert banned is not None and "all projects" in banned.group(0)
    assert re.search(r'violations\?policy=no-banned-components">1<', banned.group(0))


def test_a_policy_page_lists_its_violations_on_visible_projects_only(
    site: Site, gov: Governance
) -> None:
    with site.db.session() as s:  # a violation on beta's ledger, which alice cannot see
        s.add(ViolationRow(
            version_id=gov.portfolio.other_version, project_id=gov.portfolio.other_project,
            policy_name=BANNED, verdict="fail", component_purl="pkg:npm/left-pad@1.0.0",
            component_name="left-pad", component_version="1.0.0",
            reasons=json.dumps(["secret ledger reason"]), first_seen_at=now_iso(),
            last_seen_at=now_iso(),
        ))  # fmt: skip
    alice = site.login("alice").get(f"/policies/{BANNED}").text
    assert "Replace it with the catalogue" in alice
    assert "log4j-core 2.14.1" in alice
    assert "catalogue: banned" in alice
    assert "ledger" not in alice and "left-pad" not in alice
    root = site.login("root").get(f"/policies/{BANNED}").text
    assert "left-pad" in root and "secret ledger reason" in root
    assert "ledger" not in site.login("alice").get("/violations?state=all").text


def test_the_version_page_shows_its_policy_section(site: Site, gov: Governance) -> None:
    text = site.login("alice").get(f"/versions/{gov.portfolio.version}").text
    section = text[text.index('id="version-policy"') :]
    assert f'data-policy="{BANNED}"' in section
    assert "log4j-core 2.14.1" in section
    assert 'data-violation-state="open"' in section
    assert "Waive this violation" not in section  # alice may not grant waivers


def test_could_not_evaluate_items_say_what_is_missing(site: Site, gov: Governance) -> None:
    with site.db.session() as s:
        s.add(ViolationRow(
            version_id=gov.portfolio.version, project_id=gov.portfolio.project,
            policy_name="no-critical", verdict="warn", outcome="unevaluated",
            component_purl="pkg:pypi/requests@2.19.0", component_name="requests",
            component_version="2.19.0",
            reasons=json.dumps(["epss: no EPSS scores imported; run assay db sync"]),
            first_seen_at=now_iso(), last_seen_at=now_iso(),
        ))  # fmt: skip
    text = site.login("alice").get(f"/versions/{gov.portfolio.version}").text
    assert "Could not evaluate" in text
    assert "no EPSS scores imported; run assay db sync" in text


def _waive(client: TestClient, version: int, token: str | None, **fields: str) -> httpx.Response:
    expires = (now() + timedelta(days=30)).date().isoformat()
    data = {"policy": BANNED, "component": "pkg:maven/org.apache.logging.log4j/log4j-core",
            "reason": "Vendor patch applied", "expires": expires, **fields}  # fmt: skip
    headers = {"HX-Request": "true"}
    if token is not None:
        headers["X-CSRF-Token"] = token
    answer: httpx.Response = client.post(f"/versions/{version}/waivers", data=data, headers=headers)
    return answer


def test_a_waiver_needs_the_csrf_token(site: Site, gov: Governance) -> None:
    dave = site.login("dave")
    assert _waive(dave, gov.portfolio.version, None).status_code == 403
    assert _waive(dave, gov.portfolio.version, "forged").status_code == 403
    with site.db.session() as s:
        assert s.scalar(select(WaiverRow.id)) is None


def test_a_granter_waives_a_violation_and_the_section_shows_it(site: Site, gov: Governance) -> None:
    dave = site.login("dave")
    page = dave.get(f"/versions/{gov.portfolio.version}").text
    assert "Waive this violation" in page
    answer = _waive(dave, gov.portfolio.version, site.csrf(dave), reason=HOSTILE)
    assert answer.status_code == 200
    assert f"Waiver for {BANNED} recorded." in answer.text
    assert 'data-violation-state="waived"' in answer.text
    assert "waived by user:dave" in answer.text
    assert HOSTILE not in answer.text and "&lt;script&gt;" in answer.text
    assert "waiver.create" in site.login("root").get("/audit").text
    waived = dave.get("/violations?state=waived").text
    assert "log4j-core 2.14.1" in waived


def test_a_granter_revokes_a_waiver_and_the_violation_is_open_again(
    site: Site, gov: Governance
) -> None:
    dave = site.login("dave")
    token = site.csrf(dave)
    _waive(dave, gov.portfolio.version, token)
    with site.db.session() as s:
        waiver = s.scalar(select(WaiverRow.id))
    path = f"/versions/{gov.portfolio.version}/waivers/{waiver}/revoke"
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    assert dave.post(path, data={"reason": "x"}, headers={"HX-Request": "true"}).status_code == 403
    empty = dave.post(path, data={"reason": " "}, headers=headers)
    assert "revoking a waiver needs a reason" in empty.text
    assert 'data-violation-state="waived"' in empty.text
    alice = site.login("alice")
    alice_headers = {"HX-Request": "true", "X-CSRF-Token": site.csrf(alice)}
    refused = alice.post(path, data={"reason": "x"}, headers=alice_headers)
    assert "requires the grant_waiver permission" in refused.text
    answer = dave.post(path, data={"reason": "patch withdrawn"}, headers=headers)
    assert f"Waiver {waiver} revoked." in answer.text
    assert 'data-violation-state="open"' in answer.text
    assert "Revoke the waiver" not in answer.text
    assert "waiver.revoke" in site.login("root").get("/audit").text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expires": "2001-01-01"}, "must be after today"),
        ({"expires": "next week"}, "is not a date"),
        ({"reason": "  "}, "needs a reason"),
        ({"policy": "no-such-policy"}, "no policy named"),
        ({"component": "pkg:pypi/x@1.0"}, "without version"),
    ],
)
def test_a_refused_waiver_is_shown_in_the_section(
    site: Site, gov: Governance, fields: dict[str, str], message: str
) -> None:
    dave = site.login("dave")
    answer = _waive(dave, gov.portfolio.version, site.csrf(dave), **fields)
    assert answer.status_code == 200
    assert 'role="alert"' in answer.text and message in answer.text
    with site.db.session() as s:
        assert s.scalar(select(WaiverRow.id)) is None


def test_waiving_needs_the_permission_and_the_project(site: Site, gov: Governance) -> None:
    alice = site.login("alice")
    answer = _waive(alice, gov.portfolio.version, site.csrf(alice))
    assert "requires the grant_waiver permission" in answer.text
    carol = site.login("carol")  # sees every project, owns none
    plain = carol.post(
        f"/versions/{gov.portfolio.version}/waivers",
        data={"policy": BANNED, "reason": "r", "expires": "2099-01-01",
              "csrf_token": site.csrf(carol)},
    )  # fmt: skip
    assert plain.status_code == 403
    bob = site.login("bob")
    assert _waive(bob, gov.portfolio.version, site.csrf(bob)).status_code == 404


def _post(client: TestClient, path: str, token: str | None, **data: str) -> httpx.Response:
    if token is not None:
        data["csrf_token"] = token
    answer: httpx.Response = client.post(path, data=data)
    return answer


@pytest.mark.parametrize("token", [None, "forged"])
def test_every_catalogue_post_needs_the_csrf_token(
    site: Site, gov: Governance, token: str | None
) -> None:
    carol = site.login("carol")
    posts = {
        "/catalogue/requests": {"purl": "pkg:npm/lodash@4.17.21", "reason": "r"},
        "/catalogue/bans": {"purl": "pkg:npm/lodash", "reason": "r"},
        f"/catalogue/{gov.requests_entry}/transitions": {"action": "review", "reason": "r"},
    }
    for path, data in posts.items():
        assert _post(carol, path, token, **data).status_code == 403, path
    with site.db.session() as s:
        assert s.scalar(select(CatalogueEntry).where(CatalogueEntry.name == "lodash")) is None
        assert s.get(CatalogueEntry, gov.requests_entry).state == "requested"  # type: ignore[union-attr]


def test_a_post_is_committed_before_its_redirect_is_sent(site: Site, gov: Governance) -> None:
    """A browser follows the 303 at once: the new entry must already be there."""
    seen: list[int | None] = []

    async def spy_app(scope: Any, receive: Any, send: Any) -> None:
        async def spy(message: Any) -> None:
            if message["type"] == "http.response.start" and scope.get("method") == "POST":
                with site.db.session() as s:
                    seen.append(
                        s.scalar(select(CatalogueEntry.id).where(CatalogueEntry.name == "lodash"))
                    )
            await send(message)

        await site.app(scope, receive, spy)

    spied = Site(cast(FastAPI, spy_app), site.db)
    alice = spied.login("alice")
    answer = _post(alice, "/catalogue/requests", spied.csrf(alice),
                   purl="pkg:npm/lodash@4.17.21", reason="utility")  # fmt: skip
    assert answer.status_code == 303
    assert seen and seen[-1] is not None
    assert answer.headers["location"] == f"/catalogue/{seen[-1]}"


def test_a_request_goes_to_its_entry_which_tells_the_requester_to_wait(
    site: Site, gov: Governance
) -> None:
    site.team("alpha", Permission.MANAGE_CATALOGUE)  # exists: no change; alice cannot manage
    alice = site.login("alice")
    answer = _post(alice, "/catalogue/requests", site.csrf(alice),
                   purl="pkg:npm/lodash@4.17.21", reason=HOSTILE)  # fmt: skip
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert re.fullmatch(r"/catalogue/\d+", location)
    page = alice.get(location).text
    assert "a second person must approve or reject it" in page
    assert 'data-vetting="pending"' in page and 'hx-trigger="every 3s"' in page
    assert HOSTILE not in page and "&lt;script&gt;" in page
    assert 'data-action="approve"' not in page


def test_a_requester_who_manages_the_catalogue_is_not_offered_approval(
    site: Site, gov: Governance
) -> None:
    carol = site.login("carol")
    answer = _post(carol, "/catalogue/requests", site.csrf(carol),
                   purl="pkg:npm/lodash@4.17.21", reason="utility")  # fmt: skip
    entry = answer.headers["location"]
    page = carol.get(entry).text
    assert "a second person must approve or reject it" in page
    assert 'data-action="review"' in page and 'data-action="ban"' in page
    assert 'data-action="approve"' not in page and 'data-action="reject"' not in page
    refused = _post(carol, f"{entry}/transitions", site.csrf(carol), action="approve", reason="me")
    assert refused.status_code == 409
    assert "a second person must decide" in refused.text


def test_a_second_person_approves_and_the_history_says_who(site: Site, gov: Governance) -> None:
    carol = site.login("carol")
    entry = f"/catalogue/{gov.requests_entry}"
    page = carol.get(entry).text
    assert 'data-action="approve"' in page and 'data-action="reject"' in page
    assert 'data-action="deprecate"' not in page
    answer = _post(carol, f"{entry}/transitions", site.csrf(carol), action="approve",
                   reason="vetted and needed", recommended_version="2.32.3")  # fmt: skip
    assert answer.status_code == 303
    page = carol.get(entry).text
    assert 'data-entry-state="approved"' in page
    history = page[page.index('id="entry-history"') :]
    assert "by user:carol" in history and "vetted and needed" in history
    assert "by user:alice" in history
    assert 'data-action="deprecate"' in page and 'data-action="ban"' in page
    assert 'data-action="approve"' not in page


def test_whoever_reopens_a_rejected_entry_is_not_offered_approval(
    site: Site, gov: Governance
) -> None:
    carol = site.login("carol")
    entry = f"/catalogue/{gov.requests_entry}"
    for action in ("reject", "review"):  # alice asked; carol rejects, then re-opens it
        answer = _post(carol, f"{entry}/transitions", site.csrf(carol), action=action,
                       reason="again")  # fmt: skip
        assert answer.status_code == 303
    page = carol.get(entry).text
    assert 'data-entry-state="in_review"' in page
    assert "a second person must approve or reject it" in page
    assert 'data-action="approve"' not in page and 'data-action="reject"' not in page
    refused = _post(carol, f"{entry}/transitions", site.csrf(carol), action="approve", reason="x")
    assert refused.status_code == 409
    assert "user:carol requested this component" in refused.text


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (
            {"action": "deprecate", "reason": "old", "sunset_date": "2030-01-01"},
            409,
            "cannot deprecate",
        ),
        ({"action": "fly", "reason": "x"}, 422, "is not a decision"),
        ({"action": "request", "reason": "x"}, 422, "is not a decision"),
        ({"action": "review", "reason": ""}, 422, "reason"),
        ({"action": "ban", "reason": "x", "banned_versions": ">>>1"}, 422, ""),
    ],
)
def test_refused_decisions_are_shown_on_the_entry(
    site: Site, gov: Governance, data: dict[str, str], status: int, message: str
) -> None:
    carol = site.login("carol")
    answer = _post(carol, f"/catalogue/{gov.requests_entry}/transitions", site.csrf(carol), **data)
    assert answer.status_code == status, answer.text[:400]
    assert 'class="flash flash-error"' in answer.text
    assert message in answer.text
    with site.db.session() as s:
        assert s.get(CatalogueEntry, gov.requests_entry).state == "requested"  # type: ignore[union-attr]


def test_decisions_need_manage_catalogue(site: Site, gov: Governance) -> None:
    bob = site.login("bob")
    page = bob.get(f"/catalogue/{gov.requests_entry}").text
    assert "Decisions need the manage_catalogue permission." in page
    assert '<form method="post" action="/catalogue/' not in page
    answer = _post(bob, f"/catalogue/{gov.requests_entry}/transitions", site.csrf(bob),
                   action="approve", reason="sure")  # fmt: skip
    assert answer.status_code == 403
    assert "Emergency ban" not in bob.get("/catalogue").text


def test_a_banned_entry_shows_affected_versions_and_remediation(
    site: Site, gov: Governance
) -> None:
    alice = site.login("alice")
    page = alice.get(f"/catalogue/{gov.log4j_entry}").text
    affected = page[page.index('id="affected-table"') :]
    assert f'data-affected="{gov.portfolio.version}"' in affected
    assert "2.14.1" in affected and "banned" in affected
    assert 'data-item-state="open"' in page
    assert '<span class="stat" data-progress="open">1</span>' in page
    assert "must still stop using it" in page
    assert 'data-transition="ban"' in page and "Log4Shell" in page
    bob = site.login("bob").get(f"/catalogue/{gov.log4j_entry}").text
    assert "payments" not in bob  # another team's use is not shown
    assert 'data-progress="open"' not in bob  # nor counted: bob sees no item at all
    assert "No remediation items" in bob


def test_progress_shows_done_when_the_component_is_gone(site: Site, gov: Governance) -> None:
    with site.db.session() as s:
        for row in s.scalars(select(ComponentRow).where(ComponentRow.name.like("%log4j%"))):
            s.delete(row)
    with site.db.session() as s:
        evaluate_version(s, gov.portfolio.version)
    page = site.login("alice").get(f"/catalogue/{gov.log4j_entry}").text
    assert '<span class="stat" data-progress="done">1</span>' in page
    assert '<span class="stat" data-progress="open">0</span>' in page
    assert "progress-fill w-100" in page
    assert "no project uses a banned version any more" in page
    with site.db.session() as s:
        assert s.scalar(select(RemediationItem.state)) == "done"


def _report(site: Site, entry: int, report: str, verdict: str = "review") -> None:
    with site.db.session() as s:
        s.add(VettingReport(entry_id=entry, purl="pkg:pypi/requests@2.32.3", verdict=verdict,
                            report=report, complete=False, created_by="system:assay",
                            created_at=now_iso()))  # fmt: skip


def test_the_vetting_report_is_shown_check_by_check(site: Site, gov: Governance) -> None:
    checks = [
        {"name": "vulnerabilities", "status": "pass", "summary": "no known advisories"},
        {"name": "typosquatting", "status": "warn", "summary": "close to reqeusts",
         "details": {"candidate": "reqeusts", "distance": 1}},
        {"name": "install_scripts", "status": "fail", "summary": HOSTILE, "details": [HOSTILE]},
        {"name": "release_age", "status": "not_run", "summary": "offline: registry not reached"},
        {"name": "weird", "status": "exploded", "summary": "unknown status"},
        "not a check",
    ]  # fmt: skip
    _report(site, gov.requests_entry, json.dumps({"verdict": "review", "checks": checks}))
    alice = site.login("alice")
    for path in (f"/catalogue/{gov.requests_entry}", f"/catalogue/{gov.requests_entry}/vetting"):
        text = alice.get(path).text
        assert 'data-vetting-verdict="review"' in text
        assert 'hx-trigger="every 3s"' not in text  # the report is there: no more polling
        for name, status in (("vulnerabilities", "pass"), ("typosquatting", "warn"),
                             ("install_scripts", "fail"), ("release_age", "not_run"),
                             ("weird", "not_run")):  # fmt: skip
            row = re.search(rf'<tr data-check="{name}">.*?</tr>', text, re.S)
            assert row is not None, name
            assert f'data-check-status="{status}"' in row.group(0), name
        assert "candidate: reqeusts" in text
        assert "Not every check could run: release_age, weird" in text
        assert HOSTILE not in text and "&lt;script&gt;alert" in text


@pytest.mark.parametrize("report", ["", "{", "[1, 2]", '{"checks": "many"}', "null"])
def test_a_malformed_vetting_report_renders_without_checks(
    site: Site, gov: Governance, report: str
) -> None:
    _report(site, gov.requests_entry, report, verdict="fail")
    text = site.login("alice").get(f"/catalogue/{gov.requests_entry}").text
    assert 'data-vetting-verdict="fail"' in text
    assert "The report lists no checks." in text


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/catalogue?state=bogus", 422, "state must be one of"),
        ("/catalogue?q=%00", 422, "control characters"),
        ("/violations?state=bogus", 422, "state"),
        ("/violations?verdict=fatal", 422, "verdict"),
        ("/violations?page=0", 422, "page"),
        ("/catalogue/unification?purl=not-a-purl", 422, "not-a-purl"),
        ("/catalogue/999999", 404, "no catalogue entry with id 999999"),
        ("/catalogue/999999/vetting", 404, "no catalogue entry"),
        ("/policies/no-such-policy", 404, "no policy named"),
        ("/catalogue/abc", 404, ""),
    ],
)
def test_bad_parameters_are_one_line_errors(
    site: Site, gov: Governance, path: str, status: int, message: str
) -> None:
    answer = site.login("alice").get(path)
    assert answer.status_code == status, answer.text[:300]
    assert message in answer.text


@pytest.mark.parametrize(
    ("purl", "message"),
    [
        ("", "purl"),
        ("requests", "requests"),
        ("pkg:pypi/requests@2.32.3", "already in the catalogue"),
        (HOSTILE, "&lt;script&gt;"),
    ],
)
def test_a_refused_request_is_shown_above_the_form(
    site: Site, gov: Governance, purl: str, message: str
) -> None:
    alice = site.login("alice")
    answer = _post(alice, "/catalogue/requests", site.csrf(alice), purl=purl, reason="because")
    assert answer.status_code in (409, 422), answer.text[:300]
    assert 'class="flash flash-error"' in answer.text and message in answer.text
    assert HOSTILE not in answer.text


def test_an_emergency_ban_from_the_catalogue_page(site: Site, gov: Governance) -> None:
    carol = site.login("carol")
    assert "Emergency ban" in carol.get("/catalogue").text
    answer = _post(carol, "/catalogue/bans", site.csrf(carol), purl="pkg:npm/left-pad",
                   reason="unpublished", versions="", due_date="")  # fmt: skip
    assert answer.status_code == 303
    page = carol.get(answer.headers["location"]).text
    assert 'data-entry-state="banned"' in page
    assert "ledger" in page  # carol sees every project: ledger uses left-pad
    text = carol.get("/catalogue?state=banned").text
    assert "left-pad" in text and "log4j" not in text  # a range ban keeps log4j approved
    assert re.search(r'data-state-count="banned"[^>]*>\s*<span class="stat">1</span>', text)


def test_unification_draws_the_chosen_component(site: Site, gov: Governance) -> None:
    with site.db.session() as s:
        for name, version in (("billing", "2.31.0"), ("cards", "2.32.3")):
            project = f.make_project(s, name, site.team("alpha"))
            v = f.make_version(s, project, "1.0")
            f.add_components(s, v, [f"pkg:pypi/requests@{version}"])
    alice = site.login("alice")
    listing = alice.get("/catalogue/unification").text
    assert (
        "pkg:pypi/requests" in listing
        and "/catalogue/unification?purl=pkg%3Apypi/requests" in listing
    )
    text = alice.get("/catalogue/unification?purl=pkg:pypi/requests").text
    assert 'id="unification-chart"' in text
    option = re.search(
        r'<script type="application/json" id="unification-chart-option">(.*?)</script>', text, re.S
    )
    assert option is not None
    data = json.loads(option.group(1))
    assert data["xAxis"]["data"] == ["2.19.0", "2.31.0", "2.32.3"]
    assert all(series["stack"] == "projects" for series in data["series"])
    assert '<tr data-version="2.19.0">' in text and "payments" in text
    assert "ledger" not in text


def test_hostile_project_names_are_escaped(site: Site, gov: Governance) -> None:
    with site.db.session() as s:
        project = f.make_project(s, '<img src=x onerror="alert(1)">', site.team("alpha"))
        version = f.make_version(s, project, "<b>1</b>")
        f.add_components(s, version, ["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"])
        version_id = version.id
    with site.db.session() as s:
        evaluate_version(s, version_id)
    alice = site.login("alice")
    for path in ("/violations", f"/policies/{BANNED}", f"/catalogue/{gov.log4j_entry}",
                 f"/versions/{version_id}"):  # fmt: skip
        text = alice.get(path).text
        assert "<img src=x" not in text and "<b>1</b>" not in text, path
        assert "&lt;img src=x" in text, path
