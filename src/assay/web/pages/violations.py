"""Policy violations in the browser: ``/violations`` (the visible portfolio, filtered), the
"Policy" section of a version's page, and its waiver form.

A waiver is granted through :func:`assay.policy.waiver_service.create` (GRANT_WAIVER, the
project's own team or an administrator, a reason, an expiry; audited there). The version is
then evaluated again in the same transaction, so the section answered shows the violation
waived at once; the job the service queued repeats the same reconciliation harmlessly.
With HTMX the form answers the section (a refused waiver is shown in it); without
JavaScript it posts and is redirected back to the version's page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.clock import now
from assay.core.errors import Forbidden, UsageError
from assay.core.permissions import Permission, Principal
from assay.inventory import projects as project_service
from assay.inventory.paging import MAX_PAGE_SIZE
from assay.policy import waiver_service
from assay.policy.evaluate import evaluate_version
from assay.policy.store import PolicyRow
from assay.web import render
from assay.web.pages._base import PageSession, PageViewer, page_router
from assay.web.pages._forms import FormSession, write_first
from assay.web.pages.governance_reads import (
    VERDICTS,
    VIOLATION_STATES,
    list_violations,
    unevaluated_groups,
)

router = page_router()

SECTION_ID = "version-policy"


def policy_section(session: Session, who: Principal, version_id: int) -> dict[str, Any]:
    """What the version page's Policy section shows: current violations (open or waived),
    the "could not evaluate" items, and whether this user may waive."""
    return {
        "violations": list_violations(
            session, who, state="current", version_id=version_id, page_size=MAX_PAGE_SIZE
        ),
        "unevaluated": unevaluated_groups(session, who, version_id),
        "can_waive": who.can(Permission.GRANT_WAIVER),
        "policy_section_id": SECTION_ID,
        "waiver_min": now().date().isoformat(),
    }


def _section(
    request: Request, session: Session, who: Principal, version_id: int, **extra: Any
) -> HTMLResponse:
    version = project_service.get_version(session, who, version_id)
    return render.fragment(
        request, "partials/version_policy.html", who, version=version,
        **policy_section(session, who, version_id), **extra,
    )  # fmt: skip


@router.get("/versions/{version_id}/policy", response_class=HTMLResponse)
def version_policy(
    request: Request, session: PageSession, who: PageViewer, version_id: int
) -> HTMLResponse:
    return _section(request, session, who, version_id)


def _expiry(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise waiver_service.InvalidWaiver(
            f"expires: {text.strip()[:40]!r} is not a date (YYYY-MM-DD)"
        ) from None


@router.post("/versions/{version_id}/waivers", response_class=HTMLResponse)
def grant_waiver(
    request: Request,
    session: FormSession,
    who: PageViewer,
    version_id: int,
    policy: Annotated[str, Form(min_length=1, max_length=100)],
    reason: Annotated[str, Form(max_length=2_000)] = "",
    expires: Annotated[str, Form(max_length=40)] = "",
    component: Annotated[str, Form(max_length=1024)] = "",
    versions: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    write_first(session)
    version = project_service.get_version(session, who, version_id)  # NotFound first
    try:
        with session.begin_nested():  # a refused waiver leaves nothing behind
            waiver_service.create(
                session, who, version.project_id, policy, reason.strip(), _expiry(expires),
                component=component.strip() or None, versions=versions.strip() or None,
            )  # fmt: skip
            evaluate_version(session, version_id)
    except (UsageError, Forbidden) as exc:
        if not render.is_htmx(request):
            raise
        return _section(request, session, who, version_id, error=str(exc))
    if not render.is_htmx(request):
        return RedirectResponse(f"/versions/{version_id}#{SECTION_ID}", status_code=303)
    return _section(request, session, who, version_id, saved=f"Waiver for {policy} recorded.")


@router.post("/versions/{version_id}/waivers/{waiver_id}/revoke", response_class=HTMLResponse)
def revoke_waiver(
    request: Request,
    session: FormSession,
    who: PageViewer,
    version_id: int,
    waiver_id: int,
    reason: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """Withdraw a waiver from a version's page; the section shows the violation open again."""
    write_first(session)
    project_service.get_version(session, who, version_id)  # NotFound first
    try:
        with session.begin_nested():
            waiver_service.revoke(session, who, waiver_id, reason.strip())
            evaluate_version(session, version_id)
    except (UsageError, Forbidden) as exc:
        if not render.is_htmx(request):
            raise
        return _section(request, session, who, version_id, error=str(exc))
    if not render.is_htmx(request):
        return RedirectResponse(f"/versions/{version_id}#{SECTION_ID}", status_code=303)
    return _section(request, session, who, version_id, saved=f"Waiver {waiver_id} revoked.")


@router.get("/violations", response_class=HTMLResponse)
def violations_page(
    request: Request,
    session: PageSession,
    who: PageViewer,
    state: Annotated[str, Query(pattern="^(open|waived|unevaluated|resolved|all)$")] = "open",
    policy: Annotated[str | None, Query(max_length=100)] = None,
    verdict: Annotated[str | None, Query(pattern="^(fail|warn|info)?$")] = None,
    project: Annotated[str | None, Query(max_length=256)] = None,
    version_id: int | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> HTMLResponse:
    found = list_violations(
        session, who, state=state, policy=policy or None, verdict=verdict or None,
        project=project or None, version_id=version_id, page=page, page_size=page_size,
    )  # fmt: skip
    here = str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
    names = list(session.scalars(select(PolicyRow.name).order_by(PolicyRow.name)))
    return render.page(
        request, "violations.html", who, title="Policy violations", violations=found, here=here,
        filters={"state": state, "policy": policy or "", "verdict": verdict or "",
                 "project": project or "", "version_id": version_id},
        states=VIOLATION_STATES, verdicts=VERDICTS, policy_names=names,
    )  # fmt: skip
