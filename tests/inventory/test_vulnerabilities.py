"""The vulnerability view: one group by any id, every source's facts, visible affected projects."""

from __future__ import annotations

import pytest

from assay.api.errors import NotFound
from assay.core.db import Database
from assay.core.permissions import Permission, Principal
from assay.inventory.vulnerabilities import advisory_record, vulnerability_detail
from tests.inventory.factories import (
    add_advisory,
    add_components,
    add_epss,
    add_finding,
    add_kev,
    make_project,
    make_team,
    make_version,
)

P = Permission
CVE = "CVE-2021-44228"
GHSA = "GHSA-jfh8-c2jp-5v3q"


def who(*teams: int) -> Principal:
    return Principal("key", "k", frozenset({P.VIEW_PORTFOLIO}), frozenset(teams))


@pytest.fixture
def teams(database: Database) -> tuple[int, int]:
    with database.session() as s:
        alpha, beta = make_team(s, "alpha"), make_team(s, "beta")
        add_advisory(
            s, GHSA, aliases=[CVE], source="ghsa", summary="Log4Shell", severity_level="critical",
            details="JNDI lookups in log messages.", cvss_score=10.0,
            severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}],
            packages=[("Maven", "org.apache.logging.log4j:log4j-core")],
            references=[{"type": "ADVISORY", "url": "https://example.org/a"},
                        {"type": "WEB", "url": "https://example.org/b"}],
        )  # fmt: skip
        add_advisory(
            s, CVE, source="nvd", severity_level="high", cvss_score=9.0,
            references=[{"type": "WEB", "url": "https://example.org/b"}],
        )  # fmt: skip
        add_kev(s, CVE, name="Log4j2 RCE", due_date="2021-12-24")
        add_epss(s, CVE, 0.97, 0.999)
        for team, name in ((alpha, "shop"), (beta, "vault")):
            v = make_version(s, make_project(s, name, team), "1")
            (row,) = add_components(s, v, ["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"])
            add_finding(s, v, row, CVE, aliases=[GHSA], severity="critical")
        v = make_version(s, make_project(s, "secret", beta), "1")
        (row,) = add_components(s, v, ["pkg:npm/x@1.0.0"])
        add_finding(s, v, row, "ASSAY-LOCAL-1")  # an id the knowledge base does not hold
        return alpha, beta


def test_detail_by_alias_names_the_cve_and_merges_sources(
    database: Database, teams: tuple[int, int]
) -> None:
    alpha, _ = teams
    with database.session() as s:
        got = vulnerability_detail(s, who(alpha), GHSA.lower())
        assert (got.id, got.aliases, got.ids) == (CVE, (GHSA,), (CVE, GHSA))
        assert (got.summary, got.details) == ("Log4Shell", "JNDI lookups in log messages.")
        assert (got.severity, got.cvss_score, got.withdrawn) == ("critical", 10.0, False)
        assert [v.advisory_id for v in got.vectors] == [GHSA]
        assert [r.url for r in got.references] == ["https://example.org/b", "https://example.org/a"]
        assert [(a.id, a.source) for a in got.advisories] == [(CVE, "nvd"), (GHSA, "ghsa")]
        assert got.packages == (("Maven", "org.apache.logging.log4j:log4j-core"),)
        assert [(k.cve_id, k.due_date) for k in got.kev] == [(CVE, "2021-12-24")]
        assert [(e.score, e.percentile) for e in got.epss] == [(0.97, 0.999)]
        assert [r.project for r in got.affected.page.items] == ["shop"]


def test_affected_projects_are_only_the_callers(database: Database, teams: tuple[int, int]) -> None:
    _, beta = teams
    with database.session() as s:
        assert [r.project for r in vulnerability_detail(s, who(beta), CVE).affected.page.items] == [
            "vault"
        ]
        nobody = vulnerability_detail(s, who(), CVE)  # public knowledge, no portfolio rows
        assert (nobody.id, nobody.affected.page.total, nobody.affected.projects) == (CVE, 0, 0)


def test_unknown_ids_are_found_only_through_visible_findings(
    database: Database, teams: tuple[int, int]
) -> None:
    alpha, beta = teams
    with database.session() as s:
        local = vulnerability_detail(s, who(beta), "ASSAY-LOCAL-1")
        assert (local.id, local.advisories, local.affected.page.total) == ("ASSAY-LOCAL-1", (), 1)
        with pytest.raises(NotFound, match="vulnerability ASSAY-LOCAL-1 not found"):
            vulnerability_detail(s, who(alpha), "ASSAY-LOCAL-1")  # beta's: same as absent
        with pytest.raises(NotFound, match="vulnerability CVE-1999-0001 not found"):
            vulnerability_detail(s, who(alpha), "CVE-1999-0001")


def test_each_source_record_reachable(database: Database, teams: tuple[int, int]) -> None:
    with database.session() as s:
        assert advisory_record(s, CVE, GHSA)["id"] == GHSA
        assert advisory_record(s, GHSA, CVE)["id"] == CVE
        with pytest.raises(NotFound, match=f"vulnerability {CVE} has no advisory GHSA-other"):
            advisory_record(s, CVE, "GHSA-other")
