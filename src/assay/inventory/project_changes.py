"""Creating and changing projects: names, owning team, classification, parent, tags.

Writing needs UPLOAD_BOM (or ADMINISTER). A non-administrator may only give a
project to one of their own teams; only administrators may leave it without a
team (then only portfolio-wide principals see it). A parent must be visible and
must not be a descendant. Every change is audited in the same transaction
(``project.create``, ``project.update`` with the fields changed).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.core import audit
from assay.core.accounts import Team
from assay.core.clock import now_iso
from assay.core.errors import Conflict, UsageError
from assay.core.permissions import Permission, Principal
from assay.inventory.models import Project, ProjectTag
from assay.inventory.projects import (
    CRITICALITIES,
    EXPOSURES,
    MAX_NAME,
    MAX_TAG,
    MAX_TAGS,
    NotPermitted,
    ProjectDetail,
    get_project,
    load_visible,
)

MAX_TEXT = 10_000
MAX_UNIT = 128
MAX_PARENT_DEPTH = 32


class InvalidProject(UsageError):
    """A project's fields are not acceptable (name, team, tags, parent)."""


class Keep(Enum):
    """Marks a field an update leaves as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True, slots=True)
class ProjectData:
    name: str
    description: str = ""
    business_unit: str = ""
    team_id: int | None = None  # None: the caller's only team (a key's team); admins may omit
    criticality: str = "medium"
    exposure: str = "internal"
    parent_id: int | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProjectChanges:
    """An update; ``None`` (or :data:`KEEP` where None is a value) leaves a field unchanged."""

    name: str | None = None
    description: str | None = None
    business_unit: str | None = None
    team_id: int | Keep | None = KEEP
    criticality: str | None = None
    exposure: str | None = None
    parent_id: int | Keep | None = KEEP
    tags: tuple[str, ...] | None = None


def _may_write(principal: Principal) -> None:
    if not (principal.can(Permission.UPLOAD_BOM) or principal.is_admin):
        raise NotPermitted("requires the upload_bom or administer permission")


def _clean_name(name: str) -> str:
    text = name.strip()
    if not text or len(text) > MAX_NAME or any(ord(c) < 32 for c in text):
        raise InvalidProject(f"project name must be 1 to {MAX_NAME} printable characters")
    return text


def _clean_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    out = sorted({t.strip() for t in tags if t.strip()})
    if len(out) > MAX_TAGS:
        raise InvalidProject(f"at most {MAX_TAGS} tags, not {len(out)}")
    for tag in out:
        if len(tag) > MAX_TAG or any(ord(c) < 32 for c in tag):
            raise InvalidProject(f"tag {tag[:40]!r} must be at most {MAX_TAG} printable characters")
    return tuple(out)


def _free_text(value: str, what: str, limit: int) -> str:
    if len(value) > limit or "\x00" in value:
        raise InvalidProject(f"{what} must be at most {limit} characters, without NUL")
    return value


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise InvalidProject(f"{what} must be one of {', '.join(allowed)}, not {value[:40]!r}")
    return value


def _owner(session: Session, principal: Principal, team_id: int | None) -> int | None:
    """The team a project the principal writes may be owned by."""
    if team_id is None:
        if principal.is_admin:
            return None
        if len(principal.team_ids) == 1:
            return next(iter(principal.team_ids))
        raise InvalidProject("choose the owning team (team_id): you belong to several teams")
    if session.get(Team, team_id) is None or not (
        principal.is_admin or team_id in principal.team_ids
    ):
        raise InvalidProject(f"team {team_id} is not one of your teams")
    return team_id


def _parent(
    session: Session, principal: Principal, parent_id: int | None, self_id: int | None
) -> int | None:
    if parent_id is None:
        return None
    node: int | None = parent_id
    for _ in range(MAX_PARENT_DEPTH):
        if node is None:
            return parent_id
        if node == self_id:
            raise InvalidProject(f"project {parent_id} cannot be the parent: it is a descendant")
        above = session.get(Project, node)
        if above is None or not principal.sees_team(above.team_id):
            raise InvalidProject(f"parent project {parent_id} not found")
        if node == parent_id and not principal.owns_team(above.team_id):
            raise NotPermitted(f"parent project {parent_id} belongs to another team")
        node = above.parent_id
    raise InvalidProject(f"parent project {parent_id} is nested too deeply")


def _set_tags(session: Session, project_id: int, tags: tuple[str, ...]) -> None:
    session.query(ProjectTag).filter(ProjectTag.project_id == project_id).delete()
    session.add_all(ProjectTag(project_id=project_id, tag=t) for t in tags)


def _flush_unique(session: Session, name: str) -> None:
    # No SAVEPOINT: under pysqlite one that opens the transaction commits on release.
    # A failed flush spoils the transaction; the caller's session rolls it all back.
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"a project named {name!r} already exists") from None


def create_project(session: Session, principal: Principal, data: ProjectData) -> ProjectDetail:
    """A new project owned by one of the principal's teams (any team, or none, for admins)."""
    _may_write(principal)
    name = _clean_name(data.name)
    tags = _clean_tags(data.tags)
    if session.scalar(select(Project.id).where(Project.name == name)) is not None:
        raise Conflict(f"a project named {name!r} already exists")
    now = now_iso()
    project = Project(
        name=name,
        description=_free_text(data.description, "description", MAX_TEXT),
        business_unit=_free_text(data.business_unit, "business unit", MAX_UNIT),
        team_id=_owner(session, principal, data.team_id),
        criticality=_choice(data.criticality, CRITICALITIES, "criticality"),
        exposure=_choice(data.exposure, EXPOSURES, "exposure"),
        parent_id=_parent(session, principal, data.parent_id, None),
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    _flush_unique(session, name)
    _set_tags(session, project.id, tags)
    audit.record(
        session, principal, "project.create", "project", project.id,
        team_id=project.team_id, name=name, tags=list(tags),
    )  # fmt: skip
    session.flush()
    return get_project(session, principal, project.id)


def update_project(
    session: Session, principal: Principal, project_id: int, changes: ProjectChanges
) -> ProjectDetail:
    """Apply ``changes`` to a visible project; the audit entry lists the fields changed."""
    project = load_visible(session, principal, project_id)
    _may_write(principal)
    if not principal.owns_team(project.team_id):
        raise NotPermitted("only the owning team or an administrator may change this project")
    before_team = project.team_id
    changed: dict[str, object] = {}

    def put(field: str, value: object) -> None:
        if getattr(project, field) != value:
            changed[field] = value
            setattr(project, field, value)

    if changes.name is not None:
        name = _clean_name(changes.name)
        if name != project.name and session.scalar(select(Project.id).where(Project.name == name)):
            raise Conflict(f"a project named {name!r} already exists")
        put("name", name)
    if changes.description is not None:
        put("description", _free_text(changes.description, "description", MAX_TEXT))
    if changes.business_unit is not None:
        put("business_unit", _free_text(changes.business_unit, "business unit", MAX_UNIT))
    if changes.criticality is not None:
        put("criticality", _choice(changes.criticality, CRITICALITIES, "criticality"))
    if changes.exposure is not None:
        put("exposure", _choice(changes.exposure, EXPOSURES, "exposure"))
    if not isinstance(changes.team_id, Keep) and changes.team_id != project.team_id:
        put("team_id", _owner(session, principal, changes.team_id))
    if not isinstance(changes.parent_id, Keep):
        put("parent_id", _parent(session, principal, changes.parent_id, project.id))
    if changes.tags is not None:
        tags = _clean_tags(changes.tags)
        _set_tags(session, project.id, tags)
        changed["tags"] = list(tags)
    if changed:
        project.updated_at = now_iso()
        _flush_unique(session, project.name)
        audit.record(
            session, principal, "project.update", "project", project.id,
            team_id=project.team_id, changes=changed,
        )  # fmt: skip
        if before_team != project.team_id:  # the team that lost it sees it go
            audit.record(
                session, principal, "project.update", "project", project.id,
                team_id=before_team, changes=changed,
            )  # fmt: skip
        session.flush()
    return get_project(session, principal, project.id)
