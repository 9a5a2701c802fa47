"""Append-only risk snapshots: the counts of one project, or of the portfolio, at a moment.

A snapshot is appended whenever the counts change (a BOM processed, a
re-match after an advisory import); rows are never updated or deleted, and a
trend reads the last snapshot of each day. A project's counts are the sums
over all its versions (every version is a release someone may run, as in
Dependency-Track); the portfolio's are the sums over every project version.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.core.clock import now_iso
from assay.inventory.models import SEVERITY_COLUMNS, ProjectVersion, RiskSnapshot

COUNTED = (*SEVERITY_COLUMNS, "suppressed", "components")


def current_totals(session: Session, project_id: int | None) -> dict[str, int]:
    """Sums of the versions' stored counts, for one project or (None) the portfolio."""
    columns = [func.coalesce(func.sum(getattr(ProjectVersion, name)), 0) for name in COUNTED]
    query = select(*columns)
    if project_id is not None:
        query = query.where(ProjectVersion.project_id == project_id)
    row = session.execute(query).one()
    return {name: int(value) for name, value in zip(COUNTED, row, strict=True)}


def record_snapshot(session: Session, project_id: int | None) -> RiskSnapshot:
    """Append one snapshot of the current totals, in the caller's transaction."""
    at = now_iso()
    snapshot = RiskSnapshot(
        at=at, day=at[:10], project_id=project_id, **current_totals(session, project_id)
    )
    session.add(snapshot)
    session.flush()
    return snapshot
