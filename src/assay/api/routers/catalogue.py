"""The component catalogue over REST: entries, requests, decisions, bans, who is affected,
version unification and remediation.

The catalogue is organisation-wide: any caller with VIEW_PORTFOLIO reads every entry and
may request a component. Deciding (review, approve, reject, deprecate, reinstate, ban)
and editing need MANAGE_CATALOGUE; approving or rejecting needs a person (a signed-in
session: an API key answers 403) other than the requester (409). What uses a component
(affected versions, unification, remediation items and their counts) is filtered to the
projects the caller sees. Unknown entries answer 404, illegal moves 409.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status

from assay.api.deps import Caller, DbSession, Viewer, require
from assay.api.schemas.catalogue import (
    AffectedRead,
    BanCreate,
    EntryDetailRead,
    EntryPage,
    EntryRead,
    EntryUpdate,
    ItemPage,
    ItemRead,
    ProgressRead,
    RequestCreate,
    TransitionCreate,
    TransitionRead,
    UnificationRead,
    VersionUseRead,
    VettingRead,
)
from assay.catalogue import decommission, entries, service, unify
from assay.catalogue.affected import affected_versions, get_entry
from assay.catalogue.lifecycle import STATUSES, Action
from assay.catalogue.models import CatalogueEntry, CatalogueTransition, VettingReport
from assay.core.permissions import Permission, Principal

router = APIRouter(tags=["catalogue"])

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
PageSize = Annotated[int, Query(ge=1, le=500)]
Manager = Annotated[Principal, Depends(require(Permission.MANAGE_CATALOGUE))]
StateName = Annotated[
    str | None,
    Query(pattern="^(requested|in_review|approved|rejected|deprecated|banned)$"),
]
StatusName = Annotated[str | None, Query(pattern="^(" + "|".join(STATUSES) + ")$")]
ItemState = Annotated[str | None, Query(pattern="^(open|done)$")]
Filter = Annotated[str | None, Query(max_length=256)]
MAX_VETTING = 20


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def entry_read(e: CatalogueEntry) -> EntryRead:
    return EntryRead.model_validate(e, from_attributes=True)


def _transition_read(t: CatalogueTransition) -> TransitionRead:
    return TransitionRead(
        id=t.id, action=t.action, from_state=t.from_state, to_state=t.to_state, actor=t.actor,
        reason=t.reason, detail=_json(t.detail), at=t.at,
    )  # fmt: skip


def _vetting_read(v: VettingReport) -> VettingRead:
    return VettingRead(
        id=v.id, purl=v.purl, verdict=v.verdict, complete=v.complete, created_at=v.created_at,
        report=_json(v.report),
    )  # fmt: skip


@router.get("/catalogue", response_model=EntryPage)
def list_catalogue(
    session: DbSession,
    who: Viewer,
    state: StateName = None,
    q: Filter = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> EntryPage:
    found = entries.list_entries(session, who, state=state, q=q, page=page, page_size=page_size)
    return EntryPage(
        items=[entry_read(e) for e in found.items],
        total=found.total,
        page=found.page,
        page_size=found.page_size,
    )


@router.post("/catalogue/requests", response_model=EntryRead, status_code=status.HTTP_201_CREATED)
def request_component(session: DbSession, who: Viewer, body: RequestCreate) -> EntryRead:
    """Ask for a component to be allowed in; its automatic vetting is queued."""
    entry = service.request(session, who, body.purl, body.reason, body.owner_team_id)
    return entry_read(entry)


@router.post("/catalogue/bans", response_model=EntryRead, status_code=status.HTTP_201_CREATED)
def ban_component(session: DbSession, who: Manager, body: BanCreate) -> EntryRead:
    """The emergency path: ban a component (or a range of its versions) by purl."""
    entry = service.ban(session, who, body.purl, body.reason, body.versions, body.due_date)
    return entry_read(entry)


@router.get("/catalogue/unification", response_model=list[UnificationRead])
def unification(
    session: DbSession,
    who: Viewer,
    purl: Annotated[str | None, Query(max_length=1024)] = None,
) -> list[UnificationRead]:
    """Which versions of each component the visible projects use, and how to converge."""
    rows = unify.report(session, who, purl or None)
    return [
        UnificationRead(
            purl=r.purl, ecosystem=r.ecosystem, name=r.name, entry_id=r.entry_id,
            recommended=r.recommended, recommended_source=r.recommended_source,
            versions=[
                VersionUseRead(version=v.version, status=v.status, projects=list(v.projects),
                               position=v.position, majors_behind=v.majors_behind)
                for v in r.versions
            ],
            converge=r.converge, project_count=r.project_count,
        )
        for r in rows
    ]  # fmt: skip


@router.get("/catalogue/{entry_id}", response_model=EntryDetailRead)
def get_catalogue_entry(session: DbSession, who: Viewer, entry_id: Id) -> EntryDetailRead:
    """The entry, its history, its latest vetting report and its remediation progress."""
    entry = get_entry(session, entry_id)
    vetting = entries.latest_vetting(session, entry_id)
    progress = decommission.progress(session, who, entry_id)
    return EntryDetailRead(
        entry=entry_read(entry),
        history=[_transition_read(t) for t in entries.history(session, entry_id)],
        vetting=_vetting_read(vetting) if vetting else None,
        remediation=ProgressRead(open=progress.open, done=progress.done, overdue=progress.overdue),
        affected=len(affected_versions(session, who, entry_id)),
    )


@router.post("/catalogue/{entry_id}/transitions", response_model=EntryRead)
def transition_entry(
    session: DbSession, who: Caller, entry_id: Id, body: TransitionCreate
) -> EntryRead:
    """Take a lifecycle action; ``request`` needs VIEW_PORTFOLIO, the others MANAGE_CATALOGUE."""
    entry = service.transition(
        session, who, entry_id, Action(body.action), body.reason,
        allowed_versions=body.allowed_versions, banned_versions=body.banned_versions,
        sunset_date=body.sunset_date, replacement=body.replacement,
        recommended_version=body.recommended_version, due_date=body.due_date,
    )  # fmt: skip
    return entry_read(entry)


@router.patch("/catalogue/{entry_id}", response_model=EntryRead)
def update_entry(session: DbSession, who: Manager, entry_id: Id, body: EntryUpdate) -> EntryRead:
    """Change the recommended version, version ranges or owner; fields not sent stay.
    A range change needs a reason and may only restrict (409 for widening or lifting)."""
    sent = body.model_fields_set
    keep = service.KEEP
    entry = service.update(
        session, who, entry_id,
        recommended_version=body.recommended_version if "recommended_version" in sent else keep,
        allowed_versions=body.allowed_versions if "allowed_versions" in sent else keep,
        banned_versions=body.banned_versions if "banned_versions" in sent else keep,
        owner_team_id=body.owner_team_id if "owner_team_id" in sent else keep,
        reason=body.reason,
    )  # fmt: skip
    return entry_read(entry)


@router.get("/catalogue/{entry_id}/affected", response_model=list[AffectedRead])
def affected(
    session: DbSession,
    who: Viewer,
    entry_id: Id,
    status: StatusName = None,
    latest: bool = False,
) -> list[AffectedRead]:
    """The visible project versions using the component, each with its status."""
    rows = affected_versions(
        session, who, entry_id, statuses=None if status is None else {status}, latest_only=latest
    )
    return [AffectedRead.model_validate(r, from_attributes=True) for r in rows]


@router.get("/catalogue/{entry_id}/vetting", response_model=list[VettingRead])
def vetting(session: DbSession, who: Viewer, entry_id: Id) -> list[VettingRead]:
    """The entry's vetting reports, newest first (empty while the first one is running)."""
    get_entry(session, entry_id)
    return [_vetting_read(v) for v in entries.vetting_reports(session, entry_id, MAX_VETTING)]


@router.get("/remediation", response_model=ItemPage)
def remediation(
    session: DbSession,
    who: Viewer,
    entry_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    state: ItemState = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> ItemPage:
    """Remediation items of the projects the caller sees, open and most urgent first."""
    found = decommission.list_items(
        session, who, entry_id=entry_id, state=state, page=page, page_size=page_size
    )
    return ItemPage(
        items=[ItemRead.model_validate(i, from_attributes=True) for i in found.items],
        total=found.total,
        page=found.page,
        page_size=found.page_size,
    )
