"""Every page: renders for an administrator, redirects the anonymous, hides other teams' data.

Runs on SQLite with a seeded two-team portfolio (see tests/web/pages_support.py);
the pages read through the same services as the API, which are tested on both
engines, and tests/web/test_pages_postgres.py runs a smoke test on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.permissions import Permission
from tests.web.pages_support import Portfolio, Site, seed, site_for

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


@pytest.fixture
def site(database: Database) -> Iterator[Site]:
    yield from site_for(database)


@pytest.fixture
def data(site: Site) -> Portfolio:
    return seed(site)


def pages(data: Portfolio) -> list[str]:
    return [
        "/",
        "/projects",
        f"/projects/{data.project}",
        f"/versions/{data.version}",
        f"/versions/{data.version}?tab=components",
        f"/versions/{data.version}?tab=graph",
        f"/findings/{data.finding}",
        "/components?name=log4j-core",
        "/vulnerabilities/CVE-2021-44228",
        "/audit",
        "/admin",
    ]


def test_every_page_renders_for_an_administrator(site: Site, data: Portfolio) -> None:
    root = site.login("root")
    for path in pages(data):
        answer = root.get(path)
        assert answer.status_code == 200, (path, answer.text[:300])
        assert answer.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        assert 'href="/admin"' in answer.text  # the admin sees the Admin link


def test_anonymous_visitors_are_sent_to_sign_in(site: Site, data: Portfolio) -> None:
    anonymous = site.client()
    for path in pages(data):
        answer = anonymous.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login"), path


def test_htmx_requests_without_a_session_redirect_the_whole_page(
    site: Site, data: Portfolio
) -> None:
    answer = site.client().get(
        "/projects?page=2", headers={"HX-Request": "true", "HX-Target": "projects-results"}
    )
    assert answer.status_code == 204
    assert answer.headers["hx-redirect"] == "/login?next=%2Fprojects%3Fpage%3D2"


def test_the_sign_in_redirect_returns_to_the_page(site: Site, data: Portfolio) -> None:
    answer = site.client().get(f"/projects/{data.project}")
    assert answer.headers["location"] == f"/login?next=%2Fprojects%2F{data.project}"


@pytest.mark.parametrize(
    "path",
    [
        "/projects/{other_project}",
        "/versions/{other_version}",
        "/versions/{other_version}?tab=graph",
        "/projects/999999",
        "/versions/999999",
        "/findings/999999",
    ],
)
def test_another_teams_project_is_not_found(site: Site, data: Portfolio, path: str) -> None:
    alice = site.login("alice")
    answer = alice.get(path.format(**data.__dict__))
    assert answer.status_code == 404
    assert "Not found" in answer.text
    assert "ledger" not in answer.text


def test_the_project_list_shows_only_the_users_projects(site: Site, data: Portfolio) -> None:
    alice = site.login("alice")
    text = alice.get("/projects").text
    assert "payments" in text
    assert "ledger" not in text
    assert site.login("root").get("/projects").text.count("/projects/") >= 2


def test_non_administrators_do_not_see_admin(site: Site, data: Portfolio) -> None:
    alice = site.login("alice")
    assert 'href="/admin"' not in alice.get("/").text
    assert alice.get("/admin").status_code == 404


def test_a_user_who_may_not_view_the_portfolio(site: Site, data: Portfolio) -> None:
    site.team("uploaders", Permission.UPLOAD_BOM)
    site.user("ci-bot", team="uploaders")
    bot = site.login("ci-bot")
    home = bot.get("/")
    assert home.status_code == 200
    assert "view_portfolio" in home.text
    assert 'href="/projects"' not in home.text
    assert bot.get("/projects").status_code == 403
    assert bot.get(f"/versions/{data.version}").status_code == 403


def test_the_dashboard_counts_only_visible_projects(site: Site, data: Portfolio) -> None:
    text = site.login("bob").get("/").text
    assert "1 project you can see" in text
    assert "log4j-core" not in text  # alice's vulnerable component


def test_the_version_page_shows_findings_and_downloads(site: Site, data: Portfolio) -> None:
    text = site.login("alice").get(f"/versions/{data.version}").text
    assert 'href="/vulnerabilities/CVE-2021-44228"' in text
    assert "GHSA-jfh8-c2jp-5v3q" in text  # the alias
    assert "2.15.0" in text  # fixed version
    assert 'data-analysis-state="in_triage"' in text
    assert f"/api/v1/versions/{data.version}/vex" in text
    assert 'name="csrf_token"' in text


def test_the_download_links_work_with_the_session(site: Site, data: Portfolio) -> None:
    alice, bob = site.login("alice"), site.login("bob")
    vex = alice.get(f"/api/v1/versions/{data.version}/vex")
    assert vex.status_code == 200
    assert "CVE-2021-44228" in vex.text
    assert bob.get(f"/api/v1/versions/{data.version}/vex").status_code == 404


def test_the_components_tab_searches(site: Site, data: Portfolio) -> None:
    alice = site.login("alice")
    text = alice.get(f"/versions/{data.version}?tab=components&q=requests").text
    assert "pkg:pypi/requests@2.19.0" in text
    assert "log4j" not in text.split("<tbody>", 1)[1]


def test_the_graph_tab_embeds_nodes_and_edges(site: Site, data: Portfolio) -> None:
    text = site.login("alice").get(f"/versions/{data.version}?tab=graph").text
    assert "data-assay-chart" in text
    assert '"type": "graph"' in text
    assert "log4j-core 2.14.1" in text
    option = json.loads(text.split('id="dependency-graph-option">', 1)[1].split("</script>")[0])
    (series,) = option["series"]
    by_name = {node["name"]: node for node in series["data"]}
    vulnerable = by_name["org.apache.logging.log4j:log4j-core 2.14.1"]
    assert vulnerable["itemStyle"]["color"] == "#991b1b"  # its critical finding
    assert "itemStyle" not in by_name["requests 2.19.0"]
    assert series["links"] == [{"source": str(by_name["requests 2.19.0"]["id"]),
                                "target": str(vulnerable["id"])}]  # fmt: skip


def test_a_tab_requested_by_htmx_is_a_fragment(site: Site, data: Portfolio) -> None:
    alice = site.login("alice")
    answer = alice.get(
        f"/versions/{data.version}?tab=components",
        headers={"HX-Request": "true", "HX-Target": "tab-panel"},
    )
    assert answer.status_code == 200
    assert "<html" not in answer.text
    assert 'id="tab-panel"' in answer.text


def test_the_project_list_filters_sorts_and_pages(site: Site, data: Portfolio) -> None:
    root = site.login("root")
    assert "ledger" not in root.get("/projects?tag=pci").text
    assert "payments" not in root.get("/projects?q=led").text
    sorted_page = root.get("/projects?sort=-critical&page_size=1").text
    assert "payments" in sorted_page and "ledger" not in sorted_page
    assert 'rel="next"' in sorted_page
    fragment = root.get(
        "/projects?q=pay", headers={"HX-Request": "true", "HX-Target": "projects-results"}
    )
    assert "<html" not in fragment.text and "payments" in fragment.text
    # the count and the filter form's sort, outside the results, follow out of band
    assert '<span id="projects-count" class="muted" hx-swap-oob="true">1 project</span>' in (
        fragment.text
    )
    sorted_fragment = root.get(
        "/projects?sort=-high", headers={"HX-Request": "true", "HX-Target": "projects-results"}
    )
    assert 'id="projects-sort" name="sort" value="-high" hx-swap-oob="true"' in sorted_fragment.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=password", "cannot sort by"),
        ("page=0", "page"),
        ("page_size=501", "page_size"),
        ("q=" + "x" * 300, "q"),
    ],
)
def test_bad_list_parameters_are_a_page_not_a_traceback(
    site: Site, data: Portfolio, query: str, message: str
) -> None:
    answer = site.login("alice").get(f"/projects?{query}")
    assert answer.status_code == 422
    assert message in answer.text
    assert "Traceback" not in answer.text


def test_component_search_finds_only_visible_components(site: Site, data: Portfolio) -> None:
    alice, bob = site.login("alice"), site.login("bob")
    log4j = "purl=pkg:maven/org.apache.logging.log4j/log4j-core"
    assert "payments" in alice.get(f"/components?{log4j}&range=[2.0,2.14.1]").text
    assert "payments" not in alice.get(f"/components?{log4j}&range=[2.15,3]").text
    assert "payments" in alice.get("/components?license=apache-2.0").text
    assert "payments" not in bob.get(f"/components?{log4j}").text
    assert "No component in your projects matches" in bob.get(f"/components?{log4j}").text
    bad = alice.get("/components?name=x&purl=pkg:npm/x")
    assert bad.status_code == 422
    assert "not both" in bad.text


def test_the_vulnerability_page(site: Site, data: Portfolio) -> None:
    alice, bob = site.login("alice"), site.login("bob")
    by_alias = alice.get("/vulnerabilities/GHSA-jfh8-c2jp-5v3q").text
    assert "CVE-2021-44228" in by_alias
    assert "payments" in by_alias
    assert 'href="https://logging.apache.org/log4j/2.x/security.html"' in by_alias
    assert 'href="javascript:' not in by_alias  # unsafe reference URLs are not links
    other = bob.get("/vulnerabilities/CVE-2021-44228").text
    assert "payments" not in other
    assert bob.get("/vulnerabilities/CVE-2099-0001").status_code == 200
    assert alice.get("/vulnerabilities/CVE-2099-0001").status_code == 404


def _state(site: Site, finding: int) -> str:
    from assay.inventory.effective import effective_states

    with site.db.session() as s:
        return effective_states(s, [finding]).get(finding, "in_triage")


def test_a_triage_post_changes_the_state_and_is_audited(site: Site, data: Portfolio) -> None:
    alice = site.login("alice")
    token = site.csrf(alice)
    answer = alice.post(
        f"/findings/{data.finding}/analysis",
        data={
            "csrf_token": token,
            "state": "not_affected",
            "justification": "code_not_reachable",
            "detail": "JNDI lookups disabled",
            "scope": "finding",
        },
        headers={"HX-Request": "true", "HX-Target": f"finding-{data.finding}"},
    )
    assert answer.status_code == 200, answer.text[:500]
    assert f'id="finding-{data.finding}"' in answer.text
    assert 'data-analysis-state="not_affected"' in answer.text
    assert "JNDI lookups disabled" in answer.text  # the history, swapped in with the row
    assert 'id="version-summary" aria-labelledby="summary-title" hx-swap-oob="true"' in answer.text
    assert '<span data-count="suppressed">1</span>' in answer.text  # the counts follow
    assert '<span data-count="critical">0</span>' in answer.text
    assert _state(site, data.finding) == "not_affected"
    with site.db.session() as s:
        entry = s.query(AuditEntry).filter(AuditEntry.action == "decision.create").one()
        assert entry.actor == "user:alice"
    log = alice.get("/audit?action=decision.create").text
    assert "decision.create" in log and "user:alice" in log


def test_a_triage_post_without_javascript_redirects(site: Site, data: Portfolio) -> None:
    alice = site.login("alice")
    answer = alice.post(
        f"/findings/{data.finding}/analysis",
        data={"csrf_token": site.csrf(alice), "state": "exploitable", "response": ["update"]},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/findings/{data.finding}"
    assert _state(site, data.finding) == "exploitable"


def test_a_broken_rule_is_shown_in_the_row(site: Site, data: Portfolio) -> None:
    alice = site.login("alice")
    answer = alice.post(
        f"/findings/{data.finding}/analysis",
        data={"csrf_token": site.csrf(alice), "state": "not_affected"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "requires a justification" in answer.text
    assert _state(site, data.finding) == "in_triage"
    plain = alice.post(
        f"/findings/{data.finding}/analysis",
        data={"csrf_token": site.csrf(alice), "state": "bogus"},
    )
    assert plain.status_code == 422
    assert "unknown state" in plain.text


def test_scoped_decisions(site: Site, data: Portfolio) -> None:
    alice = site.login("alice")
    token = site.csrf(alice)
    no_expiry = alice.post(
        f"/findings/{data.finding}/analysis",
        data={"csrf_token": token, "state": "false_positive", "scope": "project"},
        headers={"HX-Request": "true"},
    )
    assert "needs an expires_at" in no_expiry.text
    done = alice.post(
        f"/findings/{data.finding}/analysis",
        data={
            "csrf_token": token,
            "state": "false_positive",
            "scope": "project",
            "expires_at": "2999-01-01",
        },
        headers={"HX-Request": "true"},
    )
    assert 'data-analysis-state="false_positive"' in done.text
    portfolio = alice.post(
        f"/findings/{data.finding}/analysis",
        data={"csrf_token": token, "state": "exploitable", "scope": "portfolio"},
    )
    assert portfolio.status_code == 403


def test_form_posts_need_the_csrf_token(site: Site, data: Portfolio) -> None:
    alice = site.login("alice")
    for token in ("", "forged"):
        answer = alice.post(
            f"/findings/{data.finding}/analysis",
            data={"csrf_token": token, "state": "exploitable"},
        )
        assert answer.status_code == 403
    assert _state(site, data.finding) == "in_triage"


def test_another_teams_finding_cannot_be_triaged(site: Site, data: Portfolio) -> None:
    bob = site.login("bob")
    answer = bob.post(
        f"/findings/{data.finding}/analysis",
        data={"csrf_token": site.csrf(bob), "state": "exploitable"},
    )
    assert answer.status_code == 404
    assert _state(site, data.finding) == "in_triage"


def test_comments(site: Site, data: Portfolio) -> None:
    alice = site.login("alice")
    answer = alice.post(
        f"/findings/{data.finding}/comments",
        data={"csrf_token": site.csrf(alice), "text": "<b>looking</b> into it"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "&lt;b&gt;looking&lt;/b&gt; into it" in answer.text  # escaped, never markup
    assert "looking" in alice.get(f"/findings/{data.finding}/history").text
    empty = alice.post(
        f"/findings/{data.finding}/comments", data={"csrf_token": site.csrf(alice), "text": ""}
    )
    assert empty.status_code == 422


def test_hostile_names_are_escaped(site: Site, data: Portfolio) -> None:
    from tests.inventory import factories as f

    with site.db.session() as s:
        team = f.make_team(s, "alpha")
        f.make_project(s, '<script>alert("x")</script>', team, tags=['"><img src=x>'])
    text = site.login("alice").get("/projects").text
    assert "<script>alert" not in text
    assert "&lt;script&gt;" in text
    assert '"><img' not in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"state": "exploitable", "scope": "galaxy"}, "unknown scope"),
        ({"state": "exploitable", "expires_at": "next tuesday"}, "not an ISO 8601 date"),
        ({"state": "exploitable", "expires_at": "2001-01-01"}, "must be in the future"),
        ({"state": "exploitable", "response": ["shrug"]}, "unknown response"),
        ({"state": "exploitable", "detail": "x" * 10_001}, "detail"),
        ({"state": "x" * 65}, "state"),
        ({}, "state"),
    ],
)
def test_hostile_triage_forms_are_refused(
    site: Site, data: Portfolio, fields: dict[str, object], message: str
) -> None:
    alice = site.login("alice")
    answer = alice.post(
        f"/findings/{data.finding}/analysis", data={"csrf_token": site.csrf(alice), **fields}
    )
    assert answer.status_code == 422
    assert message in answer.text
    assert "Traceback" not in answer.text
    assert _state(site, data.finding) == "in_triage"


def test_another_teams_history_is_not_found(site: Site, data: Portfolio) -> None:
    bob = site.login("bob")
    assert bob.get(f"/findings/{data.finding}/history").status_code == 404
    answer = bob.post(
        f"/findings/{data.finding}/comments", data={"csrf_token": site.csrf(bob), "text": "hi"}
    )
    assert answer.status_code == 404


def test_parent_and_child_projects(site: Site, data: Portfolio) -> None:
    from tests.inventory import factories as f

    with site.db.session() as s:
        alpha, beta = f.make_team(s, "alpha"), f.make_team(s, "beta")
        f.make_project(s, "payments-gateway", alpha, parent_id=data.project)
        f.make_project(s, "secret-child", beta, parent_id=data.project)
    alice = site.login("alice")
    parent = alice.get(f"/projects/{data.project}").text
    assert "payments-gateway" in parent
    assert "secret-child" not in parent  # another team's child stays hidden
    child_id = parent.split('href="/projects/')[-1].split('"')[0]
    child = alice.get(f"/projects/{child_id}").text
    assert f'href="/projects/{data.project}">payments</a>' in child


def test_the_audit_log_shows_only_the_users_teams(site: Site, data: Portfolio) -> None:
    alice, bob = site.login("alice"), site.login("bob")
    alice.post(
        f"/findings/{data.finding}/comments",
        data={"csrf_token": site.csrf(alice), "text": "mine"},
    )
    assert "finding.comment" in alice.get("/audit").text
    assert "finding.comment" not in bob.get("/audit").text
    page = alice.get("/audit?action=finding.comment")
    assert "/api/v1/audit/export?action=finding.comment&amp;format=csv" in page.text
    assert alice.get("/audit?since=yesterday").status_code == 422
