"""Waivers: a project's accepted violations of one policy, with a reason, until a date.

Granting needs GRANT_WAIVER and ownership of the project (its team's member, or an
administrator): seeing the whole portfolio grants no right to accept another team's risk.
A waiver names a policy that exists, states a reason, and expires in the future and at
most :data:`MAX_DAYS` days away; it may be narrowed to one component (a purl without
version, ``*`` globs allowed) and a range of its versions. Revoking is soft (who and
when are kept). Every grant and revocation is audited and re-evaluates the project's
versions (a ``policy.evaluate`` job in the same transaction). Expiry needs no job: the
engine compares ``expires`` with the day of each evaluation.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core import audit
from assay.core.clock import now, now_iso
from assay.core.db import take_write_lock
from assay.core.errors import Forbidden, NotFound, UsageError
from assay.core.jobs import enqueue
from assay.core.permissions import Permission, Principal
from assay.inventory._access import visible_project, visible_project_ids
from assay.inventory.models import Project, ProjectVersion
from assay.inventory.ranges import parse_range
from assay.policy.model import Waiver
from assay.policy.service import EVALUATE
from assay.policy.store import PolicyRow, WaiverRow

MAX_DAYS = 365
MAX_REASON = 10_000
MAX_COMPONENT = 1024


class InvalidWaiver(UsageError):
    """A waiver request that cannot be granted as asked (reason, dates, policy, component)."""


def _today() -> date:
    return now().date()


def _grantable(session: Session, who: Principal, project_id: int) -> Project:
    if not who.can(Permission.GRANT_WAIVER):
        raise Forbidden(f"requires the {Permission.GRANT_WAIVER} permission")
    project = visible_project(session, who, project_id)
    if not who.owns_team(project.team_id):
        raise Forbidden("only the project's owning team (or an administrator) may waive for it")
    return project


def _component(component: str | None) -> str | None:
    if component is None or not component.strip():
        return None
    text = component.strip()
    if not text.startswith("pkg:") or len(text) > MAX_COMPONENT or "@" in text.rpartition("/")[2]:
        raise InvalidWaiver(
            f"component {text[:80]!r}: give a purl without version (pkg:pypi/requests), "
            "at most 1024 characters; narrow versions with --versions"
        )
    return text


def _reevaluate(session: Session, project_id: int) -> None:
    ids = sorted(
        session.scalars(select(ProjectVersion.id).where(ProjectVersion.project_id == project_id))
    )
    if ids:
        enqueue(session, EVALUATE, version_ids=ids)


def create(
    session: Session,
    principal: Principal,
    project_id: int,
    policy: str,
    reason: str,
    expires: date,
    component: str | None = None,
    versions: str | None = None,
    *,
    today: date | None = None,
) -> WaiverRow:
    """Grant a waiver (see the module docstring); InvalidWaiver names what is wrong."""
    take_write_lock(session)  # SQLite: before the first read
    project = _grantable(session, principal, project_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidWaiver("a waiver needs a reason")
    if len(reason) > MAX_REASON:
        raise InvalidWaiver(f"the reason is longer than {MAX_REASON} characters")
    day = today or _today()
    if expires <= day:
        raise InvalidWaiver(f"expires {expires.isoformat()}: must be after today ({day})")
    if expires > day + timedelta(days=MAX_DAYS):
        raise InvalidWaiver(f"expires {expires.isoformat()}: at most {MAX_DAYS} days from today")
    if session.scalar(select(PolicyRow.id).where(PolicyRow.name == policy)) is None:
        raise InvalidWaiver(f"no policy named {policy[:100]!r}")
    purl = _component(component)
    spec = (versions or "").strip() or None
    if spec is not None:
        if purl is None:
            raise InvalidWaiver("--versions narrows a component: give the component too")
        parse_range(spec)
    row = WaiverRow(
        policy_name=policy, project_id=project.id, component=purl, versions=spec,
        reason=reason, expires_on=expires.isoformat(), created_by=principal.actor,
        created_at=now_iso(),
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(
        session, principal, "waiver.create", "waiver", row.id, team_id=project.team_id,
        project_id=project.id, policy=policy, component=purl, versions=spec,
        expires=row.expires_on, reason=reason,
    )  # fmt: skip
    _reevaluate(session, project.id)
    return row


def visible_waiver(session: Session, principal: Principal, waiver_id: int) -> WaiverRow:
    row = session.get(WaiverRow, waiver_id)
    project = None if row is None else session.get(Project, row.project_id)
    if row is None or project is None or not principal.sees_team(project.team_id):
        raise NotFound(f"no waiver with id {waiver_id}")
    return row


def revoke(session: Session, principal: Principal, waiver_id: int, reason: str) -> WaiverRow:
    """Withdraw a waiver: the violations it covered count again on the next evaluation."""
    take_write_lock(session)  # SQLite: before the first read
    if not principal.can(Permission.GRANT_WAIVER):
        raise Forbidden(f"requires the {Permission.GRANT_WAIVER} permission")
    row = visible_waiver(session, principal, waiver_id)
    project = _grantable(session, principal, row.project_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidWaiver("revoking a waiver needs a reason")
    if row.revoked_at is not None:
        raise InvalidWaiver(f"waiver {waiver_id} was already revoked at {row.revoked_at}")
    row.revoked_at, row.revoked_by = now_iso(), principal.actor
    session.flush()
    audit.record(
        session, principal, "waiver.revoke", "waiver", row.id, team_id=project.team_id,
        project_id=project.id, policy=row.policy_name, reason=reason[:MAX_REASON],
    )  # fmt: skip
    _reevaluate(session, project.id)
    return row


def list_for(
    session: Session,
    principal: Principal,
    project_id: int | None = None,
    include_expired: bool = False,
    *,
    today: date | None = None,
) -> list[WaiverRow]:
    """Waivers of the projects the caller sees (one project's, with ``project_id``), newest
    first; without ``include_expired``, only those in force (not revoked, not expired)."""
    query = select(WaiverRow).where(WaiverRow.project_id.in_(visible_project_ids(principal)))
    if project_id is not None:
        visible_project(session, principal, project_id)
        query = query.where(WaiverRow.project_id == project_id)
    if not include_expired:
        day = (today or _today()).isoformat()
        query = query.where(WaiverRow.revoked_at.is_(None), WaiverRow.expires_on >= day)
    return list(session.scalars(query.order_by(WaiverRow.id.desc())))


def as_waiver(row: WaiverRow, project: str) -> Waiver:
    return Waiver(
        id=row.id, policy=row.policy_name, project=project, reason=row.reason,
        expires=date.fromisoformat(row.expires_on), created_by=row.created_by,
        component=row.component, versions=row.versions,
    )  # fmt: skip


def active_waivers(session: Session, project_id: int) -> list[Waiver]:
    """The project's unrevoked waivers, expired ones included: the engine judges expiry
    against the day it evaluates for."""
    project = session.get(Project, project_id)
    if project is None:
        return []
    rows = session.scalars(
        select(WaiverRow)
        .where(WaiverRow.project_id == project_id, WaiverRow.revoked_at.is_(None))
        .order_by(WaiverRow.id)
    )
    return [as_waiver(row, project.name) for row in rows]
