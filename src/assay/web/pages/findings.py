"""Triage from the browser: ``/findings/{id}`` and its decision and comment forms.

Decisions and comments go through :mod:`assay.inventory.triage` (validated,
audited and recounted there). With HTMX a decision answers the finding's
table rows (``partials/finding_row.html``) and a comment the history, swapped
in place; a rule broken (``not_affected`` without a justification, a blanket
suppression without an expiry) is shown in the row. Without JavaScript the
forms post and are redirected back to the finding's page.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from assay.core.permissions import Principal
from assay.inventory import projects as project_service
from assay.inventory import triage
from assay.inventory.version_contents import SEVERITIES, FindingView
from assay.web import render
from assay.web.pages._base import PageSession, PageViewer, page_router
from assay.web.pages.versions import triage_choices

router = page_router()

Detail = Annotated[str, Form(max_length=10_000)]
Short = Annotated[str, Form(max_length=64)]


def _strings(text: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def finding_view(session: Session, who: Principal, finding_id: int) -> tuple[FindingView, int]:
    """One visible finding as the findings table shows it, and its version's id."""
    row, current = triage.finding_detail(session, who, finding_id)
    view = FindingView(
        id=row.id, vuln_id=row.vuln_id, aliases=_strings(row.aliases), summary=row.summary,
        severity=row.severity, cvss_score=row.cvss_score, ecosystem=row.ecosystem,
        component_name=row.component_name, component_version=row.component_version,
        component_purl=row.component_purl, fixed_versions=_strings(row.fixed_versions),
        fix=row.fix, first_seen_at=row.first_seen_at, last_seen_at=row.last_seen_at,
        resolved_at=row.resolved_at, analysis_state=current.state if current else "in_triage",
    )  # fmt: skip
    return view, row.version_id


def _row(
    request: Request, session: Session, who: Principal, finding_id: int, **extra: Any
) -> HTMLResponse:
    """The finding's rows after a decision (or a refusal), with the version's counts."""
    view, version_id = finding_view(session, who, finding_id)
    return render.fragment(
        request, "partials/finding_update.html", who, f=view, open=True,
        history=triage.history(session, who, finding_id), severities=SEVERITIES,
        version=project_service.get_version(session, who, version_id),
        **triage_choices(who), **extra,
    )  # fmt: skip


@router.get("/findings/{finding_id}", response_class=HTMLResponse)
def finding_page(
    request: Request, session: PageSession, who: PageViewer, finding_id: int
) -> HTMLResponse:
    view, version_id = finding_view(session, who, finding_id)
    version = project_service.get_version(session, who, version_id)
    project = project_service.get_project(session, who, version.project_id).project
    return render.page(
        request, "finding.html", who, title=f"{view.vuln_id} in {project.name}", f=view,
        version=version, project=project, history=triage.history(session, who, finding_id),
        **triage_choices(who),
    )  # fmt: skip


@router.get("/findings/{finding_id}/history", response_class=HTMLResponse)
def finding_history(
    request: Request, session: PageSession, who: PageViewer, finding_id: int
) -> HTMLResponse:
    view, _ = finding_view(session, who, finding_id)
    return render.fragment(
        request, "partials/finding_history.html", who, f=view,
        history=triage.history(session, who, finding_id), **triage_choices(who),
    )  # fmt: skip


@router.post("/findings/{finding_id}/analysis", response_class=HTMLResponse)
def record_analysis(
    request: Request,
    session: PageSession,
    who: PageViewer,
    finding_id: int,
    state: Short,
    justification: Short = "",
    response: Annotated[list[str] | None, Form(max_length=10)] = None,
    scope: Short = "finding",
    expires_at: Annotated[str, Form(max_length=40)] = "",
    detail: Detail = "",
) -> Response:
    row, _ = triage.finding_detail(session, who, finding_id)  # NotFound before anything else
    if scope == "finding":
        target: dict[str, Any] = {"finding_id": row.id}
    else:
        ids = {"version": row.version_id, "project": row.project_id}
        target = {"vuln_id": row.vuln_id, "scope": scope, "target_id": ids.get(scope)}
    try:
        with session.begin_nested():  # a refused decision leaves nothing behind
            triage.decide(
                session, who, state=state, justification=justification or None,
                response=response or (), detail=detail.strip(), expires_at=expires_at or None,
                source="web", **target,
            )  # fmt: skip
    except triage.TriageError as exc:
        if isinstance(exc, triage.NotPermitted) or not render.is_htmx(request):
            raise
        return _row(request, session, who, finding_id, error=str(exc))
    if not render.is_htmx(request):
        return RedirectResponse(f"/findings/{finding_id}", status_code=303)
    return _row(request, session, who, finding_id, saved="Decision recorded.")


@router.post("/findings/{finding_id}/comments", response_class=HTMLResponse)
def add_comment(
    request: Request,
    session: PageSession,
    who: PageViewer,
    finding_id: int,
    text: Annotated[str, Form(min_length=1, max_length=10_000)],
) -> Response:
    triage.comment(session, who, finding_id, text)
    if not render.is_htmx(request):
        return RedirectResponse(f"/findings/{finding_id}", status_code=303)
    return finding_history(request, session, who, finding_id)
