"""Listing triage decisions: newest first, filtered by vulnerability or project.

A caller sees the decisions on projects they can see, and every portfolio
decision (those apply to their findings too). Expired decisions are listed
with ``expired`` set: the trail is complete, only their effect has ended.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from assay.core.clock import now_iso
from assay.core.permissions import Principal
from assay.inventory._access import visible_project, visible_project_ids
from assay.inventory.effective import analysis_of
from assay.inventory.models import AnalysisDecision
from assay.inventory.paging import Page, page_of, window
from assay.inventory.vex_terms import Analysis, check_vuln_id


@dataclass(frozen=True, slots=True)
class Listed:
    decision: AnalysisDecision
    analysis: Analysis
    expired: bool


def list_decisions(
    session: Session,
    principal: Principal,
    *,
    vuln_id: str | None = None,
    project_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[Listed]:
    """Decisions the caller may see; ``project_id`` also lists the portfolio decisions."""
    win = window(page, page_size)
    where = []
    if project_id is not None:
        visible_project(session, principal, project_id)
        where.append(
            or_(AnalysisDecision.project_id == project_id, AnalysisDecision.project_id.is_(None))
        )
    elif not principal.sees_all:
        where.append(
            or_(
                AnalysisDecision.project_id.is_(None),
                AnalysisDecision.project_id.in_(visible_project_ids(principal)),
            )
        )
    if vuln_id:
        where.append(AnalysisDecision.vuln_id == check_vuln_id(vuln_id))
    total = session.scalar(select(func.count()).select_from(AnalysisDecision).where(*where)) or 0
    rows = session.scalars(
        select(AnalysisDecision)
        .where(*where)
        .order_by(AnalysisDecision.created_at.desc(), AnalysisDecision.id.desc())
        .offset(win.offset)
        .limit(win.limit)
    )
    moment = now_iso()
    items = [
        Listed(d, analysis_of(d), d.expires_at is not None and d.expires_at <= moment) for d in rows
    ]
    return page_of(items, total, win)
