"""``/projects`` (the list: filters, sorting, pagination) and ``/projects/{id}``.

The list is :func:`assay.inventory.projects.list_projects`, the same query the
REST API answers. Without JavaScript, filters are a GET form and headers and
pages are links; with HTMX, the same links and form swap only the results
(``partials/projects_results.html``) and push the URL, so back and reload work.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from assay.inventory import projects as service
from assay.inventory.projects import CRITICALITIES
from assay.inventory.trends import trend
from assay.web import render
from assay.web.pages._base import PageSession, PageViewer, page_router
from assay.web.pages.charts import trend_option

router = page_router()

SORTS = ("name", "criticality", "critical", "high", "components", "analysed_at")
RESULTS_ID = "projects-results"

Text = Annotated[str | None, Query(max_length=256)]


def split_sort(sort: str | None, default: str) -> tuple[str, str]:
    """``"-critical"`` → (``critical``, ``desc``); the page's sort parameter convention."""
    value = (sort or default).strip()
    if value.startswith("-"):
        return value[1:], "desc"
    return value, "asc"


def wants_fragment(request: Request, target: str) -> bool:
    """An HTMX request aimed at ``target`` (not a history restore, which needs the page)."""
    return (
        render.is_htmx(request)
        and request.headers.get("hx-target") == target
        and request.headers.get("hx-history-restore-request") != "true"
    )


@router.get("/projects", response_class=HTMLResponse)
def project_list(
    request: Request,
    session: PageSession,
    who: PageViewer,
    q: Text = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    criticality: Annotated[str | None, Query(max_length=16)] = None,
    sort: Annotated[str | None, Query(max_length=32)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> HTMLResponse:
    field, order = split_sort(sort, "name")
    found = service.list_projects(
        session, who, q=q or None, tag=tag or None, criticality=criticality or None,
        sort=field, order=order, page=page, page_size=page_size,
    )  # fmt: skip
    values: dict[str, Any] = {
        "title": "Projects",
        "result": found,
        "filters": {"q": q or "", "tag": tag or "", "criticality": criticality or ""},
        "sort": sort or "name",
        "criticalities": CRITICALITIES,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        "results_id": RESULTS_ID,
    }
    if wants_fragment(request, RESULTS_ID):
        return render.fragment(request, "partials/projects_results.html", who, oob=True, **values)
    return render.page(request, "projects.html", who, **values)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_detail(
    request: Request, session: PageSession, who: PageViewer, project_id: int
) -> HTMLResponse:
    detail = service.get_project(session, who, project_id)
    versions = service.list_versions(session, who, project_id)
    return render.page(
        request, "project.html", who, title=detail.project.name, detail=detail,
        versions=versions, trend=trend_option(trend(session, who, project_id)),
    )  # fmt: skip
