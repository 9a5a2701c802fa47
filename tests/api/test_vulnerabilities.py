"""/api/v1/vulnerabilities: one page per flaw whatever id it is asked by; affected per team."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.inventory.factories import (
    add_advisory,
    add_components,
    add_epss,
    add_finding,
    add_kev,
    make_project,
    make_version,
)

V1 = "/api/v1"
CVE, GHSA = "CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q"


@pytest.fixture
def seeded(api: Api) -> None:
    for role in ("admin", "alpha", "alpha_ci", "beta"):
        api.role(role)
    with api.db.session() as s:
        add_advisory(
            s, GHSA, aliases=[CVE], source="ghsa", summary="Log4Shell", severity_level="critical",
            severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}],
            references=[{"type": "ADVISORY", "url": "https://example.org/a"}],
        )  # fmt: skip
        add_advisory(s, CVE, aliases=[GHSA], source="nvd")
        add_kev(s, CVE, name="Log4j2 RCE")
        add_epss(s, CVE, 0.97, 0.999)
        for team, name in (("alpha", "shop"), ("beta", "vault")):
            v = make_version(s, make_project(s, name, api.team_id(team)), "1")
            (row,) = add_components(s, v, ["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"])
            add_finding(s, v, row, CVE, severity="critical")
        v = make_version(s, make_project(s, "hidden", api.team_id("beta")), "1")
        (row,) = add_components(s, v, ["pkg:npm/x@1.0.0"])
        add_finding(s, v, row, "ASSAY-LOCAL-7")


def test_ghsa_opens_the_cve_page_with_every_source(api: Api, seeded: None) -> None:
    got = api.as_role("alpha").get(f"{V1}/vulnerabilities/{GHSA}")
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["id"], body["aliases"], body["summary"]) == (CVE, [GHSA], "Log4Shell")
    assert body["severity"] == "critical"
    assert [a["source"] for a in body["advisories"]] == ["nvd", "ghsa"]
    assert body["vectors"][0]["type"] == "CVSS_V3"
    assert body["references"] == [{"type": "ADVISORY", "url": "https://example.org/a"}]
    assert body["kev"][0]["name"] == "Log4j2 RCE"
    assert body["epss"][0]["score"] == 0.97
    assert body["affected_projects"] == 1
    assert [r["project"] for r in body["affected"]["items"]] == ["shop"]
    record = api.as_role("alpha").get(body["advisories"][1]["record_url"])
    assert (record.status_code, record.json()["id"]) == (200, GHSA)


def test_affected_projects_never_leak(api: Api, seeded: None) -> None:
    beta = api.as_role("beta").get(f"{V1}/vulnerabilities/{CVE}").json()
    assert [r["project"] for r in beta["affected"]["items"]] == ["vault"]
    assert "shop" not in str(beta)
    assert api.as_role("beta").get(f"{V1}/vulnerabilities/ASSAY-LOCAL-7").status_code == 200
    hidden = api.as_role("alpha").get(f"{V1}/vulnerabilities/ASSAY-LOCAL-7")
    missing = api.as_role("alpha").get(f"{V1}/vulnerabilities/ASSAY-LOCAL-8")
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["detail"] == "vulnerability ASSAY-LOCAL-7 not found"


def test_permissions_and_bad_ids(api: Api, seeded: None) -> None:
    assert api.anonymous.get(f"{V1}/vulnerabilities/{CVE}").status_code == 401
    assert api.as_role("alpha_ci").get(f"{V1}/vulnerabilities/{CVE}").status_code == 403
    alpha = api.as_role("alpha")
    assert alpha.get(f"{V1}/vulnerabilities/{'A' * 129}").status_code == 422
    assert alpha.get(f"{V1}/vulnerabilities/-x").status_code == 422
    assert alpha.get(f"{V1}/vulnerabilities/{CVE}/advisories/GHSA-nope").status_code == 404
    assert alpha.get(f"{V1}/vulnerabilities/{CVE}/advisories/%00").status_code == 404
