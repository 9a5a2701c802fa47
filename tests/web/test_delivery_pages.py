"""The delivery dashboards and explain pages through the app's test client, on both engines.

The history (tests/web/delivery_history.py) is ingested through the real store and the
service configurations applied through the real service; the pages call the real metric
functions. Who sees what follows :func:`assay.delivery.access.visible_services`: root
(admin, portfolio-wide) sees every service, alice (team alpha) only payments.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from assay.core.db import Database
from assay.core.permissions import Permission
from assay.web.pages.delivery_reads import latest_received
from tests.web.delivery_history import HOSTILE, seed_history
from tests.web.pages_support import Site, site_for

_CHART = re.compile(r'<script type="application/json" id="([^"]+)-option">(.*?)</script>', re.S)


@pytest.fixture
def site(database: Database) -> Iterator[Site]:
    yield from site_for(database)


def _people(site: Site) -> None:
    site.team("alpha", Permission.VIEW_PORTFOLIO)
    site.team("beta", Permission.VIEW_PORTFOLIO)
    site.team("outsiders")
    site.user("root", admin=True)
    site.user("alice", team="alpha")
    site.user("olga", team="outsiders")


@pytest.fixture
def seeded(site: Site) -> Site:
    _people(site)
    with site.db.session() as s:
        seed_history(s, datetime.now(UTC))
    return site


def _charts(html: str) -> dict[str, dict[str, object]]:
    return {name: json.loads(option) for name, option in _CHART.findall(html)}


def _headline(html: str) -> str:
    start = html.index('id="delivery-headline"')
    return html[start : html.index("</section>", start)]


def test_organisation_dashboard_shows_tiles_tiers_series_and_tables(seeded: Site) -> None:
    root = seeded.login("root")
    page = root.get("/delivery?days=30")
    assert page.status_code == 200, page.text
    html = page.text
    head = _headline(html)
    # payments D1..D4 (D-failed is not a deployment), ledger L1, L2 ("PROD": case-insensitive),
    # and the hostile service's one: staging is not production.
    assert 'data-deployments="7"' in head
    assert re.search(r'class="badge tier tier-(elite|high|medium|low)"', head)
    assert "DORA 2024" in head
    assert "/delivery/explain?metric=deployments&amp;days=30" in head
    charts = _charts(html)
    assert {"dora-deployments", "dora-lead-time", "dora-cfr", "dora-recovery"} <= set(charts)
    assert sum(charts["dora-deployments"]["series"][0]["data"]) == 7  # type: ignore[index]
    assert 'href="/delivery/teams/alpha?days=30"' in html
    assert 'href="/delivery/services/payments?days=30"' in html
    assert 'href="/delivery/services/ledger?days=30"' in html
    # each row loads its own figures when it scrolls into view
    assert 'hx-get="/delivery/row?kind=team&amp;name=alpha&amp;days=30"' in html
    assert 'hx-get="/delivery/row?kind=team&amp;name=&amp;days=30"' in html  # no team
    assert 'hx-get="/delivery/row?kind=service&amp;name=payments&amp;days=30"' in html
    assert '<script src="/static/js/delivery.js" defer></script>' in html
    assert '<a href="/delivery" aria-current="page">Delivery</a>' in html


def test_window_selector_offers_30_90_180_days(seeded: Site) -> None:
    html = seeded.login("root").get("/delivery?days=90").text
    assert 'href="/delivery?days=30"' in html and 'href="/delivery?days=180"' in html
    assert '<span aria-current="true" class="window-current">90 days</span>' in html
    assert seeded.login("root").get("/delivery?days=0").status_code == 422
    assert seeded.login("root").get("/delivery?days=abc").status_code == 422


def test_a_team_member_sees_only_their_teams_services(seeded: Site) -> None:
    alice = seeded.login("alice")
    head = _headline(alice.get("/delivery").text)
    assert 'data-deployments="4"' in head  # payments only
    html = alice.get("/delivery").text
    assert "ledger" not in html and "alert(" not in html
    assert alice.get("/delivery/teams/alpha").status_code == 200
    for path in ("/delivery/teams/beta", "/delivery/services/ledger",
                 "/delivery/explain?metric=deployments&service=ledger",
                 "/delivery/explain?metric=deployments&team=beta"):  # fmt: skip
        assert alice.get(path).status_code == 404, path
    explain = alice.get("/delivery/explain?metric=deployments").text
    assert "L1" not in explain and "D1" in explain


def test_without_view_portfolio_the_pages_are_refused(seeded: Site) -> None:
    olga = seeded.login("olga")
    for path in ("/delivery", "/delivery/services/payments", "/delivery/explain?metric=deployments",
                 "/delivery/stream"):  # fmt: skip
        assert olga.get(path).status_code == 403, path
    assert "/delivery" not in olga.get("/").text
    anonymous = seeded.client().get("/delivery/stream")
    assert anonymous.status_code in (303, 307) and "/login" in anonymous.headers["location"]


def test_team_dashboard_lists_the_teams_services(seeded: Site) -> None:
    html = seeded.login("root").get("/delivery/teams/alpha").text
    assert 'data-deployments="4"' in _headline(html)
    assert 'id="delivery-services"' in html and 'id="delivery-teams"' not in html
    assert "/delivery/explain?metric=lead_time&amp;days=90&amp;team=alpha" in html


def test_service_dashboard_shows_phases_waterfall_stages_and_root_causes(seeded: Site) -> None:
    html = seeded.login("root").get("/delivery/services/payments").text
    assert 'data-deployments="4"' in _headline(html)
    charts = _charts(html)
    assert {"lead-time-phases", "stage-waterfall", "stage-shares"} <= set(charts)
    waterfall = charts["stage-waterfall"]
    assert waterfall["yAxis"]["data"] == ["deploy", "test", "build"]  # type: ignore[index]
    assert "Run <code>run-5</code>" in html  # the latest default-branch run
    assert 'id="delivery-broken"' in html and "run-3" in html  # run 3 broke main
    assert 'id="delivery-flaky"' in html and "unit::tests.api::test_pay" in html
    assert 'id="delivery-clusters"' in html
    assert "How this service is measured" in html and "production" in html
    assert 'href="/delivery/teams/alpha?days=90"' in html  # breadcrumb to the team


def test_explain_lists_the_events_behind_each_number(seeded: Site) -> None:
    root = seeded.login("root")
    deployments = root.get("/delivery/explain?metric=deployments&service=payments").text
    for dep in ("D1", "D2", "D3", "D4"):
        assert f"<code>{dep}</code>" in deployments
    assert "D-failed" not in deployments
    cfr = root.get("/delivery/explain?metric=change_failure_rate&service=payments").text
    assert "incident INC-1 (explicit)" in cfr
    assert "next deployment D4 was a rollback" in cfr
    assert 'class="failed"' in cfr
    lead = root.get("/delivery/explain?metric=lead_time&service=payments").text
    assert "PR-1" in lead and 'id="explain-table"' in lead
    recovery = root.get("/delivery/explain?metric=recovery_time&service=payments").text
    assert "<code>INC-1</code>" in recovery and "<code>INC-2</code>" in recovery
    assert "explicit: the incident names the deployment" in recovery
    assert "Definitions stored with this result" in recovery and "tier_thresholds" in recovery


@pytest.mark.parametrize(
    "query",
    [
        "metric=nonsense",
        "",
        "metric=deployments&days=99999",
        "metric=deployments&service=" + "x" * 300,
    ],
)
def test_explain_refuses_bad_parameters_with_a_page(seeded: Site, query: str) -> None:
    answer = seeded.login("root").get(f"/delivery/explain?{query}")
    assert answer.status_code == 422
    assert "<h1>" in answer.text and "Traceback" not in answer.text


def test_unknown_service_and_team_are_not_found(seeded: Site) -> None:
    root = seeded.login("root")
    assert root.get("/delivery/services/nope").status_code == 404
    assert root.get("/delivery/teams/nope").status_code == 404
    assert root.get("/delivery/explain?metric=deployments&service=nope").status_code == 404


def test_hostile_names_from_events_are_escaped(seeded: Site) -> None:
    root = seeded.login("root")
    html = root.get("/delivery").text
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(" in html
    path = "/delivery/services/%3Cscript%3Ealert%28%22x%22%29%3C%2Fscript%3E"
    assert path + "?days=90" in html
    service = root.get(path)
    assert service.status_code == 200 and HOSTILE not in service.text
    explain = root.get("/delivery/explain", params={"metric": "deployments", "service": HOSTILE})
    assert explain.status_code == 200 and HOSTILE not in explain.text
    assert "&lt;script&gt;" in explain.text


def test_htmx_gets_only_the_headline_fragment(seeded: Site) -> None:
    root = seeded.login("root")
    answer = root.get("/delivery/services/payments", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<section id="delivery-headline"')
    assert "<html" not in answer.text and 'data-deployments="4"' in answer.text


def test_a_new_install_shows_how_to_send_events(site: Site) -> None:
    _people(site)
    root = site.login("root")
    html = root.get("/delivery").text
    assert "No delivery events yet" in html
    assert "assay events import" in html and "assay events git" in html
    assert "data-assay-chart" not in html and 'id="delivery-headline"' not in html
    assert 'data-delivery-empty="true"' in html
    assert 'id="delivery-restricted"' not in html  # root sees every service
    assert root.get("/delivery/services/payments").status_code == 404


def test_a_team_without_services_is_told_why_it_sees_nothing(seeded: Site) -> None:
    seeded.team("gamma", Permission.VIEW_PORTFOLIO)
    seeded.user("gil", team="gamma")
    html = seeded.login("gil").get("/delivery").text
    assert "No delivery events yet" in html and 'id="delivery-restricted"' in html
    assert "/delivery/services/" not in html and "ledger" not in html


def test_the_page_names_the_newest_event_it_was_drawn_with(seeded: Site) -> None:
    """delivery.js opens /delivery/stream?since=<that>, so an event that arrives between the
    page and the stream still triggers an update."""
    with seeded.db.session() as s:
        stamp = latest_received(s, None)
    assert stamp > 0
    html = seeded.login("root").get("/delivery").text
    assert f'data-delivery-stream="/delivery/stream?since={stamp}"' in html
    service = seeded.login("root").get("/delivery/services/payments").text
    assert f"/delivery/stream?since={stamp}&amp;service=payments" in service


def test_stream_rejects_a_bad_since(seeded: Site) -> None:
    client: TestClient = seeded.login("root")
    assert client.get("/delivery/stream?since=" + "9" * 40).status_code == 422


def _row(client: TestClient, kind: str, name: str, days: int = 90) -> str:
    answer = client.get("/delivery/row", params={"kind": kind, "name": name, "days": days})
    assert answer.status_code == 200, answer.text
    assert answer.text.lstrip().startswith("<tr") and "<html" not in answer.text
    return str(answer.text)


def _cells(row: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def test_rows_show_each_team_and_service_with_tiers_builds_and_coverage(seeded: Site) -> None:
    root = seeded.login("root")
    payments = _cells(_row(root, "service", "payments"))
    assert payments[0] == "payments" and payments[1] == "4"
    assert payments[4].startswith("75.0 %")  # D2 (INC-1), D3 (rollback D4), D4 (INC-2) of 4
    assert payments[6] == "80.0 %"  # builds: 4 of 5 runs succeeded
    assert payments[7] == "80.0 %"  # 80 of 100 lines
    html = _row(root, "service", "payments")
    assert re.search(r"tier-(elite|high|medium|low)", html)
    assert (
        'href="/delivery/explain?metric=change_failure_rate&amp;days=90&amp;service=payments"'
        in html
    )
    assert "/delivery/explain" not in _row(root, "team", "")  # no team: no explain scope
    alpha = _cells(_row(root, "team", "alpha"))
    assert alpha[0] == "alpha" and alpha[1] == "4"
    beta = _cells(_row(root, "team", "beta"))
    assert beta[1] == "2" and beta[6] == "–"  # no builds: no rate, not 0
    no_team = _cells(_row(root, "team", ""))
    assert no_team[0] == "(no team)" and no_team[1] == "1"


def test_rows_follow_what_the_viewer_may_see(seeded: Site) -> None:
    alice = seeded.login("alice")
    assert _cells(_row(alice, "service", "payments"))[1] == "4"
    for kind, name in (("service", "ledger"), ("team", "beta"), ("team", ""), ("service", "")):
        answer = alice.get("/delivery/row", params={"kind": kind, "name": name})
        assert answer.status_code == 404, (kind, name)
    assert alice.get("/delivery/row?kind=nonsense&name=x").status_code == 422
    assert seeded.login("olga").get("/delivery/row?kind=service&name=payments").status_code == 403


def test_a_hostile_row_is_escaped(seeded: Site) -> None:
    row = _row(seeded.login("root"), "service", HOSTILE)
    assert HOSTILE not in row and "&lt;script&gt;" in row
