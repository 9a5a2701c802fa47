"""``/versions/{id}``: a project version's findings, components and dependency graph, as tabs.

Each tab is a link (``?tab=components``) that renders the whole page without
JavaScript; with HTMX only the tab panel is fetched and swapped, and the URL
pushed. The data comes from :mod:`assay.inventory.version_contents`, the
functions the REST API calls; SBOM and VEX downloads are the API's own
endpoints (the browser's session cookie authenticates them).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from assay.core.permissions import Permission, Principal
from assay.inventory import projects as project_service
from assay.inventory import version_contents as contents
from assay.inventory.paging import MAX_PAGE_SIZE
from assay.inventory.triage import can_decide_portfolio
from assay.inventory.vex_terms import Justification, Response, State
from assay.web import render
from assay.web.pages._base import PageSession, PageViewer, page_router
from assay.web.pages.charts import graph_option, worst_severities
from assay.web.pages.projects import split_sort, wants_fragment
from assay.web.pages.violations import policy_section

router = page_router()

TABS = ("findings", "components", "graph")
PANEL_ID = "tab-panel"
SBOM_FORMATS = tuple(contents.MEDIA_TYPES)


def triage_choices(who: Principal) -> dict[str, Any]:
    """What the triage form offers this user (portfolio scope only to those allowed)."""
    scopes = ["finding", "version", "project"]
    if can_decide_portfolio(who):
        scopes.append("portfolio")
    return {
        "can_triage": who.can(Permission.TRIAGE),
        "states": [s.value for s in State],
        "justifications": [j.value for j in Justification],
        "responses": [r.value for r in Response],
        "scopes": scopes,
    }


def _here(request: Request) -> str:
    return str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")


def _findings(
    session: Session, who: Principal, version_id: int, params: dict[str, Any]
) -> dict[str, Any]:
    field, order = split_sort(params["sort"], "-severity")
    found = contents.version_findings(
        session, who, version_id, severity=params["severity"] or None,
        state=params["state"] or None, sort=field, order=order, page=params["page"],
        page_size=params["page_size"],
    )  # fmt: skip
    return {"findings": found, "sort": params["sort"] or "-severity", **triage_choices(who)}


def _components(
    session: Session, who: Principal, version_id: int, params: dict[str, Any]
) -> dict[str, Any]:
    field, order = split_sort(params["sort"], "name")
    found = contents.version_components(
        session, who, version_id, q=params["q"] or None, sort=field, order=order,
        page=params["page"], page_size=params["page_size"],
    )  # fmt: skip
    return {"components": found, "sort": params["sort"] or "name"}


def _graph(
    session: Session, who: Principal, version_id: int, params: dict[str, Any]
) -> dict[str, Any]:
    graph = contents.version_graph(session, who, version_id)
    vulnerable = contents.version_findings(
        session, who, version_id, state="open", page_size=MAX_PAGE_SIZE
    )  # the worst first: the 500 most severe findings colour the graph
    option = graph_option(graph, worst_severities(vulnerable.items))
    return {"graph": graph, "graph_option": option, "findings_total": vulnerable.total}


_TAB_DATA = {"findings": _findings, "components": _components, "graph": _graph}


@router.get("/versions/{version_id}", response_class=HTMLResponse)
def version_page(
    request: Request,
    session: PageSession,
    who: PageViewer,
    version_id: int,
    tab: Annotated[str, Query(pattern="^(findings|components|graph)$")] = "findings",
    q: Annotated[str | None, Query(max_length=256)] = None,
    severity: Annotated[str | None, Query(max_length=16)] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
    sort: Annotated[str | None, Query(max_length=32)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> HTMLResponse:
    version = project_service.get_version(session, who, version_id)
    params = {
        "q": q, "severity": severity, "state": state if state is not None else "open",
        "sort": sort, "page": page, "page_size": page_size,
    }  # fmt: skip
    values: dict[str, Any] = {
        "version": version,
        "tab": tab,
        "tabs": TABS,
        "filters": {"q": q or "", "severity": severity or "", "state": params["state"]},
        "severities": contents.SEVERITIES,
        "here": _here(request),
        "panel_id": PANEL_ID,
        **_TAB_DATA[tab](session, who, version_id, params),
    }
    if wants_fragment(request, PANEL_ID):
        return render.fragment(request, "partials/version_tab.html", who, **values)
    project = project_service.get_project(session, who, version.project_id).project
    return render.page(
        request, "version.html", who, title=f"{project.name} {version.version}",
        project=project, sbom_formats=SBOM_FORMATS, **policy_section(session, who, version_id),
        **values,
    )  # fmt: skip
