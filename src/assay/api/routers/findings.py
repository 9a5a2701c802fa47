"""Triage over REST: findings with their analysis, decisions, comments, and VEX per version.

Reading needs VIEW_PORTFOLIO, deciding and commenting TRIAGE; anything the
caller may not see answers 404. ``POST /versions/{id}/vex`` takes the VEX
document as the raw body (JSON or XML) or as the ``vex`` part of a multipart
form; a malformed document answers 422 with one line and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from assay.api.deps import DbSession, Triager, Viewer
from assay.api.schemas.findings import (
    AnalysisCreate,
    CommentCreate,
    CommentRead,
    DecisionCreate,
    DecisionPage,
    DecisionRead,
    EffectiveRead,
    FindingRead,
    HistoryRead,
    UnmatchedRead,
    VexImportRead,
)
from assay.core.errors import InputTooLarge
from assay.inventory import decisions, triage, vex
from assay.inventory.effective import analysis_of
from assay.inventory.models import AnalysisDecision, FindingComment, FindingRow
from assay.inventory.vex_terms import Effective, NotPermitted

router = APIRouter(tags=["triage"])

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
MAX_VEX_BYTES = 32 * 1024 * 1024
VEX_MEDIA = "application/vnd.cyclonedx+json; version=1.6"


@contextmanager
def _forbidden() -> Iterator[None]:
    """The service's "you see it but may not do this" becomes 403."""
    try:
        yield
    except NotPermitted as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None


def _json_list(text: str) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def decision_read(
    d: AnalysisDecision, *, expired: bool, in_force: bool | None = None
) -> DecisionRead:
    a = analysis_of(d)
    return DecisionRead(
        id=d.id, vuln_id=d.vuln_id, scope=d.scope, finding_id=d.finding_id,
        version_id=d.version_id, project_id=d.project_id, component_purl=d.component_purl,
        state=a.state, justification=a.justification, response=list(a.response),
        detail=a.detail, expires_at=d.expires_at, expired=expired, created_at=d.created_at,
        created_by=d.created_by, in_force=in_force,
    )  # fmt: skip


def _effective_read(eff: Effective | None) -> EffectiveRead | None:
    if eff is None:
        return None
    a = eff.analysis
    return EffectiveRead(
        state=a.state, justification=a.justification, response=list(a.response),
        detail=a.detail, decision_id=eff.decision_id, scope=eff.scope,
        created_at=eff.created_at, created_by=eff.created_by, expires_at=eff.expires_at,
    )  # fmt: skip


def _finding_read(f: FindingRow, eff: Effective | None) -> FindingRead:
    return FindingRead(
        id=f.id, project_id=f.project_id, version_id=f.version_id, vuln_id=f.vuln_id,
        aliases=_json_list(f.aliases), summary=f.summary, severity=f.severity,
        cvss_score=f.cvss_score, component_purl=f.component_purl,
        component_name=f.component_name, component_version=f.component_version,
        ecosystem=f.ecosystem, fixed_versions=_json_list(f.fixed_versions), fix=f.fix,
        first_seen_at=f.first_seen_at, last_seen_at=f.last_seen_at, resolved_at=f.resolved_at,
        state=eff.state if eff else "in_triage", analysis=_effective_read(eff),
    )  # fmt: skip


def _comment_read(c: FindingComment) -> CommentRead:
    return CommentRead(id=c.id, finding_id=c.finding_id, at=c.at, author=c.author, text=c.text)


@router.get("/findings/{finding_id}")
def get_finding(session: DbSession, who: Viewer, finding_id: Id) -> FindingRead:
    """A finding with the analysis in force for it."""
    finding, eff = triage.finding_detail(session, who, finding_id)
    return _finding_read(finding, eff)


@router.post("/findings/{finding_id}/analysis", status_code=status.HTTP_201_CREATED)
def decide_finding(
    session: DbSession, who: Triager, finding_id: Id, body: AnalysisCreate
) -> DecisionRead:
    """Record a decision on this finding (it supersedes earlier ones; nothing is overwritten)."""
    with _forbidden():
        row = triage.decide(
            session, who, finding_id=finding_id, state=body.state,
            justification=body.justification, response=body.response, detail=body.detail,
            expires_at=body.expires_at,
        )  # fmt: skip
    return decision_read(row, expired=False)


