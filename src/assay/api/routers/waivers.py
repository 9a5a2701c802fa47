"""Waivers over REST: list (VIEW_PORTFOLIO, visible projects only), grant and revoke
(GRANT_WAIVER, and only for projects of one's own team unless an administrator).

``DELETE /waivers/{id}?reason=...`` revokes: the row stays, with who and when.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.api.deps import DbSession, Viewer, require
from assay.api.schemas.policies import WaiverCreate, WaiverRead
from assay.core.clock import now
from assay.core.errors import NotFound
from assay.core.permissions import Permission, Principal
from assay.inventory.models import Project
from assay.policy import waiver_service
from assay.policy.store import WaiverRow
from assay.policy.waiver_service import InvalidWaiver

router = APIRouter(tags=["policies"])

Granter = Annotated[Principal, Depends(require(Permission.GRANT_WAIVER))]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def waiver_read(row: WaiverRow, today: date | None = None) -> WaiverRead:
    day = (today or now().date()).isoformat()
    return WaiverRead(
        id=row.id, project_id=row.project_id, policy=row.policy_name, component=row.component,
        versions=row.versions, reason=row.reason, expires=row.expires_on,
        created_by=row.created_by, created_at=row.created_at, revoked_by=row.revoked_by,
        revoked_at=row.revoked_at, active=row.revoked_at is None and row.expires_on >= day,
    )  # fmt: skip


def _project_id(
    session: Session, who: Principal, project_id: int | None, name: str | None
) -> int | None:
    """The id given, or the id of the project named (404 if unknown or invisible)."""
    if project_id is not None or name is None:
        return project_id
    found = session.scalar(select(Project).where(Project.name == name))
    if found is None or not who.sees_team(found.team_id):
        raise NotFound(f"no project named {name!r}")
    return found.id


@router.get("/waivers")
def list_waivers(
    session: DbSession,
    who: Viewer,
    project_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    project: Annotated[str | None, Query(min_length=1, max_length=256)] = None,
    include_expired: bool = False,
) -> list[WaiverRead]:
    """Waivers in force (with ``include_expired``, also expired and revoked ones), of one
    project (by id or name) or of every project the caller sees."""
    wanted = _project_id(session, who, project_id, project)
    rows = waiver_service.list_for(session, who, wanted, include_expired)
    return [waiver_read(row) for row in rows]


@router.post("/waivers", status_code=status.HTTP_201_CREATED)
def create_waiver(session: DbSession, who: Granter, body: WaiverCreate) -> WaiverRead:
    project_id = _project_id(session, who, body.project_id, body.project)
    if project_id is None:
        raise InvalidWaiver("give the project: project_id or project (its name)")
    row = waiver_service.create(
        session, who, project_id, body.policy, body.reason, body.expires,
        component=body.component, versions=body.versions,
    )  # fmt: skip
    return waiver_read(row)


@router.delete("/waivers/{waiver_id}")
def revoke_waiver(
    session: DbSession,
    who: Granter,
    waiver_id: Id,
    reason: Annotated[str, Query(min_length=1, max_length=10_000)],
) -> WaiverRead:
    """Revoke a waiver; the violations it covered count again on the next evaluation."""
    return waiver_read(waiver_service.revoke(session, who, waiver_id, reason))
