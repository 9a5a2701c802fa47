"""``/audit``: the append-only audit log, filtered and paginated, with export links.

Entries are read through :mod:`assay.core.audit_log` with the scope of the
signed-in user (administrators everything, others their teams' entries), as
the REST API reads them; the export links are the API's streamed
``/api/v1/audit/export`` with the same filters.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from assay.core import audit_log
from assay.core.audit_log import AuditFilter, AuditScope
from assay.web import render
from assay.web.pages._base import PageSession, PageViewer, page_router
from assay.web.pages.projects import wants_fragment

router = page_router()

RESULTS_ID = "audit-results"
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: PageSession,
    who: PageViewer,
    action: Annotated[str | None, Query(max_length=65, pattern=NO_CONTROL)] = None,
    actor: Annotated[str | None, Query(max_length=160, pattern=NO_CONTROL)] = None,
    target_type: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROL)] = None,
    target_id: Annotated[str | None, Query(max_length=256, pattern=NO_CONTROL)] = None,
    since: Annotated[str | None, Query(max_length=40)] = None,
    until: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> HTMLResponse:
    form = {
        "action": action or "", "actor": actor or "", "target_type": target_type or "",
        "target_id": target_id or "", "since": since or "", "until": until or "",
    }  # fmt: skip
    filt = AuditFilter(
        action=action or None, actor=actor or None, target_type=target_type or None,
        target_id=target_id or None, since=audit_log.parse_time(since, "since"),
        until=audit_log.parse_time(until, "until"),
    )  # fmt: skip
    rows, total = audit_log.page(session, AuditScope.of(who), filt, page=page, page_size=page_size)
    query = urlencode({k: v for k, v in form.items() if v})
    values: dict[str, Any] = {
        "title": "Audit log", "form": form, "results_id": RESULTS_ID,
        "entries": [audit_log.as_dict(row) for row in rows], "total": total, "page": page,
        "pages": max(1, -(-total // page_size)),
        "export": {fmt: f"/api/v1/audit/export?{query}&format={fmt}" if query
                   else f"/api/v1/audit/export?format={fmt}" for fmt in ("jsonl", "csv")},
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    }  # fmt: skip
    if wants_fragment(request, RESULTS_ID):
        return render.fragment(request, "partials/audit_results.html", who, **values)
    return render.page(request, "audit.html", who, **values)
