"""/api/v1/search: components and affected projects, never another team's rows or counts."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.inventory.factories import (
    Comp,
    add_advisory,
    add_components,
    add_finding,
    make_project,
    make_version,
)

V1 = "/api/v1"
LOG4J = "pkg:maven/org.apache.logging.log4j/log4j-core"
CVE, GHSA = "CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q"


@pytest.fixture
def seeded(api: Api) -> None:
    for role in ("admin", "auditor", "alpha", "alpha_ci", "beta"):
        api.role(role)
    with api.db.session() as s:
        add_advisory(s, GHSA, aliases=[CVE], summary="Log4Shell")
        for team, project, version in (("alpha", "shop", "2.14.1"), ("beta", "vault", "2.9.1")):
            v = make_version(s, make_project(s, project, api.team_id(team)), "1")
            (row,) = add_components(s, v, [Comp.of(f"{LOG4J}@{version}", licenses="Apache-2.0")])
            add_finding(s, v, row, CVE, aliases=[GHSA], severity="critical")


def test_component_search_by_range_is_per_team(api: Api, seeded: None) -> None:
    params = {"purl": LOG4J, "range": "[2.0,2.14.1]"}
    alpha = api.as_role("alpha").get(f"{V1}/search/components", params=params).json()
    assert [(h["project"], h["component"]["version"]) for h in alpha["items"]] == [
        ("shop", "2.14.1")
    ]
    assert alpha["total"] == 1
    beta = api.as_role("beta").get(f"{V1}/search/components", params=params).json()
    assert [h["project"] for h in beta["items"]] == ["vault"]
    assert beta["total"] == 1
    everyone = api.as_role("auditor").get(f"{V1}/search/components", params=params).json()
    assert everyone["total"] == 2


def test_component_search_by_name_licence_and_version(api: Api, seeded: None) -> None:
    admin = api.as_role("admin")
    by_name = admin.get(
        f"{V1}/search/components",
        params={"name": "org.apache.logging.log4j:log4j-core", "ecosystem": "Maven"},
    )
    assert by_name.json()["total"] == 2
    by_licence = admin.get(f"{V1}/search/components", params={"license": "apache-2.0"})
    assert by_licence.json()["total"] == 2
    exact = admin.get(f"{V1}/search/components", params={"purl": f"{LOG4J}@2.9.1"})
    assert [h["project"] for h in exact.json()["items"]] == ["vault"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "needs a purl, a name or a licence"),
        ({"name": "x", "range": "~1"}, "is not '>=V'"),
        ({"purl": "nonsense"}, "purl 'nonsense'"),
        ({"name": "x", "version": "1", "range": "<2"}, "not both"),
        ({"name": "x\x00"}, "name contains control characters"),
        ({"purl": "pkg:npm/x", "version": "1\x00"}, "version contains control characters"),
    ],
)
def test_bad_component_searches_are_one_line_422(
    api: Api, params: dict[str, str], message: str
) -> None:
    got = api.as_role("alpha").get(f"{V1}/search/components", params=params)
    assert got.status_code == 422
    assert message in got.json()["detail"]


@pytest.mark.parametrize(
    "params", [{"name": "x" * 513}, {"range": "<" * 301, "name": "x"}, {"page_size": 501}]
)
def test_oversized_parameters_are_422(api: Api, params: dict[str, object]) -> None:
    assert api.as_role("alpha").get(f"{V1}/search/components", params=params).status_code == 422


def test_affected_by_alias_shows_only_own_projects_and_counts(api: Api, seeded: None) -> None:
    alpha = api.as_role("alpha").get(f"{V1}/search/vulnerability/{GHSA}").json()
    assert (alpha["id"], alpha["known"], alpha["projects"]) == (CVE, True, 1)
    assert [r["project"] for r in alpha["affected"]["items"]] == ["shop"]
    assert alpha["affected"]["total"] == 1
    assert "vault" not in str(alpha)
    admin = api.as_role("admin").get(f"{V1}/search/vulnerability/{CVE}").json()
    assert (admin["projects"], admin["affected"]["total"]) == (2, 2)


def test_search_needs_view_permission(api: Api, seeded: None) -> None:
    assert api.anonymous.get(f"{V1}/search/components?name=x").status_code == 401
    ci = api.as_role("alpha_ci")
    assert ci.get(f"{V1}/search/components?name=x").status_code == 403
    assert ci.get(f"{V1}/search/vulnerability/{CVE}").status_code == 403
    bad_id = api.as_role("alpha").get(f"{V1}/search/vulnerability/%20OR%201=1")
    assert bad_id.status_code == 422
