"""After a triage decision: recount the versions it touches and snapshot their risk.

The counts live on :class:`~assay.inventory.models.ProjectVersion` (the
intake's :func:`assay.inventory.findings.recount` computes them: an open
finding counts under its severity unless its effective analysis suppresses it,
see :data:`assay.inventory.vex_terms.SUPPRESSING`). Each change appends a risk
snapshot for the projects touched and for the portfolio (never rewritten).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from assay.inventory.findings import recount as recount_version
from assay.inventory.models import AnalysisDecision, FindingRow, ProjectVersion
from assay.inventory.snapshots import record_snapshot
from assay.inventory.vex_terms import Scope


def recount(session: Session, version_ids: Iterable[int]) -> None:
    """Recompute the open and suppressed counts of each version from its findings."""
    for version_id in sorted(set(version_ids)):
        recount_version(session, version_id)


def affected_versions(session: Session, decision: AnalysisDecision) -> set[int]:
    """The versions whose counts a decision can change."""
    if decision.scope in (Scope.FINDING, Scope.VERSION):
        return {decision.version_id} if decision.version_id is not None else set()
    needle = json.dumps(decision.vuln_id)
    query = (
        select(FindingRow.version_id)
        .distinct()
        .where(
            or_(
                FindingRow.vuln_id == decision.vuln_id,
                FindingRow.aliases.contains(needle, autoescape=True),
            )
        )
    )
    if decision.scope == Scope.PROJECT:
        query = query.where(FindingRow.project_id == decision.project_id)
    return set(session.scalars(query))


def refresh(session: Session, version_ids: Iterable[int]) -> None:
    """Recount the versions and append a risk snapshot for their projects and the portfolio."""
    wanted = set(version_ids)
    if not wanted:
        return
    recount(session, wanted)
    project_ids = set(
        session.scalars(select(ProjectVersion.project_id).where(ProjectVersion.id.in_(wanted)))
    )
    _snapshot(session, project_ids)


def _snapshot(session: Session, project_ids: set[int]) -> None:
    for project_id in sorted(project_ids):
        record_snapshot(session, project_id)
    record_snapshot(session, None)
