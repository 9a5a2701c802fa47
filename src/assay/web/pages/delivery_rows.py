"""``/delivery/row``: one team's or one service's figures in a dashboard table, loaded by the row.

A dashboard lists its teams and services at once and each row fetches its own
figures (htmx, when the row scrolls into view): a report per row costs a
fraction of a second, and an organisation of hundreds of services would
otherwise wait for all of them before seeing anything. The row shows the DORA
tiers (:func:`dora_report`) and the build success rate and line coverage
(:func:`quality_report`) of the same window, over the services the viewer may see.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from assay.delivery.metrics.dora import dora_report
from assay.delivery.metrics.quality import quality_report
from assay.web import render
from assay.web.pages._base import PageSession, PageViewer, page_router
from assay.web.pages.delivery import (
    DEFAULT_DAYS,
    Days,
    Format,
    Row,
    selection,
    service_path,
    team_path,
    visible_configs,
)

router = page_router()


@router.get("/delivery/row", response_class=HTMLResponse)
def row(
    request: Request,
    session: PageSession,
    who: PageViewer,
    kind: Literal["team", "service"],
    name: Annotated[str, Query(max_length=200)],
    days: Days = DEFAULT_DAYS,
) -> HTMLResponse:
    if kind == "team":
        configs = visible_configs(session, who, team=name)
        shown = Row("team", name, team_path(name) if name else None)
    else:
        configs = visible_configs(session, who, service=name) if name else []
        shown = Row("service", name, service_path(name))
    if not configs:
        raise HTTPException(404, f"no {kind} {name!r} you can see")
    chosen = selection(configs, days)
    return render.fragment(
        request, "partials/delivery_row.html", who, row=shown, days=days, fmt=Format,
        dora=dora_report(session, chosen).to_json(),
        quality=quality_report(session, chosen).to_json(),
    )  # fmt: skip
