"""Find (or, on request, create) the project version a BOM is uploaded to.

Race-safe: twenty uploads that all auto-create the same project and version
make exactly one of each. Creation is ``INSERT ... ON CONFLICT DO NOTHING`` on
the unique name (project) and (project, version) constraints, followed by a
read of the row that won, on both engines. This is the "unique constraint plus
retry" pattern without a SAVEPOINT: under pysqlite a SAVEPOINT that opens the
transaction also commits it on release, which would make a half-done upload
durable; ON CONFLICT keeps the whole upload one transaction on SQLite and on
PostgreSQL (where a conflicting insert waits for the other transaction and then
does nothing).

A new version becomes the project's latest. The project row is locked first
(``FOR UPDATE`` on PostgreSQL; SQLite serialises writers anyway), so two new
versions created at once cannot both stay flagged latest.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, select, update
from sqlalchemy.orm import Session

from assay.core.audit import record
from assay.core.clock import now_iso
from assay.core.errors import Forbidden, NotFound, UsageError
from assay.core.permissions import Principal
from assay.inventory.models import Project, ProjectVersion


def owner_team(principal: Principal) -> int | None:
    """The team a project auto-created by ``principal`` belongs to.

    An API key acts for one team: that team. A user in exactly one team: that
    team. Anyone else (several teams, none): no team, visible to portfolio-wide
    readers and administrators only, until an administrator assigns one.
    """
    if len(principal.team_ids) == 1:
        return next(iter(principal.team_ids))
    return None


class NoOwnerTeam(UsageError):
    """Auto-create cannot tell which team should own the new project."""


def _insert_ignoring_conflict(session: Session, table: Any, values: dict[str, Any]) -> int | None:
    """Insert one row unless a unique constraint already holds it; the new id or None."""
    dialect = session.get_bind().dialect.name
    stmt: Insert
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table).values(**values).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table).values(**values).on_conflict_do_nothing()
    new_id = session.execute(stmt.returning(table.id)).scalar_one_or_none()
    return int(new_id) if new_id is not None else None


def _lock_project(session: Session, project_id: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Project.id).where(Project.id == project_id).with_for_update())


def _project(session: Session, principal: Principal, name: str, auto_create: bool) -> Project:
    project = session.scalars(select(Project).where(Project.name == name)).first()
    if project is None and auto_create:
        now = now_iso()
        team_id = owner_team(principal)
        if team_id is None and not principal.sees_all:
            # A project without a team would be invisible to its own creator.
            raise NoOwnerTeam(
                f"cannot auto-create project {name!r}: you belong to "
                f"{len(principal.team_ids)} teams, so its owner is ambiguous; "
                "create the project first or upload with a team's API key"
            )
        new_id = _insert_ignoring_conflict(
            session,
            Project,
            {"name": name, "team_id": team_id, "created_at": now, "updated_at": now},
        )
        if new_id is not None:
            record(
                session,
                principal,
                "project.create",
                "project",
                new_id,
                team_id=team_id,
                name=name,
                via="bom.upload",
            )
        project = session.scalars(
            select(Project).where(Project.name == name).execution_options(populate_existing=True)
        ).first()
    # Not visible answers exactly like not there: the name of another team's project
    # must not be confirmed (nor taken over by auto-create).
    if project is None or not principal.sees_team(project.team_id):
        raise NotFound(f"no project named {name!r}")
    if not principal.owns_team(project.team_id):
        raise Forbidden(f"project {name!r} belongs to another team: only its team may upload")
    return project


def ensure_version(
    session: Session,
    principal: Principal,
    project_name: str,
    version: str,
    auto_create: bool,
) -> ProjectVersion:
    """The version ``version`` of the project called ``project_name``.

    Raises :class:`~assay.api.errors.NotFound` when the project is not visible
    to ``principal``, or when the project or version does not exist and
    ``auto_create`` is false. With ``auto_create`` the missing project (owned
    by :func:`owner_team`) and version are created and audited in the
    caller's transaction; the new version becomes the project's latest.
    """
    project = _project(session, principal, project_name, auto_create)
    query = select(ProjectVersion).where(
        ProjectVersion.project_id == project.id, ProjectVersion.version == version
    )
    found = session.scalars(query).first()
    if found is not None:
        return found
    if not auto_create:
        raise NotFound(f"project {project_name!r} has no version {version!r}")
    _lock_project(session, project.id)
    new_id = _insert_ignoring_conflict(
        session,
        ProjectVersion,
        {"project_id": project.id, "version": version, "is_latest": True, "created_at": now_iso()},
    )
    if new_id is not None:
        session.execute(
            update(ProjectVersion)
            .where(ProjectVersion.project_id == project.id, ProjectVersion.id != new_id)
            .values(is_latest=False)
        )
        record(
            session,
            principal,
            "version.create",
            "project_version",
            new_id,
            team_id=project.team_id,
            project=project_name,
            version=version,
        )
    made = session.scalars(query.execution_options(populate_existing=True)).first()
    if made is None:  # the conflicting row vanished (its project was deleted meanwhile)
        raise NotFound(f"project {project_name!r} has no version {version!r}")
    return made
