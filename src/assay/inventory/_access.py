"""Loading a project, version or finding the caller may see, else "not found".

Anything the principal may not see answers exactly like something that does not
exist, so the answer never tells another team's project exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from assay.core.errors import NotFound
from assay.core.permissions import Principal
from assay.inventory.models import FindingRow, Project, ProjectVersion

CHUNK = 500  # ids per IN (...) list: bounded statements on both engines


def chunks(values: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def visible_project(session: Session, principal: Principal, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None or not principal.sees_team(project.team_id):
        raise NotFound(f"no project with id {project_id}")
    return project


def visible_version(
    session: Session, principal: Principal, version_id: int
) -> tuple[ProjectVersion, Project]:
    version = session.get(ProjectVersion, version_id)
    project = None if version is None else session.get(Project, version.project_id)
    if version is None or project is None or not principal.sees_team(project.team_id):
        raise NotFound(f"no project version with id {version_id}")
    return version, project


def visible_finding(
    session: Session, principal: Principal, finding_id: int
) -> tuple[FindingRow, Project]:
    finding = session.get(FindingRow, finding_id)
    project = None if finding is None else session.get(Project, finding.project_id)
    if finding is None or project is None or not principal.sees_team(project.team_id):
        raise NotFound(f"no finding with id {finding_id}")
    return finding, project


def visible_project_ids(principal: Principal) -> Select[int]:
    """A select of the ids of every project the principal sees."""
    query = select(Project.id)
    if principal.sees_all:
        return query
    return query.where(Project.team_id.in_(sorted(principal.team_ids)))
