"""``/catalogue/unification``: which versions of each component the visible portfolio uses,
how far each is from the recommended version, and what converging takes.

The rows are :func:`assay.catalogue.unify.report`'s (latest project versions only, visible
projects only). Without ``purl`` the page lists every component that needs unifying and
draws the first; with ``purl`` it draws that component: an ECharts stacked bar of the
projects per version, stacked by where the version stands (behind, recommended, ahead).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from assay.catalogue.unify import UnificationRow, report
from assay.core.errors import UsageError
from assay.web import render
from assay.web.pages._base import PageSession, PageViewer, page_router

router = page_router()

POSITIONS = {
    "behind": "#a16207", "recommended": "#166534", "ahead": "#1d4ed8", "unknown": "#4b5563",
}  # fmt: skip


def chart_option(row: UnificationRow) -> dict[str, Any]:
    """Projects per version (oldest left), one stacked series per position."""
    versions = list(reversed(row.versions))
    series = [
        {
            "name": position,
            "type": "bar",
            "stack": "projects",
            "barMaxWidth": 64,
            "itemStyle": {"color": colour},
            "data": [len(v.projects) if v.position == position else 0 for v in versions],
        }
        for position, colour in POSITIONS.items()
        if any(v.position == position for v in versions)
    ]
    return {
        "grid": {"left": 40, "right": 16, "top": 40, "bottom": 40, "containLabel": True},
        "legend": {"top": 0},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "name": "version", "data": [v.version for v in versions]},
        "yAxis": {"type": "value", "name": "projects", "minInterval": 1},
        "series": series,
    }


@router.get("/catalogue/unification", response_class=HTMLResponse)
def unification_page(
    request: Request,
    session: PageSession,
    who: PageViewer,
    purl: Annotated[str | None, Query(max_length=1024)] = None,
) -> HTMLResponse:
    error = None
    try:
        rows = report(session, who, purl.strip() if purl and purl.strip() else None)
    except UsageError as exc:
        rows, error = [], str(exc)
    chosen = rows[0] if rows else None
    return render.page(
        request, "unification.html", who, status_code=422 if error else 200,
        title="Version unification", rows=rows, chosen=chosen, purl=purl or "", error=error,
        option=chart_option(chosen) if chosen else None,
    )  # fmt: skip
