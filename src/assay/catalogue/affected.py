"""Which project versions use a catalogue entry's component, and with what status.

The catalogue is organisation-wide, but the projects using a component are not: a
caller sees only the project versions of the teams they see
(:func:`assay.inventory.projects.visible_projects`), so the answer never tells that
another team's project exists. Each row carries the status of the version in use, so a
range ban shows exactly which versions it hits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from assay.catalogue.models import CatalogueEntry
from assay.catalogue.status import version_status
from assay.core.errors import NotFound
from assay.core.permissions import Principal
from assay.inventory.models import ComponentRow, Project, ProjectVersion
from assay.inventory.projects import visible_projects

MAX_ROWS = 10_000  # usages listed per entry: bounded however large the portfolio


@dataclass(frozen=True, slots=True)
class AffectedVersion:
    project_id: int
    project: str
    version_id: int
    version: str
    is_latest: bool
    component_version: str
    status: str


def get_entry(session: Session, entry_id: int) -> CatalogueEntry:
    entry = session.get(CatalogueEntry, entry_id)
    if entry is None:
        raise NotFound(f"no catalogue entry with id {entry_id}")
    return entry


def uses(ecosystem: str, name: str) -> ColumnElement[bool]:
    """Component rows of the package: its ecosystem with or without a release suffix."""
    return (ComponentRow.name == name) & or_(
        ComponentRow.ecosystem == ecosystem, ComponentRow.ecosystem.like(f"{ecosystem}:%")
    )


def affected_versions(
    session: Session,
    principal: Principal,
    entry_id: int,
    *,
    statuses: Iterable[str] | None = None,
    latest_only: bool = False,
) -> list[AffectedVersion]:
    """The visible project versions using the entry's component, by project and version.

    ``statuses`` keeps only rows with one of those statuses (``{"banned"}``: what a ban
    hits); ``latest_only`` only each project's latest version.
    """
    entry = get_entry(session, entry_id)
    query = (
        select(Project.id, Project.name, ProjectVersion.id, ProjectVersion.version,
               ProjectVersion.is_latest, ComponentRow.ecosystem, ComponentRow.version)
        .join(ProjectVersion, ProjectVersion.id == ComponentRow.version_id)
        .join(Project, Project.id == ProjectVersion.project_id)
        .where(uses(entry.ecosystem, entry.name), visible_projects(principal))
        .distinct()
        .order_by(Project.name, ProjectVersion.version, ComponentRow.version)
        .limit(MAX_ROWS)
    )  # fmt: skip
    if latest_only:
        query = query.where(ProjectVersion.is_latest.is_(True))
    wanted = None if statuses is None else frozenset(statuses)
    out: list[AffectedVersion] = []
    for pid, pname, vid, vname, latest, ecosystem, cversion in session.execute(query):
        status = version_status(entry, ecosystem, cversion)
        if wanted is None or status in wanted:
            out.append(AffectedVersion(pid, pname, vid, vname, bool(latest), cversion, status))
    return out