@router.get("/findings/{finding_id}/analysis")
def finding_history(session: DbSession, who: Viewer, finding_id: Id) -> HistoryRead:
    """Every decision that ever applied to the finding, and its comments, newest first."""
    found = triage.history(session, who, finding_id)
    return HistoryRead(
        finding_id=found.finding_id,
        decisions=[
            decision_read(e.decision, expired=e.expired, in_force=e.in_force)
            for e in found.decisions
        ],
        comments=[_comment_read(c) for c in found.comments],
    )


@router.post("/findings/{finding_id}/comments", status_code=status.HTTP_201_CREATED)
def add_comment(
    session: DbSession, who: Triager, finding_id: Id, body: CommentCreate
) -> CommentRead:
    with _forbidden():
        row = triage.comment(session, who, finding_id, body.text)
    return _comment_read(row)


@router.post("/decisions", status_code=status.HTTP_201_CREATED)
def decide_scoped(session: DbSession, who: Triager, body: DecisionCreate) -> DecisionRead:
    """A decision on a vulnerability for a version, a project (``target_id``) or the portfolio.

    Portfolio decisions need ADMINISTER, or PORTFOLIO_WIDE with TRIAGE; suppressing
    (not_affected, false_positive) for a project or the portfolio needs ``expires_at``.
    """
    if body.scope == "portfolio" and not triage.can_decide_portfolio(who):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "requires administer, or portfolio_wide")
    with _forbidden():
        row = triage.decide(
            session, who, vuln_id=body.vuln_id, scope=body.scope, target_id=body.target_id,
            state=body.state, justification=body.justification, response=body.response,
            detail=body.detail, expires_at=body.expires_at, component_purl=body.component_purl,
        )  # fmt: skip
    return decision_read(row, expired=False)


@router.get("/decisions")
def list_decisions(
    session: DbSession,
    who: Viewer,
    vuln_id: Annotated[str | None, Query(max_length=128, pattern=r"^\S+$")] = None,
    project_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DecisionPage:
    """Decisions on the projects the caller sees and every portfolio decision, newest first."""
    found = decisions.list_decisions(
        session, who, vuln_id=vuln_id, project_id=project_id, page=page, page_size=page_size
    )
    return DecisionPage(
        items=[decision_read(x.decision, expired=x.expired) for x in found.items],
        total=found.total,
        page=found.page,
        page_size=found.page_size,
    )


@router.get(
    "/versions/{version_id}/vex",
    response_class=Response,
    responses={200: {"content": {"application/vnd.cyclonedx+json": {}}}},
)
def export_vex(session: DbSession, who: Viewer, version_id: Id) -> Response:
    """The version's open findings and their analyses as a CycloneDX 1.6 VEX document."""
    doc = vex.export_vex(session, who, version_id)
    body = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return Response(body, media_type=VEX_MEDIA)


async def _body(request: Request) -> tuple[bytes, str]:
    """The VEX bytes from a multipart ``vex`` part or the raw body, at most MAX_VEX_BYTES."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=10)
        part = form.get("vex")
        if not isinstance(part, UploadFile):
            raise HTTPException(422, "send the document as the 'vex' file of the form")
        data = await part.read(MAX_VEX_BYTES + 1)
        name = part.filename or "vex"
    else:
        chunks = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_VEX_BYTES:
                raise InputTooLarge("vex", f"VEX documents are limited to {MAX_VEX_BYTES:,} bytes")
            chunks.append(chunk)
        data, name = b"".join(chunks), "vex"
    if len(data) > MAX_VEX_BYTES:
        raise InputTooLarge(name, f"VEX documents are limited to {MAX_VEX_BYTES:,} bytes")
    return data, name[:200]


@router.post(
    "/versions/{version_id}/vex",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/xml": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"vex": {"type": "string", "format": "binary"}},
                        "required": ["vex"],
                    }
                },
            },
            "required": True,
        }
    },
)
async def import_vex(
    request: Request, session: DbSession, who: Triager, version_id: Id
) -> VexImportRead:
    """Apply a CycloneDX VEX document's analyses to this version's findings."""
    data, name = await _body(request)

    def run() -> vex.ImportReport:
        with _forbidden():
            return vex.import_vex(session, who, version_id, data, name)

    report = await run_in_threadpool(run)
    return VexImportRead(
        statements=report.statements,
        applied=report.applied,
        unchanged=report.unchanged,
        unmatched=[
            UnmatchedRead(vuln_id=u.vuln_id, ref=u.ref, reason=u.reason) for u in report.unmatched
        ],
        unmatched_total=report.unmatched_total,
    )
