"""Projects: visibility (404 not 403), reading one, versions, the one-query list with counts."""

from __future__ import annotations

import pytest

from assay.api.errors import NotFound
from assay.core.db import Database
from assay.core.permissions import Permission, Principal
from assay.inventory.paging import InvalidQuery
from assay.inventory.projects import (
    get_project,
    get_version,
    list_projects,
    list_versions,
)
from tests.inventory.factories import make_project, make_team, make_version

P = Permission


def who(*teams: int, perms: frozenset[Permission] | None = None, name: str = "t") -> Principal:
    return Principal(
        "key", name, perms or frozenset({P.VIEW_PORTFOLIO, P.UPLOAD_BOM}), frozenset(teams)
    )


ADMIN = Principal("user", "root", frozenset({P.ADMINISTER}), frozenset())
WIDE = Principal("user", "aud", frozenset({P.VIEW_PORTFOLIO, P.PORTFOLIO_WIDE}), frozenset())


@pytest.fixture
def teams(database: Database) -> tuple[int, int]:
    with database.session() as s:
        return make_team(s, "alpha"), make_team(s, "beta")


def seed(database: Database, alpha: int, beta: int) -> None:
    with database.session() as s:
        a1 = make_project(s, "a-payments", alpha, criticality="critical", tags=["pci", "java"])
        make_version(s, a1, "1.0", counts={"critical": 1, "high": 9, "components": 10})
        make_version(s, a1, "2.0", counts={"critical": 5, "high": 2, "components": 300})
        a2 = make_project(s, "a-ledger", alpha, criticality="low", parent_id=a1.id)
        make_version(s, a2, "1", counts={"critical": 0, "high": 7, "components": 50})
        make_project(s, "a-empty", alpha, tags=["java"])
        b1 = make_project(s, "b-secret", beta, criticality="high")
        make_version(s, b1, "9", counts={"critical": 99, "components": 1})
        make_project(s, "orphan", None)


def names(page: object) -> list[str]:
    return [p.name for p in page.items]  # type: ignore[attr-defined]


def test_list_shows_only_visible_projects_with_latest_counts(
    database: Database, teams: tuple[int, int]
) -> None:
    alpha, beta = teams
    seed(database, alpha, beta)
    with database.session() as s:
        page = list_projects(s, who(alpha))
        assert names(page) == ["a-empty", "a-ledger", "a-payments"]
        assert page.total == 3
        payments = page.items[2]
        assert payments.latest is not None
        assert (payments.latest.version, payments.latest.critical) == ("2.0", 5)
        assert payments.tags == ("java", "pci")
        assert page.items[0].latest is None
        assert names(list_projects(s, who(beta))) == ["b-secret"]
        assert names(list_projects(s, who())) == []
        assert list_projects(s, who()).total == 0
        assert names(list_projects(s, ADMIN)) == [
            "a-empty", "a-ledger", "a-payments", "b-secret", "orphan",
        ]  # fmt: skip
        assert list_projects(s, WIDE).total == 5


def test_sorting_and_pagination(database: Database, teams: tuple[int, int]) -> None:
    alpha, beta = teams
    seed(database, alpha, beta)
    with database.session() as s:
        me = who(alpha)
        assert names(list_projects(s, me, sort="critical", order="desc")) == [
            "a-payments", "a-ledger", "a-empty",
        ]  # fmt: skip
        assert names(list_projects(s, me, sort="high", order="desc"))[0] == "a-ledger"
        assert names(list_projects(s, me, sort="components", order="asc"))[0] == "a-empty"
        assert names(list_projects(s, me, sort="criticality", order="desc"))[0] == "a-payments"
        second = list_projects(s, me, page=2, page_size=2)
        assert (names(second), second.total, second.pages) == (["a-payments"], 3, 2)
        beyond = list_projects(s, me, page=9, page_size=2)
        assert (names(beyond), beyond.total) == ([], 3)


def test_filters(database: Database, teams: tuple[int, int]) -> None:
    alpha, beta = teams
    seed(database, alpha, beta)
    with database.session() as s:
        me = who(alpha)
        assert names(list_projects(s, me, tag="java")) == ["a-empty", "a-payments"]
        assert names(list_projects(s, me, q="LEDG")) == ["a-ledger"]
        assert names(list_projects(s, me, q="%")) == []  # LIKE wildcards are literal
        assert names(list_projects(s, me, criticality="low")) == ["a-ledger"]
        assert names(list_projects(s, me, team=beta)) == []  # beta's team: nothing leaks
        parent = list_projects(s, me, q="payments").items[0].id
        assert names(list_projects(s, me, parent=parent)) == ["a-ledger"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sort": "password"}, "cannot sort by 'password'"),
        ({"order": "sideways"}, "order must be"),
        ({"page": 0}, "page must be 1 or more"),
        ({"page_size": 501}, "page_size must be between 1 and 500"),
        ({"page_size": 0}, "page_size must be between"),
        ({"q": "a\x00"}, "q contains control characters"),
        ({"tag": "t" * 65}, "tag is longer than 64"),
    ],
)
def test_bad_list_parameters(database: Database, kwargs: dict[str, object], message: str) -> None:
    with database.session() as s, pytest.raises(InvalidQuery, match=message):
        list_projects(s, ADMIN, **kwargs)  # type: ignore[arg-type]


def test_get_project_lists_visible_children_and_hides_others(
    database: Database, teams: tuple[int, int]
) -> None:
    alpha, beta = teams
    with database.session() as s:
        top = make_project(s, "product", alpha)
        make_project(s, "svc-a", alpha, parent_id=top.id)
        make_project(s, "svc-b", beta, parent_id=top.id)
        top_id = top.id
    with database.session() as s:
        detail = get_project(s, who(alpha), top_id)
        assert [c.name for c in detail.children] == ["svc-a"]
        assert len(get_project(s, ADMIN, top_id).children) == 2
        with pytest.raises(NotFound, match=f"project {top_id} not found"):
            get_project(s, who(beta), top_id)
        with pytest.raises(NotFound, match="project 999999 not found"):
            get_project(s, who(beta), 999999)


def test_versions_newest_first_and_hidden_from_other_teams(
    database: Database, teams: tuple[int, int]
) -> None:
    alpha, beta = teams
    with database.session() as s:
        project = make_project(s, "p", alpha)
        v1 = make_version(s, project, "1")
        v2 = make_version(s, project, "2")
        ids = (project.id, v1.id, v2.id)
    with database.session() as s:
        versions = list_versions(s, who(alpha), ids[0])
        assert [v.version for v in versions] == ["2", "1"]
        assert [v.is_latest for v in versions] == [True, False]
        assert get_version(s, who(alpha), ids[1]).version == "1"
        with pytest.raises(NotFound):
            list_versions(s, who(beta), ids[0])
        with pytest.raises(NotFound, match=f"version {ids[2]} not found"):
            get_version(s, who(beta), ids[2])
