"""Portfolio search by purl, name, version, range and licence; who a vulnerability affects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from assay.core.db import Database
from assay.core.permissions import Permission, Principal
from assay.inventory.models import ComponentRow, FindingRow, ProjectVersion
from assay.inventory.paging import InvalidQuery
from assay.inventory.ranges import InvalidRange
from assay.inventory.search import (
    ComponentQuery,
    affected_by,
    group_ids,
    search_components,
    spdx_ids,
)
from tests.inventory.factories import (
    Comp,
    add_advisory,
    add_components,
    add_finding,
    make_project,
    make_team,
    make_version,
)

P = Permission
LOG4J = "pkg:maven/org.apache.logging.log4j/log4j-core"


def who(*teams: int) -> Principal:
    return Principal("key", "k", frozenset({P.VIEW_PORTFOLIO}), frozenset(teams))


ADMIN = Principal("user", "root", frozenset({P.ADMINISTER}), frozenset())


@pytest.fixture
def portfolio(database: Database) -> tuple[int, int]:
    """alpha: shop (two versions) and api; beta: vault. log4j-core at several versions."""
    with database.session() as s:
        alpha, beta = make_team(s, "alpha"), make_team(s, "beta")
        shop = make_project(s, "shop", alpha)
        old = make_version(s, shop, "1.0")
        add_components(s, old, [f"{LOG4J}@2.0-beta9", "pkg:npm/lodash@4.17.20"])
        new = make_version(s, shop, "2.0")
        add_components(
            s,
            new,
            [
                f"{LOG4J}@2.14.1",
                Comp.of("pkg:npm/lodash@4.17.21", licenses="MIT"),
                Comp.of("pkg:pypi/Django@4.2", licenses="BSD-3-Clause OR MIT-0"),
                Comp.of("pkg:npm/%40angular/core@16.0.0", licenses="(MIT AND Apache-2.0)"),
            ],
        )
        api = make_project(s, "api", alpha)
        add_components(
            s,
            make_version(s, api, "7"),
            [f"{LOG4J}@2.15.0-rc1", Comp.of("pkg:pypi/django@3.2", licenses="mit")],
        )
        vault = make_project(s, "vault", beta)
        add_components(s, make_version(s, vault, "1"), [f"{LOG4J}@2.9.1", "pkg:npm/lodash@4.17.4"])
        return alpha, beta


def hits(session: Session, principal: Principal, **kw: object) -> list[tuple[str, str, str]]:
    page = search_components(session, principal, ComponentQuery(**kw))  # type: ignore[arg-type]
    return [(h.project, h.version, h.component.version) for h in page.items]


def test_version_range_on_maven_ordering(database: Database, portfolio: tuple[int, int]) -> None:
    alpha, beta = portfolio
    with database.session() as s:
        query = {"name": "org.apache.logging.log4j:log4j-core", "ecosystem": "maven"}
        assert hits(s, who(alpha), **query, range="[2.0,2.14.1]") == [("shop", "2.0", "2.14.1")]
        assert hits(s, who(alpha), **query, range=">=2.0-alpha1,<=2.14.1") == [
            ("shop", "1.0", "2.0-beta9"),
            ("shop", "2.0", "2.14.1"),
        ]
        assert hits(s, ADMIN, **query, range="[2.0,2.14.1]") == [
            ("shop", "2.0", "2.14.1"),
            ("vault", "1", "2.9.1"),
        ]
        assert hits(s, who(beta), **query, range="[2.0,2.14.1]") == [("vault", "1", "2.9.1")]
        assert hits(s, who(), **query, range="[2.0,2.14.1]") == []


def test_version_range_on_npm_and_pypi(database: Database, portfolio: tuple[int, int]) -> None:
    with database.session() as s:
        assert hits(s, ADMIN, name="lodash", ecosystem="npm", range="<4.17.21") == [
            ("shop", "1.0", "4.17.20"),
            ("vault", "1", "4.17.4"),  # 4.17.4 < 4.17.21 numerically, not as text
        ]
        assert hits(s, ADMIN, name="DJANGO", ecosystem="pypi", range=">=4.0rc1") == [
            ("shop", "2.0", "4.2")
        ]


def test_name_without_ecosystem_is_normalised_for_each(
    database: Database, portfolio: tuple[int, int]
) -> None:
    with database.session() as s:
        assert hits(s, ADMIN, name="Django") == [("api", "7", "3.2"), ("shop", "2.0", "4.2")]
        assert hits(s, ADMIN, name="@angular/core") == [("shop", "2.0", "16.0.0")]
        assert hits(s, ADMIN, name="no-such-package") == []


def test_purl_exact_and_prefix(database: Database, portfolio: tuple[int, int]) -> None:
    alpha, _ = portfolio
    with database.session() as s:
        assert hits(s, ADMIN, purl=f"{LOG4J}@2.9.1") == [("vault", "1", "2.9.1")]
        assert hits(s, who(alpha), purl=f"{LOG4J}@2.9.1") == []
        assert [h[0] for h in hits(s, who(alpha), purl=LOG4J)] == ["api", "shop", "shop"]
        assert hits(s, ADMIN, purl="pkg:npm/lodash", version="4.17.21") == [
            ("shop", "2.0", "4.17.21")
        ]


def test_latest_only_and_exact_version(database: Database, portfolio: tuple[int, int]) -> None:
    alpha, _ = portfolio
    with database.session() as s:
        assert hits(s, who(alpha), purl=LOG4J, latest_only=True) == [
            ("api", "7", "2.15.0-rc1"),
            ("shop", "2.0", "2.14.1"),
        ]
        assert hits(s, ADMIN, name="lodash", ecosystem="npm", version="4.17.4") == [
            ("vault", "1", "4.17.4")
        ]


def test_licence_search_matches_whole_spdx_ids(
    database: Database, portfolio: tuple[int, int]
) -> None:
    with database.session() as s:
        found = hits(s, ADMIN, license="MIT")
        assert sorted(f[2] for f in found) == ["16.0.0", "3.2", "4.17.21"]  # not MIT-0's Django
        assert [f[2] for f in hits(s, ADMIN, license="mit-0")] == ["4.2"]
        assert [f[2] for f in hits(s, ADMIN, license="Apache-2.0")] == ["16.0.0"]
        assert hits(s, ADMIN, license="GPL-3.0-only") == []
        assert [f[2] for f in hits(s, ADMIN, license="MIT", name="lodash")] == ["4.17.21"]


def test_pagination_of_range_results(database: Database, portfolio: tuple[int, int]) -> None:
    with database.session() as s:
        query = ComponentQuery(purl=LOG4J, range=">=0")
        first = search_components(s, ADMIN, query, page=1, page_size=2)
        second = search_components(s, ADMIN, query, page=2, page_size=2)
        assert (first.total, second.total) == (4, 4)
        seen = [h.component.version for h in first.items + second.items]
        assert seen == ["2.15.0-rc1", "2.0-beta9", "2.14.1", "2.9.1"]
        plain = search_components(s, ADMIN, ComponentQuery(purl=LOG4J), page=3, page_size=2)
        assert (plain.items, plain.total) == ((), 4)
        alpha = portfolio[0]  # a team's total counts only its own projects' rows
        mine = search_components(s, who(alpha), ComponentQuery(purl=LOG4J), page_size=1)
        assert (len(mine.items), mine.total) == (1, 3)
        latest = ComponentQuery(purl=LOG4J, latest_only=True)
        assert search_components(s, ADMIN, latest, page_size=1).total == 3


@pytest.mark.parametrize(
    ("query", "error", "message"),
    [
        (ComponentQuery(), InvalidQuery, "needs a purl, a name or a licence"),
        (ComponentQuery(version="1.0"), InvalidQuery, "needs a purl"),
        (ComponentQuery(purl=LOG4J, name="x"), InvalidQuery, "not both"),
        (ComponentQuery(name="x", version="1", range="<2"), InvalidQuery, "not both"),
        (ComponentQuery(name="x" * 1025), InvalidQuery, "longer than 1024"),
        (ComponentQuery(license="MIT", range="<2"), InvalidQuery, "range needs the package"),
        (ComponentQuery(name="a\x00b"), InvalidQuery, "name contains control characters"),
        (ComponentQuery(name="a", ecosystem="npm\x00"), InvalidQuery, "ecosystem contains"),
        (ComponentQuery(license="MIT\n"), InvalidQuery, "license contains control"),
        (ComponentQuery(purl="not-a-purl"), InvalidQuery, "purl 'not-a-purl'"),
        (ComponentQuery(purl="pkg:unknowntype/x"), InvalidQuery, "no vulnerability ecosystem"),
        (ComponentQuery(name="x", range="~1"), InvalidRange, "is not '>=V'"),
    ],
)
def test_bad_queries(database: Database, query: ComponentQuery, error: type, message: str) -> None:
    with database.session() as s, pytest.raises(error, match=message):
        search_components(s, ADMIN, query)


def test_spdx_ids() -> None:
    assert spdx_ids("(MIT OR Apache-2.0) AND GPL-2.0-only WITH Classpath-exception-2.0") == {
        "mit", "apache-2.0", "gpl-2.0-only", "classpath-exception-2.0",
    }  # fmt: skip
    assert spdx_ids("") == set()


# -- affected_by ----------------------------------------------------------------------------


@pytest.fixture
def log4shell(database: Database, portfolio: tuple[int, int]) -> None:
    """CVE-2021-44228 known as a GHSA (whose alias is the CVE) and as the CVE itself."""
    with database.session() as s:
        add_advisory(s, "GHSA-jfh8-c2jp-5v3q", aliases=["CVE-2021-44228"], summary="Log4Shell")
        add_advisory(s, "CVE-2021-44228", aliases=["GHSA-jfh8-c2jp-5v3q"], source="nvd")
        for version in s.query(ProjectVersion).order_by(ProjectVersion.id):
            for comp in s.query(ComponentRow).filter(
                ComponentRow.version_id == version.id, ComponentRow.name.like("%log4j-core")
            ):
                resolved = "2024-01-01T00:00:00Z" if comp.version == "2.0-beta9" else None
                add_finding(
                    s, version, comp, "CVE-2021-44228",
                    aliases=["GHSA-jfh8-c2jp-5v3q"], severity="critical", resolved_at=resolved,
                )  # fmt: skip


def test_group_ids_resolve_aliases_both_ways(database: Database, log4shell: None) -> None:
    with database.session() as s:
        by_ghsa = group_ids(s, "ghsa-jfh8-c2jp-5v3q")
        assert by_ghsa.id == "CVE-2021-44228"
        assert by_ghsa.ids == ("CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q")
        assert group_ids(s, "CVE-2021-44228") == by_ghsa
        unknown = group_ids(s, "CVE-1999-0001")
        assert (unknown.id, unknown.known) == ("CVE-1999-0001", False)
        with pytest.raises(InvalidQuery, match="1 to 128"):
            group_ids(s, "x" * 129)


def test_affected_by_alias_lists_only_visible_open_findings(
    database: Database, portfolio: tuple[int, int], log4shell: None
) -> None:
    alpha, beta = portfolio
    with database.session() as s:
        mine = affected_by(s, who(alpha), "GHSA-jfh8-c2jp-5v3q")
        assert mine.vulnerability.id == "CVE-2021-44228"
        assert [(r.project, r.version, r.component_version) for r in mine.page.items] == [
            ("api", "7", "2.15.0-rc1"),
            ("shop", "2.0", "2.14.1"),  # shop 1.0's finding is resolved
        ]
        assert (mine.projects, mine.page.total) == (2, 2)
        theirs = affected_by(s, who(beta), "CVE-2021-44228")
        assert [r.project for r in theirs.page.items] == ["vault"]
        assert (theirs.projects, theirs.page.total) == (1, 1)
        nobody = affected_by(s, who(), "CVE-2021-44228")
        assert (nobody.projects, nobody.page.total, nobody.page.items) == (0, 0, ())
        assert affected_by(s, ADMIN, "cve-2021-44228", latest_only=True).page.total == 3
        paged = affected_by(s, ADMIN, "CVE-2021-44228", page=2, page_size=2)
        assert ([r.project for r in paged.page.items], paged.page.total) == (["vault"], 3)


# -- query plans ----------------------------------------------------------------------------


def _plans(database: Database, call: Callable[[Session], object]) -> list[str]:
    """The query plan of every SELECT ``call`` runs, as one text each."""
    seen: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, params))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        with database.session() as s:
            call(s)
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    sqlite = database.settings.is_sqlite
    raw = database.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("ANALYZE")
        prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        plans = []
        for statement, params in seen:
            cur.execute(prefix + statement, params)
            plans.append(f"{statement}\n" + "\n".join(str(r[-1]) for r in cur.fetchall()))
        return plans
    finally:
        raw.rollback()
        raw.close()


def _bulk(database: Database) -> None:
    """Enough rows for the planners to judge selectivity as on a real portfolio."""
    with database.session() as s:
        project = make_project(s, "bulk", None)
        version = make_version(s, project, "1")
        s.execute(
            insert(ComponentRow),
            [
                {"version_id": version.id, "ecosystem": ("npm", "PyPI", "Maven")[i % 3],
                 "name": f"pkg-{i % 500}", "display_name": f"pkg-{i % 500}", "version": f"1.{i}",
                 "purl": None, "licenses": f"LicenseRef-{i % 300}", "bom_ref": f"r{i}"}
                for i in range(4000)
            ],
        )  # fmt: skip
        s.execute(
            insert(FindingRow),
            [
                {"version_id": version.id, "project_id": project.id, "component_purl": f"p{i}",
                 "component_name": "x", "component_version": "1", "ecosystem": "npm",
                 "vuln_id": f"CVE-2020-{i}", "first_seen_at": "t", "last_seen_at": "t"}
                for i in range(4000)
            ],
        )  # fmt: skip


def test_query_plans_use_the_indexes(
    database: Database, portfolio: tuple[int, int], log4shell: None
) -> None:
    """The searches of issue 4's performance goal probe indexes, on both engines."""
    _bulk(database)
    range_query = ComponentQuery(
        name="org.apache.logging.log4j:log4j-core", ecosystem="Maven", range="[2.0,2.14.1]"
    )
    plans = _plans(database, lambda s: search_components(s, ADMIN, range_query))
    (component,) = [p for p in plans if "FROM component" in p]
    assert "ix_component_ecosystem_name_version" in component
    plans = _plans(database, lambda s: search_components(s, ADMIN, ComponentQuery(license="MIT")))
    licence = [p for p in plans if "FROM component" in p]
    assert licence and all("ix_component_licenses" in p for p in licence), licence
    plans = _plans(database, lambda s: affected_by(s, ADMIN, "GHSA-jfh8-c2jp-5v3q"))
    findings = [p for p in plans if "FROM finding" in p]
    assert findings and all("ix_finding_vuln_id" in p for p in findings)
