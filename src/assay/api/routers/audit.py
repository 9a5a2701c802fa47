"""``/api/v1/audit``: read and export the append-only audit log.

Needs VIEW_PORTFOLIO. Administrators see every entry; ``portfolio_wide``
holders every team's; others only their teams' (see
:class:`assay.core.audit_log.AuditScope`). The export streams in batches with
one short transaction each, so its memory does not grow with the log.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from assay.api.deps import DbSession, State, Viewer
from assay.api.schemas.admin import NO_CONTROL, Page
from assay.api.schemas.audit import AuditEntryRead
from assay.core import audit_export, audit_log
from assay.core.audit_log import AuditFilter, AuditScope

router = APIRouter(prefix="/audit", tags=["audit"])


def _filters(
    action: Annotated[
        str | None,
        Query(max_length=65, pattern=NO_CONTROL, description="exact, or a prefix ending in *"),
    ] = None,
    actor: Annotated[
        str | None, Query(max_length=160, pattern=NO_CONTROL, description="e.g. user:alice")
    ] = None,
    target_type: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROL)] = None,
    target_id: Annotated[str | None, Query(max_length=256, pattern=NO_CONTROL)] = None,
    since: Annotated[str | None, Query(max_length=40, description="ISO 8601, inclusive")] = None,
    until: Annotated[str | None, Query(max_length=40, description="ISO 8601, exclusive")] = None,
) -> AuditFilter:
    return AuditFilter(
        action=action, actor=actor, target_type=target_type, target_id=target_id,
        since=audit_log.parse_time(since, "since"), until=audit_log.parse_time(until, "until"),
    )  # fmt: skip


Filters = Annotated[AuditFilter, Depends(_filters)]


@router.get("", response_model=Page[AuditEntryRead])
def list_entries(
    session: DbSession,
    who: Viewer,
    filt: Filters,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
    sort: Literal["at", "action", "actor", "target_type"] = "at",
    order: Literal["asc", "desc"] = "desc",
) -> Page[AuditEntryRead]:
    """Entries newest first (``order=asc``: oldest first), filtered and paginated."""
    rows, total = audit_log.page(
        session, AuditScope.of(who), filt, page=page, page_size=page_size, sort=sort,
        newest_first=order == "desc",
    )  # fmt: skip
    return Page[AuditEntryRead](
        items=[AuditEntryRead.model_validate(audit_log.as_dict(r)) for r in rows],
        total=total, page=page, page_size=page_size,
    )  # fmt: skip


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}}}},
)
def export(
    state: State, who: Viewer, filt: Filters, format: Literal["jsonl", "csv"] = "jsonl"
) -> StreamingResponse:
    """Every matching entry, oldest first, as JSON Lines or CSV (streamed)."""
    entries = audit_log.iter_entries(state.db, AuditScope.of(who), filt)
    return StreamingResponse(
        audit_export.lines(entries, format),
        media_type=audit_export.MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="assay-audit.{format}"'},
    )
