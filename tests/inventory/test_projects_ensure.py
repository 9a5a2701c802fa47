"""ensure_version: find or create a project version, visibility, latest flag, races."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from assay.api.errors import NotFound
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.permissions import ALL_PERMISSIONS, Permission, Principal
from assay.inventory.models import Project, ProjectVersion
from assay.inventory.projects_ensure import ensure_version, owner_team
from tests.inventory.intake_support import team_key


def _ensure(db: Database, who: Principal, project: str, version: str, auto: bool = True) -> int:
    with db.session() as session:
        return ensure_version(session, who, project, version, auto).id


def test_auto_create_makes_project_of_the_keys_team_and_audits(database: Database) -> None:
    alpha = team_key(database, "alpha")
    version_id = _ensure(database, alpha, "shop", "1.0")
    with database.session() as session:
        version = session.get(ProjectVersion, version_id)
        assert version is not None and version.is_latest
        project = session.get(Project, version.project_id)
        assert project is not None and project.team_id == next(iter(alpha.team_ids))
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["project.create", "version.create"]
    assert _ensure(database, alpha, "shop", "1.0") == version_id  # found, not made again


def test_missing_without_auto_create_is_not_found(database: Database) -> None:
    alpha = team_key(database, "alpha")
    with pytest.raises(NotFound, match="no project named 'shop'"):
        _ensure(database, alpha, "shop", "1.0", auto=False)
    _ensure(database, alpha, "shop", "1.0")
    with pytest.raises(NotFound, match=r"has no version '2\.0'"):
        _ensure(database, alpha, "shop", "2.0", auto=False)


def test_another_teams_project_is_not_found_even_with_auto_create(database: Database) -> None:
    alpha, beta = team_key(database, "alpha"), team_key(database, "beta")
    _ensure(database, alpha, "shop", "1.0")
    for auto in (True, False):
        with pytest.raises(NotFound, match="no project named 'shop'"):
            _ensure(database, beta, "shop", "1.0", auto=auto)
    with database.session() as session:
        assert session.scalar(select(func.count(ProjectVersion.id))) == 1


def test_owner_team_of_users_with_zero_one_or_many_teams() -> None:
    def user(teams: set[int]) -> Principal:
        return Principal("user", "u", frozenset({Permission.UPLOAD_BOM}), frozenset(teams))

    assert owner_team(user({7})) == 7
    assert owner_team(user(set())) is None
    assert owner_team(user({7, 8})) is None
    admin = Principal("user", "root", ALL_PERMISSIONS, frozenset())
    assert owner_team(admin) is None


def test_a_new_version_becomes_the_only_latest(database: Database) -> None:
    alpha = team_key(database, "alpha")
    first = _ensure(database, alpha, "shop", "1.0")
    second = _ensure(database, alpha, "shop", "2.0")
    _ensure(database, alpha, "shop", "1.0")  # found again: the flag does not move back
    with database.session() as session:
        latest = dict(session.execute(select(ProjectVersion.id, ProjectVersion.is_latest)).all())
    assert latest == {first: False, second: True}


def test_twenty_parallel_auto_creates_make_one_project_and_one_version(database: Database) -> None:
    alpha = team_key(database, "alpha")
    ids: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(20)

    def work(i: int) -> None:
        try:
            start.wait()
            ids.append(_ensure(database, alpha, "racy", "1.0" if i % 2 else f"v{i}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with database.session() as session:
        assert session.scalar(select(func.count(Project.id))) == 1
        versions = session.scalar(select(func.count(ProjectVersion.id)))
        latest = session.scalar(
            select(func.count(ProjectVersion.id)).where(ProjectVersion.is_latest.is_(True))
        )
    assert versions == 11  # "1.0" once, plus v0, v2 ... v18
    assert len(set(ids)) == 11
    assert latest == 1
