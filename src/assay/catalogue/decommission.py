"""De-commission: after a ban, one remediation item per project version still using it.

:func:`open_items` runs in the ban's transaction: every project's LATEST version holding
a banned version of the component gets an item owned by the project's team, due on the
ban's date. :func:`refresh` runs after each policy evaluation of some versions (and is
idempotent): it closes items whose version no longer holds that banned component, or
whose project has a newer latest version without it, and opens items for latest versions
that still (or newly) hold a banned component. :func:`progress` is what the catalogue
page shows until nothing is left open, counted over the projects the viewer sees.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from assay.catalogue.affected import uses
from assay.catalogue.lifecycle import Action, State
from assay.catalogue.models import CatalogueEntry, CatalogueTransition, RemediationItem
from assay.catalogue.status import version_status
from assay.core.clock import now, now_iso
from assay.core.permissions import Principal
from assay.inventory._access import chunks
from assay.inventory.models import ComponentRow, Project, ProjectVersion
from assay.inventory.paging import Page, page_of, window
from assay.inventory.projects import visible_projects

OPEN, DONE = "open", "done"
DEFAULT_DUE_DAYS = 14


@dataclass(frozen=True, slots=True)
class Progress:
    open: int
    done: int
    overdue: int


@dataclass(frozen=True, slots=True)
class ItemView:
    id: int
    entry_id: int
    entry_purl: str
    project_id: int
    project: str
    version_id: int
    version: str
    component_purl: str
    component_version: str
    owner_team_id: int | None
    due_date: str
    state: str
    overdue: bool
    created_at: str
    closed_at: str | None


def today() -> date:
    return now().date()


def default_due() -> str:
    return (today() + timedelta(days=DEFAULT_DUE_DAYS)).isoformat()


def _purl(row: ComponentRow) -> str:
    return row.purl or f"{row.ecosystem}:{row.name}@{row.version}"


def _banned_rows(
    session: Session, entry: CatalogueEntry, version_ids: list[int] | None
) -> list[tuple[ComponentRow, ProjectVersion, Project]]:
    """Component rows of the entry's package in latest versions, in a banned version."""
    query = (
        select(ComponentRow, ProjectVersion, Project)
        .join(ProjectVersion, ProjectVersion.id == ComponentRow.version_id)
        .join(Project, Project.id == ProjectVersion.project_id)
        .where(uses(entry.ecosystem, entry.name), ProjectVersion.is_latest.is_(True))
    )
    if version_ids is not None:
        query = query.where(ProjectVersion.id.in_(version_ids))
    return [
        (c, v, p)
        for c, v, p in session.execute(query)
        if version_status(entry, c.ecosystem, c.version) == "banned"
    ]


def _ensure_item(
    session: Session,
    entry: CatalogueEntry,
    row: ComponentRow,
    version: ProjectVersion,
    project: Project,
    due: str,
) -> bool:
    """An open item for this use; True when one was opened (or re-opened)."""
    purl = _purl(row)[:1024]
    item = session.scalars(
        select(RemediationItem).where(
            RemediationItem.entry_id == entry.id,
            RemediationItem.version_id == version.id,
            RemediationItem.component_purl == purl,
        )
    ).first()
    if item is not None:
        if item.state == OPEN:
            return False
        item.state, item.closed_at, item.due_date = OPEN, None, due
        item.owner_team_id = project.team_id
        return True
    session.add(
        RemediationItem(
            entry_id=entry.id, project_id=project.id, version_id=version.id,
            component_purl=purl, component_version=row.version[:256],
            owner_team_id=project.team_id, due_date=due, state=OPEN, created_at=now_iso(),
        )
    )  # fmt: skip
    return True


def open_items(session: Session, entry: CatalogueEntry, due_date: str) -> int:
    """Open an item per latest project version holding a banned version; returns how many."""
    session.flush()
    opened = sum(
        _ensure_item(session, entry, c, v, p, due_date)
        for c, v, p in _banned_rows(session, entry, None)
    )
    session.flush()
    return opened


def ban_due(session: Session, entry: CatalogueEntry) -> str:
    """The due date of the entry's latest ban (default: two weeks from today)."""
    detail = session.scalar(
        select(CatalogueTransition.detail)
        .where(CatalogueTransition.entry_id == entry.id, CatalogueTransition.action == Action.BAN)
        .order_by(CatalogueTransition.id.desc())
        .limit(1)
    )
    try:
        due = json.loads(detail or "{}").get("due_date")
    except (ValueError, AttributeError):
        due = None
    return due if isinstance(due, str) else default_due()


def _still_banned(session: Session, item: RemediationItem, entry: CatalogueEntry) -> bool:
    rows = session.scalars(
        select(ComponentRow).where(
            ComponentRow.version_id == item.version_id, uses(entry.ecosystem, entry.name)
        )
    ).all()
    return any(
        _purl(r)[:1024] == item.component_purl
        and version_status(entry, r.ecosystem, r.version) == "banned"
        for r in rows
    )


