"""``/``: the portfolio dashboard, over the projects the signed-in user may see.

Severity totals, risk over time (:func:`assay.inventory.trends.trend`), the
most vulnerable components and projects (:func:`assay.inventory.summary.portfolio_summary`
and the project list sorted by critical findings). A user without the
view_portfolio permission sees an empty portfolio, never another team's figures.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from assay.core.permissions import Permission
from assay.inventory import projects as project_service
from assay.inventory.summary import WORST, portfolio_summary
from assay.inventory.trends import trend
from assay.web import render
from assay.web.pages._base import PageSession, SignedIn, page_router
from assay.web.pages.charts import projects_option, top_components_option, trend_option

router = page_router()

TOP_PROJECTS = 15


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    session: PageSession,
    who: SignedIn,
    days: Annotated[int, Query(ge=7, le=730)] = 90,
) -> HTMLResponse:
    if not who.can(Permission.VIEW_PORTFOLIO):
        return render.page(request, "dashboard.html", who, title="Dashboard", summary=None)
    summary = portfolio_summary(session, who)
    worst = project_service.list_projects(
        session, who, sort="critical", order="desc", page=1, page_size=TOP_PROJECTS
    )
    return render.page(
        request, "dashboard.html", who, title="Dashboard", summary=summary, days=days,
        worst_order=WORST, trend=trend_option(trend(session, who, None, days)),
        top=top_components_option(summary.top_components),
        by_project=projects_option(worst.items),
    )  # fmt: skip
