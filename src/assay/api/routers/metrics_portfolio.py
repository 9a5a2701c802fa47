"""Risk figures: the portfolio dashboard's summary, and trends per project and portfolio.

Everything is computed over the projects the caller can see: another team's
projects never add to a summary, a count or a trend.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from assay.api.deps import DbSession, Viewer
from assay.api.schemas.trends import (
    CountsRead,
    SummaryRead,
    TopComponentRead,
    TrendPointRead,
    TrendRead,
)
from assay.inventory import summary, trends

router = APIRouter(tags=["metrics"])

Days = Annotated[int, Query(ge=1, le=trends.MAX_DAYS, description="days back, today included")]


def _counts(c: trends.Counts) -> CountsRead:
    return CountsRead(
        critical=c.critical, high=c.high, medium=c.medium, low=c.low, unknown=c.unknown,
        suppressed=c.suppressed, components=c.components,
    )  # fmt: skip


def _trend(t: trends.Trend) -> TrendRead:
    return TrendRead(
        project_id=t.project_id,
        days=t.days,
        points=[TrendPointRead(day=p.day, **_counts(p.counts).model_dump()) for p in t.points],
    )


@router.get("/portfolio/summary")
def portfolio_summary(session: DbSession, who: Viewer) -> SummaryRead:
    """Counts by severity, top vulnerable components and projects by worst severity."""
    found = summary.portfolio_summary(session, who)
    return SummaryRead(
        projects=found.projects,
        counts=_counts(found.counts),
        top_components=[
            TopComponentRead(
                ecosystem=t.ecosystem,
                name=t.name,
                version=t.version,
                critical=t.critical,
                high=t.high,
                projects=t.projects,
            )
            for t in found.top_components
        ],
        projects_by_severity=found.projects_by_severity,
    )


@router.get("/portfolio/trend")
def portfolio_trend(session: DbSession, who: Viewer, days: Days = 90) -> TrendRead:
    """The portfolio's counts per day, as far as the caller sees it."""
    return _trend(trends.trend(session, who, None, days))


@router.get("/projects/{project_id}/trend")
def project_trend(
    session: DbSession,
    who: Viewer,
    project_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    days: Days = 90,
) -> TrendRead:
    """A project's counts per day (the last snapshot of each day, carried forward)."""
    return _trend(trends.trend(session, who, project_id, days))