def _latest_still_banned(session: Session, item: RemediationItem, entry: CatalogueEntry) -> bool:
    """Whether the project's latest version (another one than the item's) holds a banned
    version of the component."""
    latest = session.scalar(
        select(ProjectVersion.id).where(
            ProjectVersion.project_id == item.project_id, ProjectVersion.is_latest.is_(True)
        )
    )
    if latest is None or latest == item.version_id:
        return True
    rows = session.scalars(
        select(ComponentRow).where(
            ComponentRow.version_id == latest, uses(entry.ecosystem, entry.name)
        )
    ).all()
    return any(version_status(entry, r.ecosystem, r.version) == "banned" for r in rows)


def refresh(session: Session, version_ids: Iterable[int]) -> int:
    """Close the items these versions (or their projects' newer versions) no longer need,
    and open items for latest versions among them that hold a banned component.

    Returns how many items changed state. Runs in the caller's transaction.
    """
    ids = sorted(set(version_ids))
    if not ids:
        return 0
    changed = 0
    stamp = now_iso()
    for chunk in chunks(ids):
        projects = select(ProjectVersion.project_id).where(ProjectVersion.id.in_(chunk))
        items = session.scalars(
            select(RemediationItem).where(
                RemediationItem.state == OPEN,
                or_(
                    RemediationItem.version_id.in_(chunk),
                    RemediationItem.project_id.in_(projects),
                ),
            )
        ).all()
        for item in items:
            entry = session.get(CatalogueEntry, item.entry_id)
            if entry is None:
                continue
            if not _still_banned(session, item, entry) or not _latest_still_banned(
                session, item, entry
            ):
                item.state, item.closed_at = DONE, stamp
                changed += 1
        for entry in _banned_entries(session, chunk):
            due = ban_due(session, entry)
            changed += sum(
                _ensure_item(session, entry, c, v, p, due)
                for c, v, p in _banned_rows(session, entry, chunk)
            )
        session.flush()
    return changed


def _banned_entries(session: Session, version_ids: list[int]) -> list[CatalogueEntry]:
    """Entries with a ban (whole or a range) whose package the versions hold."""
    held = (
        select(ComponentRow.id)
        .where(ComponentRow.version_id.in_(version_ids))
        .where(
            ComponentRow.name == CatalogueEntry.name,
            or_(
                ComponentRow.ecosystem == CatalogueEntry.ecosystem,
                ComponentRow.ecosystem.like(CatalogueEntry.ecosystem + ":%"),
            ),
        )
        .exists()
    )
    query = select(CatalogueEntry).where(
        or_(
            CatalogueEntry.state == State.BANNED.value, CatalogueEntry.banned_versions.is_not(None)
        ),
        held,
    )
    return list(session.scalars(query))


def progress(session: Session, principal: Principal, entry_id: int) -> Progress:
    """Open, done and overdue (open past their due date) items of an entry, counted over
    the projects the principal sees (another team's items are not even counted)."""
    day = today().isoformat()
    rows = session.execute(
        select(RemediationItem.state, RemediationItem.due_date, func.count())
        .join(Project, Project.id == RemediationItem.project_id)
        .where(RemediationItem.entry_id == entry_id, visible_projects(principal))
        .group_by(RemediationItem.state, RemediationItem.due_date)
    ).all()
    open_ = sum(n for state, _, n in rows if state == OPEN)
    done = sum(n for state, _, n in rows if state == DONE)
    overdue = sum(n for state, due, n in rows if state == OPEN and due < day)
    return Progress(open_, done, overdue)


def list_items(
    session: Session,
    principal: Principal,
    *,
    entry_id: int | None = None,
    state: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[ItemView]:
    """Remediation items of the projects the principal sees, oldest due first."""
    win = window(page, page_size)
    conditions = [visible_projects(principal)]
    if entry_id is not None:
        conditions.append(RemediationItem.entry_id == entry_id)
    if state is not None:
        conditions.append(RemediationItem.state == state)
    where = and_(*conditions)
    base = (
        select(RemediationItem, Project.name, ProjectVersion.version, CatalogueEntry.purl)
        .join(Project, Project.id == RemediationItem.project_id)
        .join(ProjectVersion, ProjectVersion.id == RemediationItem.version_id)
        .join(CatalogueEntry, CatalogueEntry.id == RemediationItem.entry_id)
        .where(where)
    )
    total = session.scalar(
        select(func.count())
        .select_from(RemediationItem)
        .join(Project, Project.id == RemediationItem.project_id)
        .where(where)
    )
    day = today().isoformat()
    rows = session.execute(
        base.order_by(RemediationItem.state.desc(), RemediationItem.due_date, RemediationItem.id)
        .offset(win.offset)
        .limit(win.limit)
    )
    items = [
        ItemView(
            id=i.id, entry_id=i.entry_id, entry_purl=purl, project_id=i.project_id,
            project=pname, version_id=i.version_id, version=vname,
            component_purl=i.component_purl, component_version=i.component_version,
            owner_team_id=i.owner_team_id, due_date=i.due_date, state=i.state,
            overdue=i.state == OPEN and i.due_date < day, created_at=i.created_at,
            closed_at=i.closed_at,
        )
        for i, pname, vname, purl in rows
    ]  # fmt: skip
    return page_of(items, int(total or 0), win)
