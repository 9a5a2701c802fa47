"""``/vulnerabilities/{id}``: one vulnerability by any of its ids, and the visible versions it hits.

What the knowledge base says is public; the affected project versions are only
those the user may see (:func:`assay.inventory.vulnerabilities.vulnerability_detail`).
An alias opens the same page as the primary id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse

from assay.inventory.vulnerabilities import vulnerability_detail
from assay.web import render
from assay.web.pages._base import PageSession, PageViewer, page_router

router = page_router()

SAFE_SCHEMES = ("https://", "http://")


@router.get("/vulnerabilities/{vuln_id}", response_class=HTMLResponse)
def vulnerability_page(
    request: Request,
    session: PageSession,
    who: PageViewer,
    vuln_id: Annotated[str, Path(min_length=1, max_length=128)],
    latest_only: bool = False,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> HTMLResponse:
    detail = vulnerability_detail(
        session, who, vuln_id, latest_only=latest_only, page=page, page_size=page_size
    )
    return render.page(
        request, "vulnerability.html", who, title=detail.id, v=detail,
        safe_schemes=SAFE_SCHEMES, latest_only=latest_only,
        here=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    )  # fmt: skip
