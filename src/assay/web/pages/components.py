"""``/components``: search the visible portfolio by purl, name, version or range, and licence.

The form's fields are :class:`assay.inventory.search.ComponentQuery`'s; the
results are :func:`assay.inventory.search.search_components`'s, the same the
REST API gives. An empty form shows the form only; a query the service cannot
run (a bad range, a purl and a name together) is shown above the form.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from assay.inventory.paging import InvalidQuery
from assay.inventory.search import ComponentQuery, search_components
from assay.web import render
from assay.web.pages._base import PageSession, PageViewer, page_router
from assay.web.pages.projects import wants_fragment

router = page_router()

RESULTS_ID = "component-results"
Field = Annotated[str | None, Query(max_length=1024)]


@router.get("/components", response_class=HTMLResponse)
def component_search(
    request: Request,
    session: PageSession,
    who: PageViewer,
    purl: Field = None,
    name: Field = None,
    ecosystem: Annotated[str | None, Query(max_length=64)] = None,
    version: Annotated[str | None, Query(max_length=256)] = None,
    range: Annotated[str | None, Query(max_length=256)] = None,
    license: Field = None,
    latest_only: bool = False,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> HTMLResponse:
    form = {
        "purl": purl or "", "name": name or "", "ecosystem": ecosystem or "",
        "version": version or "", "range": range or "", "license": license or "",
        "latest_only": latest_only,
    }  # fmt: skip
    values: dict[str, Any] = {
        "title": "Component search", "form": form, "result": None, "error": None,
        "results_id": RESULTS_ID,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    }  # fmt: skip
    query = ComponentQuery(
        purl=purl or None, name=name or None, ecosystem=ecosystem or None,
        version=version or None, range=range or None, license=license or None,
        latest_only=latest_only,
    )  # fmt: skip
    if query.purl or query.name or query.license:
        try:
            values["result"] = search_components(
                session, who, query, page=page, page_size=page_size
            )
        except InvalidQuery as exc:
            values["error"] = str(exc)
    if wants_fragment(request, RESULTS_ID):
        return render.fragment(request, "partials/component_results.html", who, **values)
    status = 422 if values["error"] else 200
    return render.page(request, "components.html", who, status_code=status, **values)
