"""Creating and changing projects: owners, validation, parents without cycles, audit."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from assay.api.errors import Conflict, NotFound
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.permissions import Permission, Principal
from assay.inventory.project_changes import (
    InvalidProject,
    ProjectChanges,
    ProjectData,
    create_project,
    update_project,
)
from assay.inventory.projects import NotPermitted
from tests.inventory.factories import make_project, make_team

P = Permission
ADMIN = Principal("user", "root", frozenset({P.ADMINISTER}), frozenset())


def who(*teams: int, perms: frozenset[Permission] | None = None) -> Principal:
    return Principal(
        "key", "t", perms or frozenset({P.VIEW_PORTFOLIO, P.UPLOAD_BOM}), frozenset(teams)
    )


@pytest.fixture
def teams(database: Database) -> tuple[int, int]:
    with database.session() as s:
        return make_team(s, "alpha"), make_team(s, "beta")


def test_create_audited_and_owned_by_own_team(database: Database, teams: tuple[int, int]) -> None:
    alpha, _ = teams
    with database.session() as s:
        made = create_project(
            s, who(alpha), ProjectData(name=" shop ", tags=("b", "a", "a"), criticality="high")
        )
        assert (made.project.name, made.project.team_id) == ("shop", alpha)
        assert made.project.tags == ("a", "b")
    with database.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "project.create")).one()
        assert (entry.actor, entry.team_id) == ("key:t", alpha)
        assert entry.target_id == str(made.project.id)
        assert json.loads(entry.detail)["name"] == "shop"


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (ProjectData(name=""), InvalidProject, "project name must be 1 to 256"),
        (ProjectData(name="x" * 257), InvalidProject, "project name must be 1 to 256"),
        (ProjectData(name="a\x00b"), InvalidProject, "printable"),
        (ProjectData(name="p", criticality="extreme"), InvalidProject, "criticality must be"),
        (ProjectData(name="p", description="a\x00"), InvalidProject, "description must be"),
        (ProjectData(name="p", business_unit="u" * 129), InvalidProject, "business unit must"),
        (ProjectData(name="p", exposure="moon"), InvalidProject, "exposure must be"),
        (ProjectData(name="p", tags=("x" * 65,)), InvalidProject, "at most 64"),
        (
            ProjectData(name="p", tags=tuple(str(i) for i in range(51))),
            InvalidProject,
            "at most 50",
        ),
        (
            ProjectData(name="p", parent_id=424242),
            InvalidProject,
            "parent project 424242 not found",
        ),
    ],
)
def test_create_refuses_bad_fields(
    database: Database, teams: tuple[int, int], data: ProjectData, error: type, message: str
) -> None:
    with database.session() as s, pytest.raises(error, match=message):
        create_project(s, who(teams[0]), data)


def test_create_refuses_other_teams_missing_permission_and_duplicates(
    database: Database, teams: tuple[int, int]
) -> None:
    alpha, beta = teams
    with database.session() as s:
        hidden = make_project(s, "beta-only", beta).id
        make_project(s, "taken", alpha)
    with database.session() as s, pytest.raises(InvalidProject, match=f"team {beta} is not one"):
        create_project(s, who(alpha), ProjectData(name="p", team_id=beta))
    with database.session() as s, pytest.raises(InvalidProject, match="several teams"):
        create_project(s, who(alpha, beta), ProjectData(name="p"))
    with database.session() as s, pytest.raises(NotPermitted, match="upload_bom"):
        create_project(s, who(alpha, perms=frozenset({P.VIEW_PORTFOLIO})), ProjectData(name="p"))
    with database.session() as s, pytest.raises(Conflict, match="'taken' already exists"):
        create_project(s, who(alpha), ProjectData(name="taken"))
    with database.session() as s, pytest.raises(InvalidProject, match="parent project"):
        create_project(s, who(alpha), ProjectData(name="p", parent_id=hidden))
    with database.session() as s:  # an administrator may leave a project without a team
        assert create_project(s, ADMIN, ProjectData(name="unowned")).project.team_id is None


def test_update_changes_fields_tags_parent_and_refuses_cycles(
    database: Database, teams: tuple[int, int]
) -> None:
    alpha, beta = teams
    with database.session() as s:
        top = make_project(s, "top", alpha, tags=["old"]).id
        mid = make_project(s, "mid", alpha, parent_id=top).id
        make_project(s, "other", alpha)
    me = who(alpha)
    with database.session() as s:
        got = update_project(
            s, me, top, ProjectChanges(description="d", tags=("new",), criticality="critical")
        )
        assert (got.project.description, got.project.tags) == ("d", ("new",))
    with database.session() as s, pytest.raises(InvalidProject, match="descendant"):
        update_project(s, me, top, ProjectChanges(parent_id=mid))
    with database.session() as s, pytest.raises(InvalidProject, match="descendant"):
        update_project(s, me, top, ProjectChanges(parent_id=top))
    with database.session() as s, pytest.raises(Conflict, match="'other' already exists"):
        update_project(s, me, top, ProjectChanges(name="other"))
    with database.session() as s, pytest.raises(NotFound):
        update_project(s, who(beta), top, ProjectChanges(description="x"))
    with database.session() as s:
        got = update_project(s, me, mid, ProjectChanges(parent_id=None))
        assert got.parent is None
        assert update_project(s, me, mid, ProjectChanges()).project.name == "mid"
    with database.session() as s:
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["project.update", "project.update"]  # the empty change is not audited
